// Many sessions at once, warm pool, idle timeout, and shutdown: processes and descriptors come and
// go exactly with their sessions.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { FIXTURE, INIT, JSON_HEADERS, ROOT, bridgeFor, childPids, openFds, rawSession, streamableClient, textOf, until } from './bridge-harness.js';

describe('many sessions', () => {
  it('when 200 sessions run at once, then each gets its own answers, and afterwards no process or descriptor remains', async () => {
    const fdsBefore = openFds();
    const bridge = await bridgeFor(FIXTURE);
    const clients = await Promise.all(Array.from({ length: 200 }, () => streamableClient(bridge.url)));
    expect(bridge.hub.size).toBe(200);
    expect(childPids().length).toBeGreaterThanOrEqual(200);
    const answers = await Promise.all(clients.map(({ client }, i) => client.callTool({ name: 'echo', arguments: { message: `session-${i}` } })));
    expect(answers.map(textOf)).toEqual(clients.map((_, i) => `session-${i}`));
    await Promise.all(clients.map(({ transport }) => transport.terminateSession()));
    await Promise.all(clients.map(({ client }) => client.close()));
    expect(bridge.hub.size).toBe(0);
    await until('every server process is gone', () => childPids().length === 0, 20_000);
    await bridge.close(0);
    await until('descriptors are back to where they were', () => openFds() <= fdsBefore + 2, 10_000);
  }, 120_000);
});

describe('warm pool', () => {
  it('when --warm-pool is set, then processes start before any client and a new session takes one', async () => {
    const bridge = await bridgeFor(FIXTURE, ['--warm-pool', '2']);
    await until('two warm processes', () => childPids().length === 2);
    const warm = childPids();
    const { client } = await streamableClient(bridge.url);
    const { pid } = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as { pid: number };
    expect(warm).toContain(pid);
    await until('the pool refilled', () => childPids().length === 3);
    await client.close();
    await bridge.close(0);
    await until('all stopped', () => childPids().length === 0);
  });

  it('when warm processes keep dying, then readiness turns false instead of a fork loop', async () => {
    const bridge = await bridgeFor([...FIXTURE, '--exit-after-ms', '1', '--exit-code', '7'], ['--warm-pool', '1']);
    const readyz = bridge.url.replace('/mcp', '/readyz');
    await until('not ready', async () => (await fetch(readyz)).status === 503);
    await bridge.close(0);
  });
});

describe('idle timeout', () => {
  it('when a session sends nothing for --idle-timeout, then it ends and its process stops', async () => {
    const bridge = await bridgeFor(FIXTURE, ['--idle-timeout', '1']);
    await rawSession(bridge.url);
    expect(bridge.hub.size).toBe(1);
    await until('the idle session ended', () => bridge.hub.size === 0, 5000);
    await until('its process stopped', () => childPids().length === 0);
    await bridge.close(0);
  });
});

