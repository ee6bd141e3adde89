// The legacy HTTP+SSE transport (2024-11-05) with the SDK's SSE client.
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, bridgeFor, childPids, sseClient, textOf, until } from './bridge-harness.js';

describe('legacy HTTP+SSE with the SDK client', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE);
  });
  afterAll(() => bridge.close(0));

  it('when a client connects to /sse, then it can list tools and call one', async () => {
    const { client } = await sseClient(bridge.sseUrl);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'over sse' } }))).toBe('over sse');
    await client.close();
  });

  it('when a call reports progress, then the notifications arrive on the stream', async () => {
    const { client } = await sseClient(bridge.sseUrl);
    const seen: number[] = [];
    await client.callTool({ name: 'progress', arguments: { steps: 3, ms: 5 } }, undefined, { onprogress: (p) => seen.push(p.progress) });
    // The SDK client may settle the call before it runs the handlers of notifications that arrived in
    // the same read (seen on a loaded machine): wait for them rather than expect them already there.
    await until('three progress notifications', () => seen.length >= 3, 5_000);
    expect(seen).toEqual([1, 2, 3]);
    await client.close();
  });

  it('when the stream opens, then the endpoint event is a relative URL with the session id', async () => {
    const res = await fetch(bridge.sseUrl, { headers: { accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('\n\n')) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    expect(text).toMatch(/^event: endpoint\ndata: message\?sessionId=[\w.-]+\n\n/);
    await reader.cancel();
  });

  it('when the client disconnects, then its session ends and its server process stops', async () => {
    const { client } = await sseClient(bridge.sseUrl);
    const { pid } = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as { pid: number };
    expect(childPids()).toContain(pid);
    const sessionsWithClient = bridge.hub.size;
    await client.close();
    await until('session ended', () => bridge.hub.size === sessionsWithClient - 1);
    await until('its server process stopped', () => !childPids().includes(pid));
  });
});
