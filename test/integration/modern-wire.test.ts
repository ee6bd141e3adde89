// Protocol 2026-07-28 on the wire, the positive side (modern-refusals.test.ts has the refusals): what
// results carry (resultType, cache hints, serverInfo), what the legacy child sees of a modern request,
// and subscriptions/listen exactly as basic/patterns/subscriptions.mdx says. Raw HTTP, both modes.
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, bridgeFor } from './bridge-harness.js';
import { SERVER_INFO_KEY, SUBSCRIPTION_ID_KEY, envelope, modernPost, openStream, textOfResult, type JsonRpc, type OpenStream } from './modern-clients.js';

const MODES = [['per-session'], ['shared']] as const;
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const request = (id: number | string, method: string, params: Record<string, unknown> = {}): JsonRpc => ({ jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope() } });
const listenRequest = (id: string, notifications: Record<string, unknown>): JsonRpc => ({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications, _meta: envelope() } });

describe.each(MODES)('2026-07-28 wire, %s mode', (mode) => {
  let bridge: RunningBridge;
  const streams: OpenStream[] = [];
  const listen = async (id: string, notifications: Record<string, unknown>): Promise<OpenStream> => {
    const stream = await openStream(bridge.url, listenRequest(id, notifications));
    streams.push(stream);
    return stream;
  };
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--session-mode', mode]);
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(() => bridge.close(0));

  it('when server/discover is asked, then it answers the revision, the child capabilities, serverInfo in _meta and cache hints', async () => {
    const reply = await modernPost(bridge.url, request('d1', 'server/discover'));
    expect(reply.status).toBe(200);
    const result = reply.body?.result ?? {};
    expect(result).toMatchObject({ resultType: 'complete', _meta: { [SERVER_INFO_KEY]: { name: 'mcp-sidecar-fixture', version: '1.0.0' } } });
    expect(result.supportedVersions).toContain('2026-07-28');
    expect(Object.keys(result.capabilities ?? {})).toEqual(expect.arrayContaining(['tools', 'prompts', 'resources']));
    expect(Number.isInteger(result.ttlMs) && (result.ttlMs as number) >= 0).toBe(true);
    expect(['public', 'private']).toContain(result.cacheScope);
  });

  it('when list and read results come back, then each is complete with ttlMs, cacheScope and serverInfo', async () => {
    const cacheable: [string, Record<string, unknown>][] = [
      ['tools/list', {}],
      ['prompts/list', {}],
      ['resources/list', {}],
      ['resources/templates/list', {}],
      ['resources/read', { uri: 'test://static-text' }],
    ];
    for (const [i, [method, params]] of cacheable.entries()) {
      const result = (await modernPost(bridge.url, request(i + 1, method, params))).body?.result ?? {};
      expect({ method, resultType: result.resultType, serverInfo: (result._meta as Record<string, unknown> | undefined)?.[SERVER_INFO_KEY] }).toEqual({
        method,
        resultType: 'complete',
        serverInfo: { name: 'mcp-sidecar-fixture', version: '1.0.0' },
      });
      expect({ method, ttlOk: Number.isInteger(result.ttlMs) && (result.ttlMs as number) >= 0, scopeOk: result.cacheScope === 'public' || result.cacheScope === 'private' }).toEqual({ method, ttlOk: true, scopeOk: true });
    }
  });

  it('when a modern request reaches the 2025 child, then the reserved io.modelcontextprotocol/* keys are gone and trace context and progressToken are kept', async () => {
    const meta = envelope({ sampling: {} }, { traceparent: TRACEPARENT, progressToken: 'tok-1', 'io.modelcontextprotocol/logLevel': 'info' });
    const reply = await modernPost(bridge.url, { jsonrpc: '2.0', id: 10, method: 'tools/call', params: { name: 'request_meta', arguments: {}, _meta: meta } });
    const seen = JSON.parse(textOfResult(reply.body?.result)) as Record<string, unknown>;
    expect(Object.keys(seen).filter((k) => k.startsWith('io.modelcontextprotocol/'))).toEqual([]);
    expect(seen.traceparent).toBe(TRACEPARENT);
    expect(seen).toHaveProperty('progressToken');
  });

  it('when a client listens, then the first message is the acknowledgement tagged with the listen id, and list_changed follows tagged the same', async () => {
    const stream = await listen('sub-A', { toolsListChanged: true });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const ack = await stream.next('the acknowledgement', () => true);
    expect(ack).toMatchObject({ method: 'notifications/subscriptions/acknowledged', params: { notifications: { toolsListChanged: true }, _meta: { [SUBSCRIPTION_ID_KEY]: 'sub-A' } } });
    await modernPost(bridge.url, request(11, 'tools/call', { name: 'list_changed', arguments: {} }));
    const changed = await stream.next('list_changed', (e) => e.method === 'notifications/tools/list_changed');
    expect(changed.params?._meta).toMatchObject({ [SUBSCRIPTION_ID_KEY]: 'sub-A' });
    expect(stream.events[0]).toBe(ack);
  });

  it('when the listen response is an SSE stream, then it tells proxies not to buffer it (X-Accel-Buffering: no, a SHOULD)', async () => {
    const stream = await listen('sub-buffering', { toolsListChanged: true });
    await stream.next('the acknowledgement', () => true);
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
  });

  it('when two subscriptions with different filters are open, then each gets only what it asked for, under its own id', async () => {
    const tools = await listen('sub-tools', { toolsListChanged: true });
    const prompts = await listen(`sub-prompts`, { promptsListChanged: true });
    await Promise.all([tools.next('tools ack', () => true), prompts.next('prompts ack', () => true)]);
    await modernPost(bridge.url, request(12, 'tools/call', { name: 'test_trigger_tool_change', arguments: {} }));
    await modernPost(bridge.url, request(13, 'tools/call', { name: 'test_trigger_prompt_change', arguments: {} }));
    const toolChange = await tools.next('tools list_changed', (e) => e.method === 'notifications/tools/list_changed');
    const promptChange = await prompts.next('prompts list_changed', (e) => e.method === 'notifications/prompts/list_changed');
    expect(toolChange.params?._meta).toMatchObject({ [SUBSCRIPTION_ID_KEY]: 'sub-tools' });
    expect(promptChange.params?._meta).toMatchObject({ [SUBSCRIPTION_ID_KEY]: 'sub-prompts' });
    // Both changes happened before the second one was delivered: nothing else can still be on its way.
    expect(tools.events.map((e) => e.method)).toEqual(['notifications/subscriptions/acknowledged', 'notifications/tools/list_changed']);
    expect(prompts.events.map((e) => e.method)).toEqual(['notifications/subscriptions/acknowledged', 'notifications/prompts/list_changed']);
  });

  it('when a client listens to a resource, then its updates arrive on the stream with the uri', async () => {
    const stream = await listen('sub-resource', { resourceSubscriptions: ['test://watched-resource'] });
    const ack = await stream.next('the acknowledgement', () => true);
    expect(ack.params?.notifications).toMatchObject({ resourceSubscriptions: ['test://watched-resource'] });
    const update = await modernPost(bridge.url, request(14, 'tools/call', { name: 'update_resource', arguments: { uri: 'test://watched-resource' } }));
    expect(textOfResult(update.body?.result)).toBe('updated');
    const updated = await stream.next('resources/updated', (e) => e.method === 'notifications/resources/updated');
    expect(updated.params).toMatchObject({ uri: 'test://watched-resource', _meta: { [SUBSCRIPTION_ID_KEY]: 'sub-resource' } });
  });

  it('when two calls report progress and logs at once while a subscription is open, then each stays on its own call stream and none reaches the listen stream', async () => {
    const stream = await listen('sub-quiet', { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true });
    await stream.next('the acknowledgement', () => true);
    // stdio says nothing of which call a log line belongs to: with two calls in flight, a line goes to
    // the one call that asked for logs (here only the second); were both to ask, neither would get it.
    const [progress, logs] = await Promise.all([
      modernPost(bridge.url, { jsonrpc: '2.0', id: 15, method: 'tools/call', params: { name: 'progress', arguments: { steps: 3, ms: 10 }, _meta: envelope({}, { progressToken: 'p-1' }) } }),
      modernPost(bridge.url, { jsonrpc: '2.0', id: 16, method: 'tools/call', params: { name: 'log_levels', arguments: {}, _meta: envelope({}, { 'io.modelcontextprotocol/logLevel': 'debug' }) } }),
    ]);
    // Each call gets what it caused and nothing of the other's.
    expect(progress.events.map((e) => e.method)).toEqual(['notifications/progress', 'notifications/progress', 'notifications/progress', undefined]);
    expect(logs.events.map((e) => e.method)).toEqual([...Array<string>(4).fill('notifications/message'), undefined]);
    // A list change after both calls marks the point up to which the listen stream has been delivered.
    await modernPost(bridge.url, request(17, 'tools/call', { name: 'list_changed', arguments: {} }));
    await stream.next('list_changed', (e) => e.method === 'notifications/tools/list_changed');
    expect(stream.events.map((e) => e.method)).toEqual(['notifications/subscriptions/acknowledged', 'notifications/tools/list_changed']);
  });

  it('when a client sends a notification POST (e.g. notifications/cancelled of a listen, as the SDK v2 client does, without Mcp-Method), then it gets 202', async () => {
    const stream = await listen('sub-cancel', { toolsListChanged: true });
    await stream.next('the acknowledgement', () => true);
    const res = await fetch(bridge.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'sub-cancel', _meta: envelope() } }),
    });
    expect({ status: res.status, body: await res.text() }).toEqual({ status: 202, body: '' });
  });
});
