import type { Identity } from '../auth/identity.js';
import { filterToolList, gateRequest, IDENTITY_META_KEY, TOOL_DENIED_CODE } from './request-gate.js';
import { RateLimiter } from './rate-limit.js';
import { ToolPolicy, globToRegExp, parseScopeRule } from './tool-policy.js';

const who = (...scopes: string[]): Identity => ({ subject: 'alice', clientId: 'app', scopes: new Set(scopes) });

describe('tool policy', () => {
  it('when a glob has * and ?, then it matches whole names only and everything else literally', () => {
    expect(globToRegExp('write_*').test('write_file')).toBe(true);
    expect(globToRegExp('write_*').test('rewrite_file')).toBe(false);
    expect(globToRegExp('get?').test('gets')).toBe(true);
    expect(globToRegExp('get?').test('get')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('(x)+').test('(x)+')).toBe(true);
  });

  it('when a tool is both allowed and denied, then deny wins', () => {
    const policy = new ToolPolicy({ allow: ['*_file'], deny: ['write_*'], scopeRules: [] });
    expect(policy.decide('read_file', undefined)).toEqual({ ok: true });
    expect(policy.decide('write_file', undefined)).toEqual({ ok: false, reason: 'policy', detail: 'denied by --tools-deny write_*' });
    expect(policy.decide('echo', undefined)).toEqual({ ok: false, reason: 'policy', detail: 'not in --tools-allow' });
  });

  it('when scope rules match a tool, then every matching rule\'s scope is needed', () => {
    const policy = new ToolPolicy({ allow: [], deny: [], scopeRules: ['write_*=files:write', '*=mcp:use'].map(parseScopeRule) });
    expect(policy.decide('write_file', who('mcp:use'))).toEqual({ ok: false, reason: 'scope', scopes: ['files:write'] });
    expect(policy.decide('write_file', who('mcp:use', 'files:write'))).toEqual({ ok: true });
    expect(policy.decide('read_file', undefined)).toEqual({ ok: false, reason: 'scope', scopes: ['mcp:use'] });
    expect(policy.perCaller).toBe(true);
    expect(policy.scopes).toEqual(['files:write', 'mcp:use']);
  });
});

describe('request gate', () => {
  const policy = new ToolPolicy({ allow: [], deny: ['secret*'], scopeRules: [parseScopeRule('write_*=files:write')] });

  it('when a hidden tool is called, then the answer is -32602 naming the policy and nothing is sent on', () => {
    const result = gateRequest({ policy, forwardIdentity: false }, { identity: who(), address: '10.0.0.1' }, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'secret_dump' } });
    expect(result).toEqual({ kind: 'refuse', response: { jsonrpc: '2.0', id: 4, error: { code: TOOL_DENIED_CODE, message: expect.stringContaining('--tools-deny secret*') as string } } });
  });

  it('when a tool needs a scope the caller lacks, then the answer is a step-up naming it', () => {
    const result = gateRequest({ policy, forwardIdentity: false }, { identity: who(), address: '10.0.0.1' }, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'write_file' } });
    expect(result).toEqual({ kind: 'step-up', scopes: ['files:write'] });
  });

  it('when a list comes back, then only the caller\'s tools remain and a public cache scope becomes private', () => {
    const response = { jsonrpc: '2.0' as const, id: 1, result: { tools: [{ name: 'write_file' }, { name: 'secret_x' }, { name: 'echo' }], cacheScope: 'public', ttlMs: 0 } };
    expect(filterToolList(response, policy, who())).toEqual({ ...response, result: { tools: [{ name: 'echo' }], cacheScope: 'private', ttlMs: 0 } });
    expect(filterToolList(response, policy, who('files:write'))).toMatchObject({ result: { tools: [{ name: 'write_file' }, { name: 'echo' }] } });
  });

  it('when a client plants the identity key, then it is removed; with forwarding, the validated caller replaces it', () => {
    const planted = { jsonrpc: '2.0' as const, id: 1, method: 'tools/call', params: { name: 'echo', _meta: { [IDENTITY_META_KEY]: { sub: 'root' }, progressToken: 3 } } };
    const off = gateRequest({ policy, forwardIdentity: false }, { identity: who('a'), address: '10.0.0.1' }, planted);
    expect(off.kind === 'pass' ? off.request.params?._meta : undefined).toEqual({ progressToken: 3 });
    const on = gateRequest({ policy, forwardIdentity: true }, { identity: who('a'), address: '10.0.0.1' }, planted);
    expect(on.kind === 'pass' ? on.request.params?._meta : undefined).toEqual({ progressToken: 3, [IDENTITY_META_KEY]: { sub: 'alice', client_id: 'app', scopes: ['a'] } });
  });

  it('when a caller is over its rate for a tool, then the call is throttled; other callers, tools and MRTR retries are not', () => {
    let now = 0;
    const gate = { policy, forwardIdentity: false, rateLimiter: new RateLimiter({ perSecond: 1, burst: 1 }, () => now) };
    const call = (name: string, extra: Record<string, unknown> = {}) => ({ jsonrpc: '2.0' as const, id: 1, method: 'tools/call', params: { name, ...extra } });
    const alice = { identity: who(), address: '10.0.0.1' };
    const anon = { identity: undefined, address: '10.0.0.1' };
    expect(gateRequest(gate, alice, call('echo')).kind).toBe('pass');
    expect(gateRequest(gate, alice, call('echo'))).toMatchObject({ kind: 'throttle', retryAfterSeconds: 1 });
    expect(gateRequest(gate, alice, call('echo', { requestState: 'round-2' })).kind).toBe('pass');
    expect(gateRequest(gate, alice, call('add')).kind).toBe('pass');
    // Same address, no token: another subject (the address), its own bucket.
    expect(gateRequest(gate, anon, call('echo')).kind).toBe('pass');
    now = 1000;
    expect(gateRequest(gate, alice, call('echo')).kind).toBe('pass');
    // A hidden tool is refused by the policy before it is counted.
    expect(gateRequest(gate, alice, call('secret_x')).kind).toBe('refuse');
  });
});
