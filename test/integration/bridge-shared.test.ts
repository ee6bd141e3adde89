// Shared mode: many client sessions on one stdio process, with every message going only where it
// belongs. Real SDK clients (TypeScript and Python) against the fixture server.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, JSON_HEADERS, ROOT, bridgeFor, childPids, modernPost, openFds, rawSession, streamableClient, textOf, until } from './bridge-harness.js';

const run = promisify(execFile);

describe('shared mode', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--session-mode', 'shared', '--max-sessions', '2000']);
    await until('shared process ready', () => bridge.hub.ready);
  });
  afterAll(() => bridge.close(0));

  it('when several clients initialize, then they all share one process that saw one initialize', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => streamableClient(bridge.url)));
    const pids = await Promise.all(clients.map(async ({ client }) => (JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as { pid: number }).pid));
    expect(new Set(pids).size).toBe(1);
    expect(childPids()).toEqual([pids[0]]);
    const metrics = await (await fetch(bridge.url.replace('/mcp', '/metrics'))).text();
    expect(metrics).toMatch(/mcp_bridge_messages_total\{direction="to_server",method="initialize"\} 1\n/);
    await Promise.all(clients.map(({ client }) => client.close()));
  });

  it('when 50 sessions send 20 concurrent calls each, all with the same id, then every answer goes to the right caller', async () => {
    const sessions = await Promise.all(Array.from({ length: 50 }, () => rawSession(bridge.url)));
    const calls = sessions.flatMap((session, s) =>
      Array.from({ length: 20 }, async (_, c) => {
        const res = await fetch(bridge.url, {
          method: 'POST',
          headers: { ...JSON_HEADERS, 'mcp-session-id': session },
          body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { message: `s${s}c${c}` } } }),
        });
        const body = (await res.json()) as { id: unknown; result: unknown };
        return { expected: `s${s}c${c}`, id: body.id, text: textOf(body.result) };
      }),
    );
    const answers = await Promise.all(calls);
    expect(answers.every((a) => a.id === 7)).toBe(true);
    expect(answers.filter((a) => a.text !== a.expected)).toEqual([]);
    expect(answers).toHaveLength(1000);
    await Promise.all(sessions.map((s) => fetch(bridge.url, { method: 'DELETE', headers: { 'mcp-session-id': s } })));
  }, 60_000);

  it('when two sessions report progress at once with the same tokens, then each sees only its own', async () => {
    const [a, b] = await Promise.all([streamableClient(bridge.url), streamableClient(bridge.url)]);
    const seenA: number[] = [];
    const seenB: number[] = [];
    await Promise.all([
      a.client.callTool({ name: 'progress', arguments: { steps: 3, ms: 10 } }, undefined, { onprogress: (p) => seenA.push(p.progress) }),
      b.client.callTool({ name: 'progress', arguments: { steps: 6, ms: 5 } }, undefined, { onprogress: (p) => seenB.push(p.progress) }),
    ]);
    expect(seenA).toEqual([1, 2, 3]);
    expect(seenB).toEqual([1, 2, 3, 4, 5, 6]);
    await Promise.all([a.client.close(), b.client.close()]);
  });

  it('when a client cancels a call, then the process gets the cancellation under its own id', async () => {
    const { client } = await streamableClient(bridge.url);
    const other = await streamableClient(bridge.url);
    const before = JSON.parse(textOf(await client.callTool({ name: 'stats', arguments: {} }))) as { cancelledSlowCalls: number };
    const abort = new AbortController();
    // Another session's slow call stays in flight: the cancel must hit only the right one.
    const bystander = other.client.callTool({ name: 'slow', arguments: { ms: 300 } });
    const call = client.callTool({ name: 'slow', arguments: { ms: 30_000 } }, undefined, { signal: abort.signal });
    await until('the call is in flight', () => bridge.hub.inFlight >= 2);
    abort.abort('user gave up');
    await expect(call).rejects.toThrow();
    await until('the process counted the cancellation', async () => {
      const now = JSON.parse(textOf(await client.callTool({ name: 'stats', arguments: {} }))) as { cancelledSlowCalls: number };
      return now.cancelledSlowCalls === before.cancelledSlowCalls + 1;
    });
    expect(textOf(await bystander)).toBe('slept 300');
    await Promise.all([client.close(), other.client.close()]);
  });

  it('when the process sends list_changed, then every session is told once', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => streamableClient(bridge.url)));
    const counts = [0, 0, 0];
    clients.forEach(({ client }, i) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      counts[i] = (counts[i] ?? 0) + 1;
    }));
    // The SDK client opens its GET stream after initialized; list_changed goes there.
    await until('GET streams open', () => clients.every(({ transport }) => bridge.hub.get(transport.sessionId ?? '')?.hasOpenStream() === true));
    await clients[0]?.client.callTool({ name: 'list_changed', arguments: {} });
    await until('all three notified', () => counts.every((c) => c >= 1));
    expect(counts).toEqual([1, 1, 1]);
    await Promise.all(clients.map(({ client }) => client.close()));
  });

  it('when the server asks for sampling while one session is busy, then that session answers; roots are not relayed', async () => {
    const { client } = await streamableClient(bridge.url, { capabilities: { sampling: {}, roots: {} } });
    const { CreateMessageRequestSchema, ListRootsRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant', content: { type: 'text', text: 'from the one busy session' }, model: 'm' }));
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///secret', name: 'mine' }] }));
    expect(textOf(await client.callTool({ name: 'ask_sampling', arguments: {} }))).toContain('from the one busy session');
    // A shared filesystem server must not learn one client's roots: the bridge answers [] itself.
    expect(textOf(await client.callTool({ name: 'ask_roots', arguments: {} }))).not.toContain('secret');
    await client.close();
  });

  it('when the server asks for sampling while two sessions are busy, then it gets a prompt error, never a guess', async () => {
    const a = await streamableClient(bridge.url, { capabilities: { sampling: {} } });
    const b = await streamableClient(bridge.url, { capabilities: { sampling: {} } });
    const { CreateMessageRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    let asked = 0;
    for (const c of [a, b]) c.client.setRequestHandler(CreateMessageRequestSchema, () => {
      asked++;
      return { role: 'assistant', content: { type: 'text', text: 'x' }, model: 'm' };
    });
    const busy = b.client.callTool({ name: 'slow', arguments: { ms: 500 } });
    await until('b is busy', () => bridge.hub.inFlight >= 1);
    const started = Date.now();
    const result = textOf(await a.client.callTool({ name: 'ask_sampling', arguments: {} }));
    expect(result).toMatch(/cannot route sampling\/createMessage in shared mode/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(asked).toBe(0);
    await busy;
    await Promise.all([a.client.close(), b.client.close()]);
  });

  it('when a 2026-07-28 sessionless request and a 2025-11-25 session run side by side, then both work', async () => {
    const { client } = await streamableClient(bridge.url);
    const discover = (await (await modernPost(bridge.url, 'd', 'server/discover')).json()) as { result: { supportedVersions: string[] } };
    expect(discover.result.supportedVersions).toContain('2026-07-28');
    const [sessionless, classic] = await Promise.all([
      modernPost(bridge.url, 1, 'tools/call', { name: 'echo', arguments: { message: 'modern' } }).then(async (r) => textOf(((await r.json()) as { result: unknown }).result)),
      client.callTool({ name: 'echo', arguments: { message: 'classic' } }).then(textOf),
    ]);
    expect([sessionless, classic]).toEqual(['modern', 'classic']);
    await client.close();
  });
});

describe('shared mode when the process crashes', () => {
  it('when it is killed mid-call, then in-flight calls error within 1 s and the same sessions work again', async () => {
    const bridge = await bridgeFor(FIXTURE, ['--session-mode', 'shared']);
    const a = await streamableClient(bridge.url);
    const b = await streamableClient(bridge.url);
    const slow = a.client.callTool({ name: 'slow', arguments: { ms: 30_000 } });
    await until('slow call in flight', () => bridge.hub.inFlight >= 1);
    const started = Date.now();
    const crash = b.client.callTool({ name: 'crash', arguments: {} });
    await expect(slow).rejects.toThrow(/MCP server unavailable/);
    await expect(crash).rejects.toThrow(/MCP server unavailable/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(textOf(await a.client.callTool({ name: 'echo', arguments: { message: 'a again' } }))).toBe('a again');
    expect(textOf(await b.client.callTool({ name: 'echo', arguments: { message: 'b again' } }))).toBe('b again');
    const metrics = await (await fetch(bridge.url.replace('/mcp', '/metrics'))).text();
    expect(metrics).toMatch(/mcp_bridge_upstream_restarts_total 1/);
    await Promise.all([a.client.close(), b.client.close()]);
    await bridge.close(0);
  });
});

describe('shared mode with LiteLLM session churn', () => {
  it('when 300 sessions each open, call once and close (Python client), then nothing accumulates', async () => {
    const bridge = await bridgeFor(FIXTURE, ['--session-mode', 'shared']);
    await until('shared process ready', () => bridge.hub.ready);
    // Warm up once, so lazily created buffers and sockets don't count as growth.
    await run(join(ROOT, '.venv/bin/python'), [join(ROOT, 'test/python/litellm_pattern.py'), bridge.url, 'http', '3']);
    const fdsBefore = openFds();
    const { stdout } = await run(join(ROOT, '.venv/bin/python'), [join(ROOT, 'test/python/litellm_pattern.py'), bridge.url, 'http', '300'], { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
    const rounds = (JSON.parse(stdout) as { rounds: { echo: string }[] }).rounds;
    expect(rounds.map((r) => r.echo)).toEqual(Array.from({ length: 300 }, (_, i) => `round-${i}`));
    expect(bridge.hub.size).toBe(0);
    expect(bridge.hub.shared?.holdings).toEqual({ sessions: 0, subscriptions: 0, serverRequests: 0, inFlight: 0 });
    expect(childPids()).toHaveLength(1);
    await until('descriptors settle', () => openFds() <= fdsBefore + 2);
    await bridge.close(0);
  }, 240_000);
});
