// The bridge in front of real stdio servers, driven by the official SDK client over Streamable HTTP.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMessageRequestSchema, ListRootsRequestSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { RunningBridge } from '../../bridge/bridge.js';
import { EVERYTHING, FILESYSTEM, FIXTURE, JSON_HEADERS, MEMORY, bridgeFor, streamableClient, textOf } from './bridge-harness.js';

describe('Streamable HTTP with the SDK client', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, [], { FIXTURE_TAG: 'tagged' });
  });
  afterAll(() => bridge.close(0));

  it('when a client connects, then it can list tools and call one', async () => {
    const { client } = await streamableClient(bridge.url);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'crash', 'test_simple_text']));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hello' } }))).toBe('hello');
    await client.close();
  });

  it('when two clients connect, then each session has its own server process', async () => {
    const a = await streamableClient(bridge.url);
    const b = await streamableClient(bridge.url);
    const whoA = JSON.parse(textOf(await a.client.callTool({ name: 'whoami', arguments: {} }))) as { pid: number };
    const whoB = JSON.parse(textOf(await b.client.callTool({ name: 'whoami', arguments: {} }))) as { pid: number };
    expect(whoA.pid).not.toBe(whoB.pid);
    expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
    await Promise.all([a.client.close(), b.client.close()]);
  });

  it('when the bridge was given --pass-env, then the server sees it; other variables stay out', async () => {
    const { client } = await streamableClient(bridge.url);
    // bridgeFor passes FIXTURE_TAG in the bridge's environment but no --pass-env: not inherited.
    expect(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })))).toMatchObject({ tag: null });
    await client.close();
    const passing = await bridgeFor(FIXTURE, ['--pass-env', 'FIXTURE_TAG'], { FIXTURE_TAG: 'tagged' });
    const other = await streamableClient(passing.url);
    expect(JSON.parse(textOf(await other.client.callTool({ name: 'whoami', arguments: {} })))).toMatchObject({ tag: 'tagged' });
    await other.client.close();
    await passing.close(0);
  });

  it('when a call reports progress, then every notification reaches that call with its own token', async () => {
    const { client } = await streamableClient(bridge.url);
    const seen: number[] = [];
    const result = await client.callTool({ name: 'progress', arguments: { steps: 5, ms: 5 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(textOf(result)).toBe('done 5');
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    await client.close();
  });

  it('when the server sends list_changed, then the client is notified', async () => {
    const { client } = await streamableClient(bridge.url);
    const notified = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    await client.callTool({ name: 'list_changed', arguments: {} });
    await notified;
    await client.close();
  });

  it('when the server asks the client for sampling and roots, then the client answers through the bridge', async () => {
    const { client } = await streamableClient(bridge.url, { capabilities: { sampling: {}, roots: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant', content: { type: 'text', text: 'sampled!' }, model: 'test-model' }));
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///tmp', name: 'tmp' }] }));
    expect(textOf(await client.callTool({ name: 'ask_sampling', arguments: { prompt: 'hi' } }))).toContain('sampled!');
    expect(textOf(await client.callTool({ name: 'ask_roots', arguments: {} }))).toContain('file:///tmp');
    await client.close();
  });

  it('when many calls are in flight on one session at once, then each gets its own answer', async () => {
    const { client } = await streamableClient(bridge.url);
    const messages = Array.from({ length: 50 }, (_, i) => `m${i}`);
    const answers = await Promise.all(messages.map((message) => client.callTool({ name: 'echo', arguments: { message } })));
    expect(answers.map(textOf)).toEqual(messages);
    await client.close();
  });

  it('when the client terminates its session, then the session and its process are gone', async () => {
    const { client, transport } = await streamableClient(bridge.url);
    const sessionId = transport.sessionId ?? '';
    const before = bridge.hub.size;
    await transport.terminateSession();
    expect(bridge.hub.size).toBe(before - 1);
    const res = await fetch(bridge.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: -32001 } });
    await client.close();
  });
});

describe('real MCP servers from npm behind the bridge', () => {
  it('when server-everything runs behind it, then its tools work', async () => {
    const bridge = await bridgeFor(EVERYTHING);
    const { client } = await streamableClient(bridge.url);
    expect(textOf(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } }))).toContain('42');
    const seen: number[] = [];
    await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 2 } }, undefined, { onprogress: (p) => seen.push(p.progress) });
    expect(seen.length).toBeGreaterThanOrEqual(1);
    await client.close();
    await bridge.close(0);
  });

  it('when server-filesystem runs behind it, then a file written through it is really on disk and reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-fs-'));
    const bridge = await bridgeFor(FILESYSTEM(dir));
    const { client } = await streamableClient(bridge.url);
    const path = join(dir, 'note.txt');
    await client.callTool({ name: 'write_file', arguments: { path, content: 'written via the bridge' } });
    expect(readFileSync(path, 'utf8')).toBe('written via the bridge');
    expect(textOf(await client.callTool({ name: 'read_text_file', arguments: { path } }))).toContain('written via the bridge');
    await client.close();
    await bridge.close(0);
  });

  it('when server-memory runs behind it, then an entity stored is found again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-mem-'));
    const bridge = await bridgeFor(MEMORY, ['--env', `MEMORY_FILE_PATH=${join(dir, 'memory.jsonl')}`]);
    const { client } = await streamableClient(bridge.url);
    await client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }] } });
    expect(textOf(await client.callTool({ name: 'search_nodes', arguments: { query: 'Ada' } }))).toContain('first program');
    await client.close();
    await bridge.close(0);
  });
});

describe('health and metrics', () => {
  it('when the bridge is asked for its readiness, then it reports sessions', async () => {
    const bridge = await bridgeFor(FIXTURE);
    const res = await fetch(bridge.url.replace('/mcp', '/readyz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ready: true, sessions: 0 });
    await bridge.close(0);
  });
  it('when a session is opened, then /metrics counts it', async () => {
    const bridge = await bridgeFor(FIXTURE);
    const { client } = await streamableClient(bridge.url);
    await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    const text = await (await fetch(bridge.url.replace('/mcp', '/metrics'))).text();
    expect(text).toMatch(/mcp_bridge_sessions_created_total\{transport="streamable-http"\} 1/);
    expect(text).toMatch(/mcp_bridge_messages_total\{direction="to_server",method="tools\/call"\} 1/);
    expect(text).toMatch(/mcp_bridge_request_duration_seconds_count\{method="tools\/call"\} 1/);
    await client.close();
    await bridge.close(0);
  });
});
