// A modern (2026-07-28) stdio child behind the bridge: test/fixtures/modern-server.mjs (SDK v2). docs/design.md
// §4b: new children are probed with server/discover; a modern child gets modern requests as they are
// (its own input_required, requestState keys, log levels, subscriptions), and 2025-era clients are
// upgraded for it (the child stays on 2026-07-28; its input_required becomes a server-to-client request
// to the 2025 client). Both session modes.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/client';
import type { RunningBridge } from '../../bridge/bridge.js';
import { ROOT, bridgeFor, streamableClient, textOf, until } from './bridge-harness.js';
import { LOG_LEVEL_KEY, MODERN, SERVER_INFO_KEY, SUBSCRIPTION_ID_KEY, envelope, modernClient, modernPost, openStream, pythonClient, textOfResult } from './modern-clients.js';

const MODERN_CHILD = ['node', join(ROOT, 'test/fixtures/modern-server.mjs')];
const MODES = [['per-session'], ['shared']] as const;

describe.each(MODES)('a 2026-07-28 stdio child behind the bridge, %s mode', (mode) => {
  let bridge: RunningBridge;
  let eventsFile: string;
  const clients: Client[] = [];
  beforeAll(async () => {
    eventsFile = join(mkdtempSync(join(tmpdir(), 'modern-child-')), 'events.jsonl');
    bridge = await bridgeFor(MODERN_CHILD, ['--session-mode', mode, '--env', `FIXTURE_EVENTS_FILE=${eventsFile}`]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => bridge.close(0));
  const connect = async (capabilities: Record<string, unknown> = {}): Promise<Client> => {
    const client = await modernClient(bridge.url, { capabilities });
    clients.push(client);
    return client;
  };
  const childEvents = (): { event: string; ms: number; requestId: unknown; pid: number }[] =>
    existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; ms: number; requestId: unknown; pid: number }) : [];

  it('when a v2 client connects, then server/discover shows the child itself and its calls are served on 2026-07-28', async () => {
    const client = await connect();
    expect(client.getDiscoverResult()?._meta?.[SERVER_INFO_KEY]).toMatchObject({ name: 'mcp-sidecar-modern-fixture' });
    const sum = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    expect(sum.structuredContent).toEqual({ sum: 3 });
    expect(JSON.parse(textOfResult(await client.callTool({ name: 'whoami', arguments: {} })))).toMatchObject({ era: 'modern' });
  });

  it("when the child answers input_required, then it reaches the client as the child's own (its keys), and the retry completes", async () => {
    const first = await modernPost(bridge.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask_elicitation', arguments: { message: 'child asks' }, _meta: envelope({ elicitation: {} }) } });
    const result = first.body?.result as { resultType: string; inputRequests: Record<string, { method: string }>; requestState: string };
    expect(result.resultType).toBe('input_required');
    const keys = Object.keys(result.inputRequests);
    // Retry first (whatever the key), so no call is left waiting on the child when an expectation fails.
    const done = await modernPost(bridge.url, {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'ask_elicitation', arguments: { message: 'child asks' }, inputResponses: { [keys[0] ?? '']: { action: 'accept', content: { answer: 'yes' } } }, requestState: result.requestState, _meta: envelope({ elicitation: {} }) },
    });
    expect(keys).toEqual(['answer']);
    expect(textOfResult(done.body?.result)).toBe('elicited: accept {"answer":"yes"}');
  });

  it('when a v2 client with handlers calls tools that need sampling and elicitation, then its handlers answer and the tools complete', async () => {
    const client = await connect({ sampling: {}, elicitation: {} });
    client.setRequestHandler('sampling/createMessage', () => ({ role: 'assistant', content: { type: 'text', text: 'v2 sampled' }, model: 'm', stopReason: 'endTurn' }));
    client.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { answer: 'v2 elicited' } }));
    expect(textOfResult(await client.callTool({ name: 'ask_sampling', arguments: {} }))).toBe('sampled: v2 sampled');
    expect(textOfResult(await client.callTool({ name: 'ask_elicitation', arguments: {} }))).toBe('elicited: accept {"answer":"v2 elicited"}');
  });

  it('when calls set log levels, then the child logs at or above them reach the caller; without a level none', async () => {
    const client = await connect();
    const logs: string[] = [];
    client.setNotificationHandler('notifications/message', (n) => {
      logs.push(String(n.params.data));
    });
    await client.callTool({ name: 'progress_and_log', arguments: { steps: 1, ms: 10 }, _meta: { [LOG_LEVEL_KEY]: 'warning' } });
    expect(logs).toEqual(['warning 1', 'error 1']);
    logs.length = 0;
    await client.callTool({ name: 'progress_and_log', arguments: { steps: 1, ms: 10 } });
    expect(logs).toEqual([]);
  });

  it('when a client listens and the child changes its tools, then list_changed arrives tagged with the client listen id', async () => {
    const stream = await openStream(bridge.url, { jsonrpc: '2.0', id: 'child-sub', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: envelope() } });
    try {
      const ack = await stream.next('the acknowledgement', () => true);
      expect(ack).toMatchObject({ method: 'notifications/subscriptions/acknowledged', params: { _meta: { [SUBSCRIPTION_ID_KEY]: 'child-sub' } } });
      await modernPost(bridge.url, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'add_tool', arguments: { name: `added_${mode.replace('-', '_')}` }, _meta: envelope() } });
      const changed = await stream.next('list_changed', (e) => e.method === 'notifications/tools/list_changed');
      expect(changed.params?._meta).toMatchObject({ [SUBSCRIPTION_ID_KEY]: 'child-sub' });
    } finally {
      stream.close();
    }
  });

  it('when the client closes the response stream of a call, then the child gets notifications/cancelled for it', async () => {
    const client = await connect();
    const abort = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { ms: 30_000 } }, { signal: abort.signal });
    await until('the child started the call', () => childEvents().some((e) => e.event === 'slow-started' && e.ms === 30_000));
    abort.abort();
    await expect(call).rejects.toThrow();
    await until('the child saw the cancellation', () => childEvents().some((e) => e.event === 'slow-cancelled' && e.ms === 30_000));
  });

  it('when a 2025-era client uses the (dual-era) modern child, then it is served, and a tool that needs sampling asks that client', async () => {
    const { client } = await streamableClient(bridge.url, { capabilities: { sampling: {} } });
    let asked = 0;
    client.setRequestHandler(CreateMessageRequestSchema, () => {
      asked++;
      return { role: 'assistant' as const, content: { type: 'text' as const, text: 'from 2025' }, model: 'm', stopReason: 'endTurn' };
    });
    try {
      expect(client.getServerVersion()).toMatchObject({ name: 'mcp-sidecar-modern-fixture' });
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'old client' } }))).toBe('old client');
      expect(textOf(await client.callTool({ name: 'ask_sampling', arguments: {} }))).toBe('sampled: from 2025');
      expect(asked).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('when the Python client connects in its default mode, then it negotiates 2026-07-28 with the child', async () => {
    const run = await pythonClient(bridge.url, [
      { op: 'call_tool', name: 'echo', arguments: { message: 'py to modern child' } },
      { op: 'call_tool', name: 'ask_sampling', arguments: { prompt: 'py' } },
    ]);
    expect({ version: run.protocol_version, server: run.server }).toEqual({ version: MODERN, server: 'mcp-sidecar-modern-fixture' });
    expect(run.results).toMatchObject([{ text: 'py to modern child' }, { text: 'sampled: python says hi' }]);
  });
});

