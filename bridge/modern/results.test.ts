import { discoverResult, modernResponse, statusForModernResponse } from './results.js';

const info = { name: 's', version: '1' };

describe('modern results', () => {
  it('when a legacy tools/list result is shaped, then it gets resultType, public cache hints and serverInfo', () => {
    const r = modernResponse('tools/list', { jsonrpc: '2.0', id: 9, result: { tools: [] } }, 'a', info);
    expect(r).toEqual({ jsonrpc: '2.0', id: 'a', result: { tools: [], resultType: 'complete', ttlMs: 0, cacheScope: 'public', _meta: { 'io.modelcontextprotocol/serverInfo': info } } });
  });

  it('when a tools/call result is shaped, then it has no cache hints and keeps its own _meta', () => {
    const r = modernResponse('tools/call', { jsonrpc: '2.0', id: 9, result: { content: [], _meta: { mine: 1 } } }, 1, info) as { result: Record<string, unknown> };
    expect(r.result).toEqual({ content: [], resultType: 'complete', _meta: { 'io.modelcontextprotocol/serverInfo': info, mine: 1 } });
  });

  it('when a legacy resource-not-found error (-32002) comes back, then it becomes -32602', () => {
    const r = modernResponse('resources/read', { jsonrpc: '2.0', id: 9, error: { code: -32002, message: 'Resource not found' } }, 1, info) as { error: { code: number } };
    expect(r.error.code).toBe(-32602);
  });

  it('when an error is method-not-found or missing-capability, then the HTTP status says so', () => {
    expect(statusForModernResponse({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'x' } })).toBe(404);
    expect(statusForModernResponse({ jsonrpc: '2.0', id: 1, error: { code: -32021, message: 'x' } })).toBe(400);
    expect(statusForModernResponse({ jsonrpc: '2.0', id: 1, result: {} })).toBe(200);
  });

  it('when discover is answered from an initialize result, then it lists modern and legacy versions with cache hints', () => {
    expect(discoverResult({ capabilities: { tools: {} }, serverInfo: info, instructions: 'hi' }, ['2026-07-28'], ['2025-11-25'])).toEqual({
      resultType: 'complete',
      supportedVersions: ['2026-07-28', '2025-11-25'],
      capabilities: { tools: {} },
      instructions: 'hi',
      _meta: { 'io.modelcontextprotocol/serverInfo': info },
      ttlMs: 0,
      cacheScope: 'public',
    });
  });
});
