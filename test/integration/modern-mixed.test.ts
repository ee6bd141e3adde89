// Mixed traffic on one shared process: 2026-07-28 clients (SDK v2, raw) and 2025-era clients (SDK v1,
// raw sessions) at the same time, with colliding request ids and colliding progress tokens. Each client
// must get exactly its own answers, progress and logs, and nothing of anyone else's.
import type { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, JSON_HEADERS, bridgeFor, rawSession, streamableClient, textOf, until } from './bridge-harness.js';
import { envelope, modernClient, modernPost, openStream, textOfResult, type JsonRpc } from './modern-clients.js';

/** Reads a 2025 session's POST answer (JSON or SSE) into its events. */
async function legacyPost(url: string, session: string, message: JsonRpc): Promise<JsonRpc[]> {
  const res = await fetch(url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }, body: JSON.stringify(message) });
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) return [JSON.parse(text) as JsonRpc];
  return text
    .split(/\n\n/)
    .map((block) => block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join(''))
    .filter((data) => data !== '')
    .map((data) => JSON.parse(data) as JsonRpc);
}

const progressOf = (events: JsonRpc[]): { token: unknown; progress: unknown }[] =>
  events.filter((e) => e.method === 'notifications/progress').map((e) => ({ token: e.params?.progressToken, progress: e.params?.progress }));

