// The tool policy (--tools-deny, --tool-scopes) and --forward-identity with real OAuth tokens, in both
// session modes, both eras and legacy SSE: each caller sees and calls only its tools, even when one
// shared process serves an allowed and a restricted caller at once.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, bridgeFor, modernPost, textOf } from './bridge-harness.js';
import { startIssuer, type Issuer } from './oidc-issuer.js';

const POLICY = ['--oauth-scopes', 'mcp:use', '--tools-deny', 'crash,huge_*', '--tool-scopes', 'whoami=files:write'];
const base = (bridge: RunningBridge): string => bridge.url.replace(/\/mcp$/, '');

async function streamable(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'policy-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

async function sse(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'policy-test-sse', version: '1.0.0' });
  const withToken = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), authorization: `Bearer ${token}` } });
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  await client.connect(new SSEClientTransport(new URL(url), { eventSourceInit: { fetch: withToken }, requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

const names = async (client: Client): Promise<string[]> => (await client.listTools()).tools.map((t) => t.name);

describe.each(['per-session', 'shared'])('tool policy, %s mode', (mode) => {
  let issuer: Issuer;
  let bridge: RunningBridge;
  let reader: string;
  let full: string;
  beforeAll(async () => {
    issuer = await startIssuer();
    bridge = await bridgeFor(FIXTURE, ['--session-mode', mode, '--oauth-issuer', issuer.url, ...POLICY]);
    [reader, full] = await Promise.all([issuer.token('reader', base(bridge)), issuer.token('full', base(bridge))]);
  });
  afterAll(async () => {
    await bridge.close(0);
    await issuer.close();
  });

  it('when a restricted and a fully scoped client list tools at once, then each sees its own list', async () => {
    const [a, b] = await Promise.all([streamable(bridge.url, reader), streamable(bridge.url, full)]);
    const [listA, listB] = await Promise.all([names(a), names(b)]);
    expect(listA).toContain('echo');
    expect(listA).not.toContain('whoami');
    expect(listB).toContain('whoami');
    for (const list of [listA, listB]) expect(list.filter((n) => n === 'crash' || n.startsWith('huge_'))).toEqual([]);
    expect(textOf(await b.callTool({ name: 'whoami', arguments: {} }))).toContain('pid');
    await Promise.all([a.close(), b.close()]);
  });

  it('when a denied tool is called, then -32602 names the policy and the server never sees it', async () => {
    const client = await streamable(bridge.url, full);
    await expect(client.callTool({ name: 'crash', arguments: {} })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('--tools-deny crash') as string });
    // The process is still there: the crash never reached it.
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'alive' } }))).toBe('alive');
    await client.close();
  });

  it('when a tool needs a scope the token lacks, then 403 insufficient_scope names all the scopes to ask for', async () => {
    const client = await streamable(bridge.url, reader);
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toMatchObject({ code: 403 });
    await client.close();
    const res = await modernPost(bridge.url, 1, 'tools/call', { name: 'whoami', arguments: {} }, { headers: { authorization: `Bearer ${reader}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${base(bridge)}/.well-known/oauth-protected-resource", scope="mcp:use files:write", error="insufficient_scope"`);
  });

  it('when 2026-07-28 requests list and call, then the list is filtered and marked private, a denied call gets -32602', async () => {
    const list = (await (await modernPost(bridge.url, 1, 'tools/list', {}, { headers: { authorization: `Bearer ${reader}` } })).json()) as { result: { tools: { name: string }[]; cacheScope: string } };
    const listed = list.result.tools.map((t) => t.name);
    expect(listed).toContain('echo');
    expect(listed).not.toContain('whoami');
    expect(listed).not.toContain('crash');
    expect(list.result.cacheScope).toBe('private');
    const call = await modernPost(bridge.url, 2, 'tools/call', { name: 'crash', arguments: {} }, { headers: { authorization: `Bearer ${full}` } });
    expect(call.status).toBe(200);
    expect(await call.json()).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: expect.stringContaining('bridge tool policy') as string } });
  });

  it('when legacy SSE clients list and call, then the same policy applies', async () => {
    const client = await sse(`${base(bridge)}/sse`, reader);
    const listed = await names(client);
    expect(listed).toContain('echo');
    expect(listed).not.toContain('whoami');
    await expect(client.callTool({ name: 'crash', arguments: {} })).rejects.toMatchObject({ code: -32602 });
    await client.close();
  });

  it('when a client plants the identity _meta key without --forward-identity, then the server never sees it', async () => {
    const client = await streamable(bridge.url, full);
    const seen = textOf(await client.callTool({ name: 'request_meta', arguments: {}, _meta: { 'dev.mcp-sidecar/identity': { sub: 'root' } } }));
    expect(seen).not.toContain('dev.mcp-sidecar/identity');
    await client.close();
  });
});

