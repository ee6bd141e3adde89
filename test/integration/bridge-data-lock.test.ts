// --data-lock with real bridge processes: what a replacement pod's bridge does while the old pod still
// runs the same single-writer server on the same volume (docs/reliability.md, "One writer").
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FIXTURE, ROOT, streamableClient, textOf } from './bridge-harness.js';

interface Started {
  readonly proc: ChildProcessWithoutNullStreams;
  /** Every log message, in order, as it arrives. */
  readonly messages: string[];
  /** Resolves with the first log line whose msg is `msg`. */
  next(msg: string): Promise<Record<string, unknown>>;
}

function startBridge(dataDir: string): Started {
  const proc = spawn('node', [join(ROOT, 'dist/bridge/main.js'), '--port', '0', '--session-mode', 'shared', '--data-lock', dataDir, '--', ...FIXTURE], { stdio: 'pipe' });
  const messages: string[] = [];
  const waiters: { msg: string; resolve: (entry: Record<string, unknown>) => void }[] = [];
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const msg = String(entry.msg);
    messages.push(msg);
    for (const w of waiters.filter((x) => x.msg === msg)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(entry);
    }
  });
  proc.stderr.resume();
  return {
    proc,
    messages,
    next: (msg) => new Promise((resolve) => waiters.push({ msg, resolve })),
  };
}

describe('--data-lock: one writer per data volume, across bridges', () => {
  it('when a second bridge starts on the same data while the first runs, then it waits without listening or starting a server, and takes over once the first is killed (SIGKILL too)', async () => {
    const data = mkdtempSync(join(tmpdir(), 'data-lock-it-'));
    const first = startBridge(data);
    const firstUrl = String((await first.next('listening')).url);
    const second = startBridge(data);
    await second.next('waiting for the data lock: another process (the pod before this one) still runs this server on its data');
    // The first still serves; the second has not started anything (no listening line, no server process).
    const { client } = await streamableClient(firstUrl);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'from the first' } }))).toBe('from the first');
    expect(second.messages).not.toContain('listening');
    await client.close().catch(() => undefined);
    // The lock is the kernel's: a holder killed without any chance to clean up releases it too.
    first.proc.kill('SIGKILL');
    const secondUrl = String((await second.next('listening')).url);
    expect(second.messages.indexOf('data lock held')).toBeLessThan(second.messages.indexOf('listening'));
    const next = await streamableClient(secondUrl);
    expect(textOf(await next.client.callTool({ name: 'echo', arguments: { message: 'from the second' } }))).toBe('from the second');
    await next.client.close();
    second.proc.kill('SIGTERM');
    const [code] = (await once(second.proc, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 60_000);

  it('when a waiting bridge is stopped (its pod deleted before the old one let go), then it exits 0 at once and says why', async () => {
    const data = mkdtempSync(join(tmpdir(), 'data-lock-it-'));
    const holder = startBridge(data);
    await holder.next('listening');
    const waiting = startBridge(data);
    await waiting.next('waiting for the data lock: another process (the pod before this one) still runs this server on its data');
    waiting.proc.kill('SIGTERM');
    const [code] = (await once(waiting.proc, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(waiting.messages).toContain('stopped while waiting for the data lock');
    expect(waiting.messages).not.toContain('listening');
    holder.proc.kill('SIGTERM');
    expect(((await once(holder.proc, 'exit')) as [number | null])[0]).toBe(0);
  }, 60_000);

  it('when --data-lock names no directory, then the bridge refuses to start with a message naming it', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'data-lock-it-')), 'typo');
    const proc = spawn('node', [join(ROOT, 'dist/bridge/main.js'), '--port', '0', '--data-lock', missing, '--', ...FIXTURE], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain(`--data-lock ${missing}: not a directory`);
  }, 30_000);
});
