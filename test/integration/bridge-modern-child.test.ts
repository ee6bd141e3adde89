// A 2026-07-28 stdio server behind the bridge (SDK v2, serveStdio): the bridge asks each process it
// starts for modern traffic server/discover first, passes modern requests through as they are (the
// child gets the client's own envelope), and upgrades 2025-era sessions for it in shared mode (in
// per-session mode a session's own process is pinned to 2025 by the client's initialize).
import { join } from 'node:path';
import type { RunningBridge } from '../../bridge/bridge.js';
import { ROOT, bridgeFor, modernPost, streamableClient, textOf } from './bridge-harness.js';

const MODERN_CHILD = ['node', join(ROOT, 'test/integration/fixtures/modern-echo-server.mjs')];

async function result(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? '{}');
  return (JSON.parse(json) as { result: Record<string, unknown> }).result;
}

/** Reads SSE events from a streaming response until `until` returns true for one of them. */
async function readEvents(res: Response, until: (events: Record<string, unknown>[]) => boolean): Promise<Record<string, unknown>[]> {
  const reader = res.body?.getReader();
  if (reader === undefined) throw new Error('no body');
  const events: Record<string, unknown>[] = [];
  let buffer = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += Buffer.from(value).toString('utf8');
    let end;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
      buffer = buffer.slice(end + 2);
      if (data !== undefined) events.push(JSON.parse(data) as Record<string, unknown>);
    }
  }
  await reader.cancel();
  return events;
}

describe.each(['per-session', 'shared'])('a 2026-07-28 stdio server behind the bridge (%s mode)', (mode) => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(MODERN_CHILD, ['--session-mode', mode]);
  });
  afterAll(async () => {
    await bridge.close(1000);
  });

  it('when a modern client discovers it, then the answer is the child\'s own identity with the versions the bridge serves', async () => {
    const discovered = await result(await modernPost(bridge.url, 1, 'server/discover'));
    expect(discovered.supportedVersions).toEqual(expect.arrayContaining(['2026-07-28', '2025-11-25']));
    expect(discovered._meta).toEqual({ 'io.modelcontextprotocol/serverInfo': { name: 'modern-echo', version: '2.4.0' } });
  });

  it('when a modern client calls a tool, then the child gets the client\'s own envelope (capabilities, log level), not a downgraded request', async () => {
    const r = await result(await modernPost(bridge.url, 2, 'tools/call', { name: 'envelope', arguments: {} }, { capabilities: { sampling: {} }, meta: { 'io.modelcontextprotocol/logLevel': 'warning' } }));
    const seen = JSON.parse(textOf(r)) as Record<string, unknown>;
    expect(seen).toEqual({
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': { sampling: {} },
      'io.modelcontextprotocol/clientInfo': { name: 'raw-modern', version: '1' },
      'io.modelcontextprotocol/logLevel': 'warning',
    });
    expect(textOf(await result(await modernPost(bridge.url, 3, 'tools/call', { name: 'echo', arguments: { message: 'through' } })))).toBe('through');
  });

  it('when a 2025-era client (SDK v1) connects, then it lists and calls the child\'s tools', async () => {
    const { client } = await streamableClient(bridge.url);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'whoami']));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'from 2025' } }))).toBe('from 2025');
    await client.close();
  });

  it('when a modern client listens for tool changes and a tool is added, then the stream carries tools/list_changed tagged with its own request id', async () => {
    const listening = await modernPost(bridge.url, 'listen-1', 'subscriptions/listen', { notifications: { toolsListChanged: true } });
    expect(listening.headers.get('content-type')).toMatch(/text\/event-stream/);
    if (mode === 'per-session') {
      // The listen request holds one worker for its life, and a modern server's list is its own
      // process's: a change made through another worker is not that process's change. Only the
      // acknowledgement is the bridge's business here.
      const [ack] = await readEvents(listening, (seen) => seen.length > 0);
      expect(ack).toMatchObject({ method: 'notifications/subscriptions/acknowledged', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' } } });
      return;
    }
    const events = readEvents(listening, (seen) => seen.some((e) => e.method === 'notifications/tools/list_changed'));
    expect(textOf(await result(await modernPost(bridge.url, 4, 'tools/call', { name: 'change_tools', arguments: {} })))).toMatch(/^added/);
    const seen = await events;
    expect(seen[0]).toMatchObject({ method: 'notifications/subscriptions/acknowledged', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' } } });
    expect(seen.find((e) => e.method === 'notifications/tools/list_changed')).toMatchObject({ params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' } } });
  });
});
