// Crashing, noisy, oversize and slow-reading counterparts: each has a defined outcome, never a hang.
import { connect } from 'node:net';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, JSON_HEADERS, bridgeFor, rawSession, streamableClient, textOf, until } from './bridge-harness.js';

async function metric(bridge: RunningBridge, pattern: RegExp): Promise<number> {
  const text = await (await fetch(bridge.url.replace('/mcp', '/metrics'))).text();
  const match = pattern.exec(text);
  return match === null ? 0 : Number(match[1]);
}

describe('when the server process fails', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--max-line', '65536']);
  });
  afterAll(() => bridge.close(0));

  it('when it crashes mid-call, then every in-flight request errors within 1 s and the session then answers 404', async () => {
    const { client, transport } = await streamableClient(bridge.url);
    const sessionId = transport.sessionId ?? '';
    const slow = client.callTool({ name: 'slow', arguments: { ms: 30_000 } });
    const started = Date.now();
    const crash = client.callTool({ name: 'crash', arguments: { code: 3 } });
    await expect(slow).rejects.toThrow(/MCP server unavailable: exited with code 3/);
    await expect(crash).rejects.toThrow(/MCP server unavailable/);
    expect(Date.now() - started).toBeLessThan(1000);
    const res = await fetch(bridge.url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': sessionId }, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }) });
    expect(res.status).toBe(404);
    await client.close();
  });

  it('when it prints a line over --max-line, then that session ends with a clear error and others are unharmed', async () => {
    const victim = await streamableClient(bridge.url);
    const bystander = await streamableClient(bridge.url);
    await expect(victim.client.callTool({ name: 'huge_line', arguments: { bytes: 100_000 } })).rejects.toThrow(/longer than 65536 bytes \(--max-line\)/);
    expect(textOf(await bystander.client.callTool({ name: 'echo', arguments: { message: 'still here' } }))).toBe('still here');
    expect(await metric(bridge, /mcp_bridge_child_exits_total\{cause="oversize_line"\} (\d+)/)).toBe(1);
    await Promise.all([victim.client.close(), bystander.client.close()]);
  });

  it('when it prints non-JSON on stdout, then the line is counted and dropped and the call still works', async () => {
    const { client } = await streamableClient(bridge.url);
    const before = await metric(bridge, /mcp_bridge_stdout_noise_lines_total (\d+)/);
    expect(textOf(await client.callTool({ name: 'stdout_noise', arguments: {} }))).toBe('noise written');
    expect(await metric(bridge, /mcp_bridge_stdout_noise_lines_total (\d+)/)).toBe(before + 1);
    await client.close();
  });

  it('when it floods stderr, then calls still work (stderr goes to the log)', async () => {
    const { client } = await streamableClient(bridge.url);
    expect(textOf(await client.callTool({ name: 'stderr_spam', arguments: { lines: 2000 } }))).toBe('wrote 2000 lines');
    await client.close();
  });

  it('when the command cannot start, then initialize gets a JSON-RPC error, not a hang', async () => {
    const broken = await bridgeFor(['/nonexistent/mcp-server']);
    const res = await fetch(broken.url, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/could not start: spawn \/nonexistent\/mcp-server ENOENT/);
    await broken.close(0);
  });
});

describe('when a client reads too slowly', () => {
  it('when its stream queue passes --max-queue, then the stream is closed, counted, and the bridge stays healthy', async () => {
    const bridge = await bridgeFor(FIXTURE, ['--max-queue', '65536']);
    const session = await rawSession(bridge.url);
    const { port } = new URL(bridge.url);
    // A raw socket that sends a request producing ~10 MB of progress events and never reads.
    const socket = connect(Number(port), '127.0.0.1');
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'progress', arguments: { steps: 80_000 }, _meta: { progressToken: 'p' } } });
    socket.write(`POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\nmcp-session-id: ${session}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.pause();
    await until('the slow stream is dropped', async () => (await metric(bridge, /mcp_bridge_queue_drops_total (\d+)/)) >= 1, 30_000);
    socket.destroy();
    const { client } = await streamableClient(bridge.url);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'ok' } }))).toBe('ok');
    await client.close();
    await bridge.close(0);
  });
});