describe('--forward-identity', () => {
  let issuer: Issuer;
  let bridge: RunningBridge;
  beforeAll(async () => {
    issuer = await startIssuer();
    bridge = await bridgeFor(FIXTURE, ['--session-mode', 'shared', '--oauth-issuer', issuer.url, '--forward-identity']);
  });
  afterAll(async () => {
    await bridge.close(0);
    await issuer.close();
  });

  it('when on, then each request carries the validated caller in _meta, not what the client claimed', async () => {
    const client = await streamable(bridge.url, await issuer.token('reader', base(bridge)));
    const seen = JSON.parse(textOf(await client.callTool({ name: 'request_meta', arguments: {}, _meta: { 'dev.mcp-sidecar/identity': { sub: 'root' } } }))) as Record<string, unknown>;
    expect(seen['dev.mcp-sidecar/identity']).toEqual({ sub: 'reader', client_id: 'reader', scopes: ['mcp:use'] });
    const modern = (await (await modernPost(bridge.url, 3, 'tools/call', { name: 'request_meta', arguments: {} }, { headers: { authorization: `Bearer ${await issuer.token('full', base(bridge))}` } })).json()) as { result: unknown };
    expect(JSON.parse(textOf(modern.result))).toMatchObject({ 'dev.mcp-sidecar/identity': { sub: 'full', client_id: 'full', scopes: ['mcp:use', 'files:write'] } });
    await client.close();
  });
});

// --rate-limit 2/h: two calls per caller and tool, then 429 until a token is back (far beyond the test).
describe.each(['per-session', 'shared'])('--rate-limit, %s mode', (mode) => {
  let issuer: Issuer;
  let bridge: RunningBridge;
  beforeAll(async () => {
    issuer = await startIssuer();
    bridge = await bridgeFor(FIXTURE, ['--session-mode', mode, '--oauth-issuer', issuer.url, '--rate-limit', '2/h']);
  });
  afterAll(async () => {
    await bridge.close(0);
    await issuer.close();
  });

  it('when a 2025-era client calls a tool a third time, then 429 with Retry-After refuses it; another tool and another caller still work', async () => {
    const [reader, full] = await Promise.all([issuer.token('reader', base(bridge)), issuer.token('full', base(bridge))]);
    const client = await streamable(bridge.url, reader);
    for (let i = 0; i < 2; i++) expect(textOf(await client.callTool({ name: 'echo', arguments: { message: `n${String(i)}` } }))).toBe(`n${String(i)}`);
    await expect(client.callTool({ name: 'echo', arguments: { message: 'n2' } })).rejects.toMatchObject({ code: 429 });
    expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toContain('pid');
    await client.close();
    const other = await streamable(bridge.url, full);
    expect(textOf(await other.callTool({ name: 'echo', arguments: { message: 'other' } }))).toBe('other');
    await other.close();
    const metrics = await (await fetch(`${base(bridge)}/metrics`)).text();
    expect(metrics).toMatch(/^mcp_bridge_rate_limited_total [1-9]/m);
  });

  it('when a 2026-07-28 caller is over its rate, then the answer is 429, Retry-After and JSON-RPC error -32029', async () => {
    const token = await issuer.token('writeOnly', base(bridge));
    const call = (id: number) => modernPost(bridge.url, id, 'tools/call', { name: 'echo', arguments: { message: 'm' } }, { headers: { authorization: `Bearer ${token}` } });
    expect((await call(1)).status).toBe(200);
    expect((await call(2)).status).toBe(200);
    const refused = await call(3);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32029, message: expect.stringContaining('--rate-limit') as string } });
  });

  it('when a legacy SSE client is over its rate, then its POST is refused and nothing reaches the server', async () => {
    // "full" has not called whoami yet (each caller and tool has its own bucket).
    const client = await sse(`${base(bridge)}/sse`, await issuer.token('full', base(bridge)));
    for (let i = 0; i < 2; i++) expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toContain('pid');
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(/429|Too Many Requests/);
    await client.close();
  });
});

