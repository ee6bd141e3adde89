// The answers' interpretation (pure); the HTTP exchanges against real servers are in
// test/integration/server-probe.test.ts.
import type { HttpAnswer } from './http-exchange.js';
import { interpretDiscover, interpretInitialize } from './mcp-probe.js';

const answer = (status: number, response?: unknown, snippet = '', type = 'application/json'): HttpAnswer => ({
  status,
  headers: { 'content-type': type },
  ...(response === undefined ? {} : { response }),
  snippet,
});
const result = (id: number, r: unknown) => ({ jsonrpc: '2.0', id, result: r });
const error = (id: number, code: number, message: string, data?: unknown) => ({ jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } });

describe('interpretDiscover', () => {
  it('when the result lists versions and serverInfo, then the probe is done: discovered', () => {
    const r = result(1, { supportedVersions: ['2026-07-28'], capabilities: {}, _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'x', version: '1' } } });
    expect(interpretDiscover(answer(200, r))).toEqual({ done: { ok: true, method: 'discover', name: 'x', version: '1', protocolVersions: ['2026-07-28'] } });
  });

  it('when serverInfo is missing, then the versions still count', () => {
    expect(interpretDiscover(answer(200, result(1, { supportedVersions: ['2026-07-28'], capabilities: {} })))).toEqual({
      done: { ok: true, method: 'discover', protocolVersions: ['2026-07-28'] },
    });
  });

  it('when a modern server does not speak 2026-07-28, then its UnsupportedProtocolVersion list is what it supports', () => {
    expect(interpretDiscover(answer(400, error(1, -32022, 'Unsupported protocol version', { supported: ['2027-03-01'], requested: '2026-07-28' })))).toEqual({
      done: { ok: true, method: 'discover', protocolVersions: ['2027-03-01'] },
    });
  });

  it('when another modern error comes back, then the probe fails without falling back', () => {
    expect(interpretDiscover(answer(400, error(1, -32020, 'Header mismatch')))).toEqual({
      done: { ok: false, reason: 'ProbeFailed', message: 'server/discover: -32020 Header mismatch' },
    });
  });

  it.each([401, 403])('when the answer is HTTP %i, then the probe fails (initialize would be refused the same way)', (status) => {
    expect(interpretDiscover(answer(status, error(1, -32000, 'Unauthorized')))).toEqual({
      done: { ok: false, reason: 'ProbeFailed', message: `server/discover: HTTP ${String(status)}: Unauthorized` },
    });
  });

  it.each<[string, HttpAnswer]>([
    ['a 2025-era 400 (no session id)', answer(400, error(1, -32000, 'Bad Request: Mcp-Session-Id header is required'))],
    ['method not found', answer(200, error(1, -32601, 'Method not found'))],
    ['a 404 page', answer(404, undefined, 'Not Found', 'text/html')],
    ['a 405', answer(405, undefined, '')],
    ['a result that is not a DiscoverResult', answer(200, result(1, { hello: 'world' }))],
  ])('when the answer is %s, then the probe falls back to initialize', (_what, a) => {
    expect(interpretDiscover(a)).toHaveProperty('fallback');
  });
});

describe('interpretInitialize', () => {
  it('when initialize answers, then the server is legacy with the negotiated version', () => {
    const r = result(2, { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'old', version: '0.1' } });
    expect(interpretInitialize(answer(200, r), 'HTTP 400')).toEqual({ ok: true, method: 'initialize', name: 'old', version: '0.1', protocolVersions: ['2025-06-18'] });
  });

  it('when initialize gets a JSON-RPC error, then ProbeFailed carries it', () => {
    expect(interpretInitialize(answer(503, error(2, -32002, 'MCP server unavailable')), 'HTTP 503')).toEqual({
      ok: false,
      reason: 'ProbeFailed',
      message: 'initialize: HTTP 503: -32002 MCP server unavailable',
    });
  });

  it('when neither answer is JSON-RPC, then it is NotAnMcpServer with both answers described', () => {
    expect(interpretInitialize(answer(200, undefined, '<html>', 'text/html'), 'HTTP 200 (text/html): <html>')).toEqual({
      ok: false,
      reason: 'NotAnMcpServer',
      message: 'no JSON-RPC answer to server/discover (HTTP 200 (text/html): <html>) nor to initialize (HTTP 200 (text/html): <html>)',
    });
  });
});