describe('a 2026-07-28-only stdio child (refuses initialize) behind the bridge, per-session mode', () => {
  // Each 2025 session has its own process, which sees the client's initialize: a modern-only server
  // refuses it. Not upgraded in this mode (docs/protocol.md); the refusal reaches the client at once.
  it('when a 2025-era client connects, then it promptly gets the server\'s own refusal (-32022)', async () => {
    const bridge = await bridgeFor([...MODERN_CHILD, '--modern-only'], ['--session-mode', 'per-session']);
    try {
      const started = Date.now();
      await expect(streamableClient(bridge.url)).rejects.toThrow(/-32022/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await bridge.close(0);
    }
  });
});

describe('a 2026-07-28-only stdio child (refuses initialize) behind the bridge, shared mode', () => {
  it('when a 2025-era client connects, then the bridge upgrades it (docs/design.md §4b): initialize, calls and sampling work', async () => {
    const bridge = await bridgeFor([...MODERN_CHILD, '--modern-only'], ['--session-mode', 'shared']);
    try {
      const { client } = await streamableClient(bridge.url, { capabilities: { sampling: {} } });
      client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant' as const, content: { type: 'text' as const, text: 'upgraded' }, model: 'm', stopReason: 'endTurn' }));
      expect(client.getServerVersion()).toMatchObject({ name: 'mcp-sidecar-modern-fixture' });
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: '2025 to modern-only' } }))).toBe('2025 to modern-only');
      expect(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })))).toMatchObject({ era: 'modern' });
      expect(textOf(await client.callTool({ name: 'ask_sampling', arguments: {} }))).toBe('sampled: upgraded');
      await client.close();
    } finally {
      await bridge.close(0);
    }
  });
});
