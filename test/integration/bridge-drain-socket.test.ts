// The sidecar topology's shutdown, with real processes: the stdio agent (dist/agent/mcp-agent, built by
// agent/build.sh) runs the fixture server, the bridge reaches it over the agent's socket, as in a pod.
// Kubernetes stops the server container first; its preStop hook (mcp-agent --drain) makes the bridge
// drain before that, so a call in flight is answered (docs/operator.md, bridge/drain-socket.ts).
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FIXTURE, ROOT, streamableClient, textOf, until } from './bridge-harness.js';

const AGENT = join(ROOT, 'dist/agent/mcp-agent');

interface Pod {
  readonly agent: ChildProcess;
  readonly bridge: ChildProcessWithoutNullStreams;
  readonly drainSocket: string;
  readonly url: string;
  /** The fixture's events (FIXTURE_EVENTS_FILE): one JSON line per slow call started. */
  readonly events: string;
  /** The bridge's log messages so far. */
  readonly messages: string[];
}

async function startPod(): Promise<Pod> {
  if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing: run bash agent/build.sh (test/run-all.sh does)`);
  const dir = mkdtempSync(join(tmpdir(), 'drain-socket-it-'));
  const agentSocket = join(dir, 'agent.sock');
  const drainSocket = join(dir, 'bridge-drain.sock');
  const events = join(dir, 'events');
  const agent = spawn(AGENT, ['--socket', agentSocket, '--', ...FIXTURE], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FIXTURE_EVENTS_FILE: events } });
  const listening = new Promise<void>((resolve) => agent.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('listening on') && resolve()));
  await listening;
  const bridge = spawn('node', [join(ROOT, 'dist/bridge/main.js'), '--port', '0', '--upstream-socket', agentSocket, '--drain-socket', drainSocket, '--drain-delay', '1', '--shutdown-grace', '20'], { stdio: 'pipe' });
  const messages: string[] = [];
  const url = await new Promise<string>((resolve) => {
    createInterface({ input: bridge.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      messages.push(String(entry.msg));
      if (entry.msg === 'listening') resolve(String(entry.url));
    });
  });
  bridge.stderr.resume();
  return { agent, bridge, drainSocket, url, events, messages };
}

async function stop(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
  p.kill('SIGTERM');
  const [code] = (await once(p, 'exit')) as [number | null];
  return code;
}

describe('the sidecar topology stops its server only after the bridge drained', () => {
  it('when the preStop hook runs before the server container stops, then the call in flight is answered and the bridge waits for its own signal', async () => {
    const pod = await startPod();
    const { client } = await streamableClient(pod.url);
    let answered = '';
    const call = client.callTool({ name: 'slow', arguments: { ms: 2500 } }).then((r) => (answered = textOf(r)));
    await until('the slow call reached the server', () => existsSync(pod.events) && readFileSync(pod.events, 'utf8').includes('slow-started'));

    const hook = spawn(AGENT, ['--drain', pod.drainSocket], { stdio: ['ignore', 'ignore', 'pipe'] });
    let hookSaid = '';
    hook.stderr.on('data', (chunk: Buffer) => (hookSaid += chunk.toString()));
    const [hookCode] = (await once(hook, 'exit')) as [number | null];
    // The hook returns only once the drain is over: the call was answered by then.
    expect(hookCode).toBe(0);
    expect(hookSaid).toContain('bridge drained after');
    expect(answered).toBe('slept 2500');
    await call;
    expect(pod.messages).toContain('drained on request; waiting for the signal to stop');
    // Then the kubelet stops the server container, and the bridge after it: it exits 0 on its signal.
    expect(pod.bridge.exitCode).toBeNull();
    expect(await stop(pod.agent)).toBe(0);
    expect(await stop(pod.bridge)).toBe(0);
    await client.close().catch(() => undefined);
  }, 60_000);

  it('when the server container stops first without the hook (what Kubernetes does by itself), then the call in flight fails', async () => {
    const pod = await startPod();
    const { client } = await streamableClient(pod.url);
    const call = client.callTool({ name: 'slow', arguments: { ms: 2500 } }).then(
      () => 'answered',
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    await until('the slow call reached the server', () => existsSync(pod.events) && readFileSync(pod.events, 'utf8').includes('slow-started'));
    expect(await stop(pod.agent)).toBe(0);
    expect(await call).not.toBe('answered');
    expect(await stop(pod.bridge)).toBe(0);
    await client.close().catch(() => undefined);
  }, 60_000);
});
