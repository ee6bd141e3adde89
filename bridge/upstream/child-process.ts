// The process supervisor: the only place the bridge spawns. Each server gets an argv array (never a
// shell string), an explicit env, and its own process group, so stopping it also stops whatever it
// started (npx → node, uvx → python), and no grandchild is ever orphaned.
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ByteChannel, ExitInfo } from './byte-channel.js';

/** Wait this long after closing stdin, then SIGTERM, then this long again, then SIGKILL. */
export const STOP_STEP_MS = 2000;
const STDERR_LINE_CAP = 4096;

export interface SpawnOptions {
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly log: Logger;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    // ESRCH: the whole group is already gone, which is the goal.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function describe(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return `exited with code ${code ?? 'unknown'}`;
}

/** Logs stderr line by line, each line capped, so a chatty server cannot flood memory or logs. */
function pipeStderr(stream: NodeJS.ReadableStream, logger: () => Logger): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = (lines.pop() ?? '').slice(0, STDERR_LINE_CAP);
    for (const line of lines) if (line.trim() !== '') logger().info({ stderr: line.slice(0, STDERR_LINE_CAP) }, 'server stderr');
  });
  stream.on('end', () => {
    if (partial.trim() !== '') logger().info({ stderr: partial }, 'server stderr');
  });
}

export function spawnServer(opts: SpawnOptions): ByteChannel {
  const [file, ...args] = opts.command;
  if (file === undefined) throw new Error('empty server command');
  const child = spawn(file, args, { env: { ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  // Rebound by tag(): a warm process learns its session id only when a session takes it.
  let log = opts.log.child({ pid: child.pid });
  let stopRequested = false;

  const exited: Promise<ExitInfo> = new Promise((resolve) => {
    child.once('error', (err) => {
      // Spawn failure (ENOENT, EACCES): there is no process to wait for.
      log.error({ err: err.message, command: opts.command }, 'server process failed to start');
      resolve({ description: `could not start: ${err.message}`, requested: stopRequested });
    });
    child.once('exit', (code, signal) => {
      // Sweep the group: a server that exited may leave children behind.
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      const info = { description: describe(code, signal), requested: stopRequested };
      log.debug({ code, signal }, 'server process exited');
      resolve(info);
    });
  });
  pipeStderr(child.stderr, () => log);
  // Writes after the child died raise EPIPE on the stream; the exit path reports the real cause.
  child.stdin.on('error', (err) => log.debug({ err: err.message }, 'server stdin closed'));

  let stopping: Promise<ExitInfo> | undefined;
  const stop = (): Promise<ExitInfo> => {
    stopping ??= (async () => {
      stopRequested = true;
      const pid = child.pid;
      if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return exited;
      child.stdin.end();
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        const gone = await Promise.race([exited.then(() => true), delay(STOP_STEP_MS, false, { ref: false })]);
        if (gone) return exited;
        signalGroup(pid, signal);
      }
      return exited;
    })();
    return stopping;
  };

  const tag = (bindings: Record<string, string>): void => {
    log = log.child(bindings);
  };
  return { label: `pid ${child.pid ?? '?'}`, ...(child.pid !== undefined ? { pid: child.pid } : {}), input: child.stdin, output: child.stdout, exited, stop, tag };
}
