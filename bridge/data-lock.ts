// --data-lock: one writer per data volume, across pods. A Deployment replaces a deleted or evicted pod at
// once, while the old one still drains (and its server still writes) for up to its grace period; with a
// ReadWriteOnce volume on one node both pods mount it, and two memory servers rewriting one file lose
// each other's updates. The bridge therefore takes an exclusive flock(2) on the volume's root directory
// before it listens or starts any server process, and holds it until it exits.
//
// Node has no flock: util-linux's flock(1) holds it for us. It locks DIR, then runs `sh -c 'echo; exec
// cat'`: the line says "held", and cat lives as long as its stdin, our pipe. When the bridge ends (even
// by SIGKILL) the pipe closes, cat exits, flock(1) exits, and the kernel releases the lock: a lock can
// never outlive its holder. The same goes for the waiting side: a bridge stopped while it waits leaves
// nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export const FLOCK = 'flock';

export interface HeldLock {
  readonly dir: string;
  /** Releases the lock (the bridge's exit does it too). */
  release(): Promise<void>;
}

export interface LockEvents {
  /** The lock is held by another process: this one waits (said once, before the wait). */
  waiting?(dir: string): void;
}

export class DataLockError extends Error {}

/**
 * Holds an exclusive lock on `dir`; resolves once it is held. Rejects when flock(1) cannot run or exits
 * (an unreadable directory, flock missing) and when `abort` fires first (the process was asked to stop).
 */
export async function holdDataLock(dir: string, events: LockEvents = {}, abort?: AbortSignal): Promise<HeldLock> {
  // flock(1) would create a missing path as a file and lock that: a typo must not pass for a lock.
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new DataLockError(`--data-lock ${dir}: not a directory (the data volume's mount path)`);
  // Try without waiting first, so a wait is said (logged) before it starts, and never otherwise.
  const now = await tryLock(dir, abort);
  if (now !== undefined) return now;
  events.waiting?.(dir);
  const later = await lock(dir, ['--exclusive'], abort);
  if (later === undefined) throw new DataLockError(`${FLOCK} ${dir} ended without taking the lock`);
  return later;
}

/** Every lock in order (the same order in every pod, so two bridges never hold one each and wait). */
export async function holdDataLocks(dirs: readonly string[], events: LockEvents = {}, abort?: AbortSignal): Promise<HeldLock[]> {
  const held: HeldLock[] = [];
  try {
    for (const dir of [...dirs].sort()) held.push(await holdDataLock(dir, events, abort));
  } catch (err) {
    await Promise.all(held.map((h) => h.release()));
    throw err;
  }
  return held;
}

/** The lock now, or undefined when another process holds it (flock -n exits 1 without running cat). */
function tryLock(dir: string, abort?: AbortSignal): Promise<HeldLock | undefined> {
  return lock(dir, ['--exclusive', '--nonblock', '--conflict-exit-code', '75'], abort, 75);
}

async function lock(dir: string, flags: string[], abort?: AbortSignal, busyCode?: number): Promise<HeldLock | undefined> {
  abort?.throwIfAborted();
  const child = spawn(FLOCK, [...flags, dir, 'sh', '-c', 'echo held; exec cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<[number | null]>((resolve) => child.once('exit', (code) => resolve([code])));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new DataLockError(`cannot run ${FLOCK} for --data-lock ${dir}: ${err.message}`)));
  });
  failed.catch(() => undefined); // raced below; an error after the race is settled is nobody's to handle
  const held = new Promise<true>((resolve) => {
    createInterface({ input: child.stdout }).once('line', () => resolve(true));
  });
  const stop = () => child.kill('SIGKILL');
  abort?.addEventListener('abort', stop, { once: true });
  try {
    const outcome = await Promise.race([held, exited, failed]);
    abort?.throwIfAborted();
    if (outcome === true) return heldLock(dir, child, exited);
    const [code] = outcome;
    if (busyCode !== undefined && code === busyCode) return undefined;
    throw new DataLockError(`--data-lock ${dir}: ${FLOCK} exited with ${String(code)}${stderr === '' ? '' : `: ${stderr.trim()}`}`);
  } finally {
    abort?.removeEventListener('abort', stop);
  }
}

function heldLock(dir: string, child: ChildProcess, exited: Promise<unknown>): HeldLock {
  return {
    dir,
    async release() {
      child.stdin?.end();
      await exited;
    },
  };
}
