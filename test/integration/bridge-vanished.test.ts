// Vanished 2025-era clients: the SDK client's close() sends no DELETE, and many clients (the
// Inspector CLI, scripts) just exit. A session with no open stream and no request for
// --vanished-after seconds is ended and its process reclaimed; a session whose client keeps its GET
// stream open stays (until --idle-timeout).
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, JSON_HEADERS, bridgeFor, childPids, rawSession, streamableClient, textOf, until } from './bridge-harness.js';

describe('vanished clients (--vanished-after 1)', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--vanished-after', '1']);
  });
  afterAll(() => bridge.close(0));

  it('when SDK clients close without DELETE, then their sessions end and their processes are reclaimed within the grace', async () => {
    const before = childPids().length;
    for (let i = 0; i < 5; i++) {
      const { client } = await streamableClient(bridge.url);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: `c${i}` } }))).toBe(`c${i}`);
      await client.close(); // closes the GET stream; sends no DELETE
    }
    await until('every vanished session ended and its process gone', () => bridge.hub.size === 0 && childPids().length <= before, 15_000);
  });

  it('when one client keeps its GET stream open and another has none, then only the one without a stream is ended', async () => {
    const streaming = await rawSession(bridge.url);
    const controller = new AbortController();
    const stream = await fetch(bridge.url, { headers: { ...JSON_HEADERS, 'mcp-session-id': streaming, 'mcp-protocol-version': '2025-11-25' }, signal: controller.signal });
    expect(stream.status).toBe(200);
    const silent = await rawSession(bridge.url);
    await until('the session without a stream ended', () => bridge.hub.get(silent) === undefined, 15_000);
    expect(bridge.hub.get(streaming)?.isOpen).toBe(true);
    controller.abort();
    await until('the other ended too once its stream closed', () => bridge.hub.get(streaming) === undefined, 15_000);
  });

  it('when a vanished session\'s client comes back, then it gets 404 (-32001) and can initialize again', async () => {
    const id = await rawSession(bridge.url);
    await until('ended', () => bridge.hub.get(id) === undefined, 15_000);
    const res = await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32001);
    expect(typeof (await rawSession(bridge.url))).toBe('string');
  });
});
