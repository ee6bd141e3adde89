import { checkVersion, classifyPost, decodeHeaderValue, readEnvelope, stripEnvelope, validateStandardHeaders } from './envelope.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': { sampling: {} },
  'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' },
};
const call = (name: string) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {}, _meta: META } });
const headers = (over: Partial<{ protocolVersion: string; method: string; name: string }> = {}) => ({ protocolVersion: '2026-07-28', method: 'tools/call', name: 'echo', ...over });

describe('era classification (the SDK classifier)', () => {
  it('when the body carries the modern envelope, then it is a modern request, even with a session header elsewhere', () => {
    const era = classifyPost(headers(), call('echo'));
    expect(era.kind).toBe('modern-request');
    if (era.kind === 'modern-request') expect(era.version).toBe('2026-07-28');
  });

  it('when the body is initialize without an envelope, then it is legacy', () => {
    expect(classifyPost({ protocolVersion: undefined, method: undefined, name: undefined }, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }).kind).toBe('legacy');
  });

  it('when the MCP-Protocol-Version header contradicts the body envelope, then it is refused with 400 -32020', () => {
    const era = classifyPost(headers({ protocolVersion: '2025-11-25' }), call('echo'));
    expect(era).toMatchObject({ kind: 'refused', refusal: { status: 400, code: -32020 } });
  });

  it('when Mcp-Method contradicts the body, then it is refused with 400 -32020', () => {
    expect(classifyPost(headers({ method: 'tools/list' }), call('echo'))).toMatchObject({ kind: 'refused', refusal: { status: 400, code: -32020 } });
  });
});

describe('the standard-header presence rung', () => {
  const request = call('echo') as unknown as Parameters<typeof validateStandardHeaders>[1];

  it('when the headers mirror the body, then nothing is refused', () => {
    expect(validateStandardHeaders(headers(), request)).toBeUndefined();
  });

  it.each([
    ['MCP-Protocol-Version missing', { protocolVersion: undefined }],
    ['Mcp-Method missing', { method: undefined }],
    ['Mcp-Name missing on tools/call', { name: undefined }],
    ['Mcp-Name naming another tool', { name: 'other' }],
    ['Mcp-Name with a malformed base64 sentinel', { name: '=?base64?@@@?=' }],
  ])('when %s, then 400 -32020', (_what, over) => {
    expect(validateStandardHeaders({ ...headers(), ...over }, request)).toMatchObject({ status: 400, code: -32020 });
  });

  it('when a non-ASCII tool name is carried base64-encoded, then it matches the body', () => {
    const name = 'héllo 世界';
    const encoded = `=?base64?${Buffer.from(name).toString('base64')}?=`;
    expect(validateStandardHeaders(headers({ name: encoded }), call(name) as never)).toBeUndefined();
    expect(validateStandardHeaders(headers({ name: `=?base64?${Buffer.from('other').toString('base64')}?=` }), call(name) as never)).toMatchObject({ code: -32020 });
  });

  it('when a method names nothing (tools/list), then Mcp-Name is not required', () => {
    expect(validateStandardHeaders({ protocolVersion: '2026-07-28', method: 'tools/list', name: undefined }, { jsonrpc: '2.0', id: 2, method: 'tools/list' })).toBeUndefined();
  });
});

describe('header value decoding', () => {
  it('when a value is plain, then it is itself; when it is the sentinel, then it is decoded', () => {
    expect(decodeHeaderValue('echo')).toBe('echo');
    expect(decodeHeaderValue('=?base64?SGVsbG8sIOS4lueVjA==?=')).toBe('Hello, 世界');
    expect(decodeHeaderValue('=?base64?not base64?=')).toBeUndefined();
  });
});

describe('version check', () => {
  it('when the version is modern, then it passes; otherwise -32022 lists what is served', () => {
    expect(checkVersion('2026-07-28', ['2025-11-25'])).toBeUndefined();
    expect(checkVersion('1900-01-01', ['2025-11-25'])).toEqual(expect.objectContaining({ status: 400, code: -32022, data: { supported: ['2026-07-28', '2025-11-25'], requested: '1900-01-01' } }));
  });
});

describe('the envelope', () => {
  it('when read, then version, capabilities, clientInfo and log level come out; an unknown level is ignored', () => {
    const env = readEnvelope({ _meta: { ...META, 'io.modelcontextprotocol/logLevel': 'warning' } });
    expect(env).toEqual({ version: '2026-07-28', capabilities: { sampling: {} }, clientInfo: { name: 'c', version: '1' }, logLevel: 'warning' });
    expect(readEnvelope({ _meta: { ...META, 'io.modelcontextprotocol/logLevel': 'loud' } }).logLevel).toBeUndefined();
  });

  it('when stripped for a legacy server, then reserved keys and MRTR fields go, progressToken and traceparent stay', () => {
    const params = { name: 'x', inputResponses: { a: {} }, requestState: 's', _meta: { ...META, progressToken: 7, traceparent: '00-abc-def-01' } };
    expect(stripEnvelope(params)).toEqual({ name: 'x', _meta: { progressToken: 7, traceparent: '00-abc-def-01' } });
    expect(stripEnvelope({ _meta: META })).toEqual({});
  });
});