describe('shutdown', () => {
  it('when shutdown begins, then every response says Connection: close, and keep-alive connections still idle after --drain-delay are closed, so clients reconnect to another replica', async () => {
    const bridge = await bridgeFor(FIXTURE);
    const busy = new Agent({ keepAlive: true, maxSockets: 1 });
    const idle = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (agent: Agent) => new Promise<{ status: number; connection?: string; socket: Socket }>((resolve, reject) => {
      const req = request(bridge.url, { method: 'POST', agent, headers: JSON_HEADERS }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socket: req.socket as Socket }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(INIT));
    });
    const first = await post(busy);
    const parked = await post(idle);
    expect([first.connection, parked.connection]).toEqual(['keep-alive', 'keep-alive']);
    const parkedClosed = once(parked.socket, 'close');
    const closing = bridge.close(5000, 1500);
    // During the drain delay: the pooled connection is reused (not reset under the client), served,
    // and told to close.
    const late = await post(busy);
    expect(late).toMatchObject({ status: 200, connection: 'close' });
    expect(late.socket).toBe(first.socket);
    expect(parked.socket.destroyed).toBe(false);
    // After the delay the connection nobody used is closed by the bridge.
    await parkedClosed;
    await closing;
    busy.destroy();
    idle.destroy();
    await until('every server process is gone', () => childPids().length === 0);
  }, 30_000);

  it('when the bridge gets SIGTERM, then readiness drops, and until the drain is over what still arrives is served (new sessions too, also after --drain-delay), the in-flight call finishes, and it exits 0', async () => {
    const bridge = spawn('node', [join(ROOT, 'dist/bridge/main.js'), '--port', '0', '--drain-delay', '2', '--shutdown-grace', '10', '--', ...FIXTURE], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: bridge.stdout });
    let url = '';
    for await (const line of lines) {
      const entry = JSON.parse(line) as { msg: string; url?: string };
      if (entry.msg === 'listening' && entry.url !== undefined) {
        url = entry.url;
        break;
      }
    }
    // An idle keep-alive connection: the bridge closes it when the drain delay is over, which tells the
    // test that moment without a clock.
    const idle = new Agent({ keepAlive: true, maxSockets: 1 });
    const parked = await new Promise<Socket>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent: idle, headers: JSON_HEADERS }, (res) => {
        res.resume();
        res.on('end', () => resolve(req.socket as Socket));
      });
      req.on('error', reject);
      req.end(JSON.stringify(INIT));
    });
    const delayOver = once(parked, 'close');
    const { client } = await streamableClient(url);
    const inFlight = client.callTool({ name: 'slow', arguments: { ms: 3000 } });
    await until('the call reached the server', async () => (await (await fetch(url.replace('/mcp', '/metrics'))).text()).includes('mcp_bridge_requests_in_flight 1'));
    bridge.kill('SIGTERM');
    await until('readiness false', async () => (await fetch(url.replace('/mcp', '/readyz'))).status === 503);
    // Within the drain delay a new session works: load balancers have not caught up yet.
    const early = await streamableClient(url);
    expect(textOf(await early.client.callTool({ name: 'echo', arguments: { message: 'still served' } }))).toBe('still served');
    // After it too, while the drain waits for the in-flight call: a proxy slower than the delay (kube-proxy
    // on a loaded node) still sends traffic here, and this pod can answer it.
    await delayOver;
    const late = await streamableClient(url);
    expect(textOf(await late.client.callTool({ name: 'echo', arguments: { message: 'after the delay' } }))).toBe('after the delay');
    expect(textOf(await inFlight)).toBe('slept 3000');
    const [code] = (await once(bridge, 'exit')) as [number | null];
    expect(code).toBe(0);
    idle.destroy();
    await Promise.all([client.close(), early.client.close(), late.client.close()]);
  }, 30_000);

  it('when a GET stream ends (as the drain ends every stream), then its connection is not handed back to the client for its next request', async () => {
    const bridge = await bridgeFor(FIXTURE);
    const session = await rawSession(bridge.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    const stream = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(bridge.url, { method: 'GET', agent, headers: { ...headers, accept: 'text/event-stream' } }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(stream.statusCode).toBe(200);
    stream.resume();
    const ended = once(stream, 'end');
    // Ending the session ends its stream, as the end of a drain does.
    expect((await fetch(bridge.url, { method: 'DELETE', headers })).status).toBe(200);
    await ended;
    const reused = await new Promise<boolean>((resolve, reject) => {
      const req = request(bridge.url, { method: 'POST', agent, headers: JSON_HEADERS }, (res) => {
        res.resume();
        res.on('end', () => resolve(req.reusedSocket));
      });
      req.on('error', reject);
      req.end(JSON.stringify(INIT));
    });
    expect(reused).toBe(false);
    agent.destroy();
    await bridge.close(0);
  });

  it('when the drain is over, then new sessions are refused as draining (503), not served by a bridge that is stopping', async () => {
    const bridge = await bridgeFor(FIXTURE);
    await bridge.close(1000, 0);
    expect(bridge.hub.acceptingWork).toBe(false);
    expect(bridge.hub.open('streamable-http')).toEqual({ ok: false, status: 503, reason: 'draining' });
  });
});