// Prompts by name, resources by URI: the same allow/deny semantics for every caller, both eras, legacy SSE.
describe.each(['per-session', 'shared'])('--prompts-deny and --resources-deny, %s mode', (mode) => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--session-mode', mode, '--prompts-deny', 'test_prompt_with_*', '--resources-allow', 'test://static-*', '--resources-deny', 'test://static-binary']);
  });
  afterAll(async () => {
    await bridge.close(0);
  });

  it('when a 2025-era client lists and uses prompts and resources, then hidden ones are absent and refused with the spec codes', async () => {
    const client = new Client({ name: 'policy-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(bridge.url)));
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toContain('test_simple_prompt');
    expect(prompts.filter((n) => n.startsWith('test_prompt_with_'))).toEqual([]);
    await expect(client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'a', arg2: 'b' } })).rejects.toMatchObject({ code: -32602 });
    expect((await client.getPrompt({ name: 'test_simple_prompt' })).messages.length).toBeGreaterThan(0);
    const resources = (await client.listResources()).resources.map((r) => r.uri);
    expect(resources).toEqual(['test://static-text']);
    await expect(client.readResource({ uri: 'test://static-binary' })).rejects.toMatchObject({ code: -32002 });
    await expect(client.readResource({ uri: 'test://watched-resource' })).rejects.toMatchObject({ code: -32002 });
    await expect(client.subscribeResource({ uri: 'test://watched-resource' })).rejects.toMatchObject({ code: -32002 });
    expect(JSON.stringify(await client.readResource({ uri: 'test://static-text' }))).toContain('test://static-text');
    await client.close();
  });

  it('when 2026-07-28 requests list and read, then the same policy applies', async () => {
    const list = (await (await modernPost(bridge.url, 1, 'resources/list', {})).json()) as { result: { resources: { uri: string }[] } };
    expect(list.result.resources.map((r) => r.uri)).toEqual(['test://static-text']);
    const read = (await (await modernPost(bridge.url, 2, 'resources/read', { uri: 'test://static-binary' })).json()) as { error?: { code: number; message: string } };
    expect(read.error).toMatchObject({ code: -32002, message: expect.stringContaining('--resources-deny test://static-binary') as string });
    const get = (await (await modernPost(bridge.url, 3, 'prompts/get', { name: 'test_prompt_with_image' })).json()) as { error?: { code: number } };
    expect(get.error?.code).toBe(-32602);
  });

  it('when a legacy SSE client reads a hidden resource, then it is refused on the stream', async () => {
    const client = new Client({ name: 'policy-test-sse', version: '1.0.0' });
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    await client.connect(new SSEClientTransport(new URL(`${base(bridge)}/sse`)));
    await expect(client.readResource({ uri: 'test://static-binary' })).rejects.toMatchObject({ code: -32002 });
    expect((await client.listPrompts()).prompts.map((p) => p.name)).not.toContain('test_prompt_with_image');
    await client.close();
  });
});