describe('mixed 2026-07-28 and 2025 traffic on one shared process', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--session-mode', 'shared']);
  });
  afterAll(() => bridge.close(0));

  it('when three v2 and three v1 clients call at once (all ids and progress tokens colliding), then each gets only its own answers and progress, from the one process', async () => {
    const modern: ModernClient[] = await Promise.all([0, 1, 2].map((i) => modernClient(bridge.url, { name: `modern-${i}` })));
    const legacy: LegacyClient[] = (await Promise.all([0, 1, 2].map(() => streamableClient(bridge.url)))).map((c) => c.client);
    try {
      // Both SDKs number requests from 0 and use the request id as progress token: they all collide.
      interface Caller {
        who: string;
        steps: number;
        call: (name: string, args: Record<string, unknown>, onprogress?: (p: { progress: number }) => void) => Promise<unknown>;
      }
      const callers: Caller[] = [
        ...modern.map((c, i) => ({ who: `modern-${i}`, steps: 3 + i, call: (name: string, args: Record<string, unknown>, onprogress?: (p: { progress: number }) => void) => c.callTool({ name, arguments: args }, onprogress ? { onprogress } : {}) })),
        ...legacy.map((c, i) => ({ who: `legacy-${i}`, steps: 6 + i, call: (name: string, args: Record<string, unknown>, onprogress?: (p: { progress: number }) => void) => c.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : {}) })),
      ];
      const results = await Promise.all(
        callers.map(async ({ who, steps, call }) => {
          const seen: number[] = [];
          const [done, echoed, me] = await Promise.all([
            call('progress', { steps, ms: 10 }, (p) => seen.push(p.progress)),
            Promise.all(Array.from({ length: 10 }, async (_, n) => textOfResult(await call('echo', { message: `${who}/${n}` })))),
            call('whoami', {}),
          ]);
          return { who, steps, done: textOfResult(done), seen, echoed, pid: (JSON.parse(textOfResult(me)) as { pid: number }).pid };
        }),
      );
      for (const r of results) {
        expect({ who: r.who, done: r.done, seen: r.seen }).toEqual({ who: r.who, done: `done ${r.steps}`, seen: Array.from({ length: r.steps }, (_, k) => k + 1) });
        expect(r.echoed).toEqual(Array.from({ length: 10 }, (_, n) => `${r.who}/${n}`));
      }
      expect(new Set(results.map((r) => r.pid)).size).toBe(1);
    } finally {
      await Promise.all([...modern.map((c) => c.close()), ...legacy.map((c) => c.close())]);
    }
  });

  it('when raw modern and 2025 requests use the same id and the same progress token at once, then every stream carries only its own progress and answer', async () => {
    const session = await rawSession(bridge.url);
    const call = (steps: number): JsonRpc => ({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'progress', arguments: { steps, ms: 15 }, _meta: { progressToken: 7 } },
    });
    const modernCall = (steps: number): JsonRpc => {
      const c = call(steps);
      return { ...c, params: { ...c.params, _meta: envelope({}, { progressToken: 7 }) } };
    };
    const [m4, m5, l3, l6] = await Promise.all([
      modernPost(bridge.url, modernCall(4)),
      modernPost(bridge.url, modernCall(5)),
      legacyPost(bridge.url, session, call(3)),
      legacyPost(bridge.url, session, call(6)),
    ]);
    const expectOwn = (events: JsonRpc[], steps: number): void => {
      expect(progressOf(events)).toEqual(Array.from({ length: steps }, (_, k) => ({ token: 7, progress: k + 1 })));
      const final = events.filter((e) => e.method === undefined);
      expect(final).toHaveLength(1);
      expect({ id: final[0]?.id, text: textOf(final[0]?.result) }).toEqual({ id: 7, text: `done ${steps}` });
    };
    expectOwn(m4.events, 4);
    expectOwn(m5.events, 5);
    expectOwn(l3, 3);
    expectOwn(l6, 6);
    expect(m4.body?.result).toMatchObject({ resultType: 'complete' });
    await fetch(bridge.url, { method: 'DELETE', headers: { 'mcp-session-id': session } });
  });

  it('when a 2025 session that asked for debug logs and a modern call without a log level run side by side, then the modern stream gets no log and the session gets all four', async () => {
    const session = await rawSession(bridge.url);
    await legacyPost(bridge.url, session, { jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'debug' } });
    const [modernReply, legacyEvents] = await Promise.all([
      modernPost(bridge.url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow', arguments: { ms: 200 }, _meta: envelope() } }),
      legacyPost(bridge.url, session, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'log_levels', arguments: {} } }),
    ]);
    expect(modernReply.body?.result).toMatchObject({ resultType: 'complete', content: [{ text: 'slept 200' }] });
    expect(modernReply.events.filter((e) => e.method === 'notifications/message')).toEqual([]);
    expect(legacyEvents.filter((e) => e.method === 'notifications/message').map((e) => e.params?.data)).toEqual(['debug', 'info', 'warning', 'error']);
    await fetch(bridge.url, { method: 'DELETE', headers: { 'mcp-session-id': session } });
  });

  it('when the process sends list_changed, then a 2025 session (GET stream) and a modern listen stream each get it once, and a modern request stream does not', async () => {
    const { client, transport } = await streamableClient(bridge.url);
    let legacyNotified = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      legacyNotified++;
    });
    await until('the 2025 session opened its GET stream', () => bridge.hub.get(transport.sessionId ?? '')?.hasOpenStream() === true);
    const listen = await openStream(bridge.url, { jsonrpc: '2.0', id: 'listen-mixed', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: envelope() } });
    await listen.next('the acknowledgement', (e) => e.method === 'notifications/subscriptions/acknowledged');
    const busy = modernPost(bridge.url, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'slow', arguments: { ms: 300 }, _meta: envelope() } });
    const trigger = await modernPost(bridge.url, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'list_changed', arguments: {}, _meta: envelope() } });
    expect(textOf(trigger.body?.result)).toBe('list_changed sent');
    await listen.next('list_changed on the listen stream', (e) => e.method === 'notifications/tools/list_changed');
    await until('the 2025 session was told', () => legacyNotified >= 1);
    const busyReply = await busy;
    expect(busyReply.events.filter((e) => e.method === 'notifications/tools/list_changed')).toEqual([]);
    expect(trigger.events.filter((e) => e.method === 'notifications/tools/list_changed')).toEqual([]);
    expect(listen.events.filter((e) => e.method === 'notifications/tools/list_changed')).toHaveLength(1);
    expect(legacyNotified).toBe(1);
    listen.close();
    await client.close();
  });

  it('when the process asks for sampling while a modern and a 2025 request are both in flight, then neither client is asked (a prompt error to the process, never a guess)', async () => {
    const { client } = await streamableClient(bridge.url, { capabilities: { sampling: {} } });
    let legacyAsked = 0;
    client.setRequestHandler(CreateMessageRequestSchema, () => {
      legacyAsked++;
      return { role: 'assistant', content: { type: 'text', text: 'legacy answered' }, model: 'm' };
    });
    const legacyBusy = client.callTool({ name: 'slow', arguments: { ms: 500 } });
    await until('the 2025 call is in flight', () => bridge.hub.inFlight >= 1);
    const modern = await modernPost(bridge.url, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'ask_sampling', arguments: {}, _meta: envelope({ sampling: {} }) } });
    // The modern caller must not get the 2025 client's answer, nor an input_required it cannot own.
    expect(modern.body?.result?.resultType).toBe('complete');
    expect(textOf(modern.body?.result)).toMatch(/^client error: /);
    expect(legacyAsked).toBe(0);
    expect(textOf(await legacyBusy)).toBe('slept 500');
    await client.close();
  });
});
