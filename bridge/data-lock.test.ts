import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLockError, holdDataLock, holdDataLocks } from './data-lock.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'data-lock-'));

describe('--data-lock (flock on the data directory)', () => {
  it('when the lock is free, then it is held at once and nothing says it waited', async () => {
    const waited: string[] = [];
    const lock = await holdDataLock(freshDir(), { waiting: (d) => waited.push(d) });
    expect(waited).toEqual([]);
    await lock.release();
  });

  it('when another holder has it, then the second says it waits and gets it only after the first lets go', async () => {
    const dir = freshDir();
    const steps: string[] = [];
    const first = await holdDataLock(dir);
    steps.push('first held');
    let announce: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (announce = resolve));
    const second = holdDataLock(dir, {
      waiting: () => {
        steps.push('second waits');
        announce();
      },
    }).then((held) => {
      steps.push('second held');
      return held;
    });
    await waiting;
    steps.push('first released');
    await first.release();
    await (await second).release();
    expect(steps).toEqual(['first held', 'second waits', 'first released', 'second held']);
  });

  it('when the process is asked to stop while it waits, then the wait ends with the abort and leaves nothing holding', async () => {
    const dir = freshDir();
    const first = await holdDataLock(dir);
    const stopping = new AbortController();
    const waiting = holdDataLock(dir, { waiting: () => stopping.abort() }, stopping.signal);
    await expect(waiting).rejects.toThrow(/abort/i);
    await first.release();
    // Had the aborted waiter kept its flock(1) alive, it would take the lock now and this would wait.
    const again = await holdDataLock(dir, { waiting: () => { throw new Error('the aborted waiter still holds or waits'); } });
    await again.release();
  });

  it('when the directory does not exist, then the error names it (flock would have created a file and locked that)', async () => {
    const missing = join(freshDir(), 'no-such-dir');
    const err = await holdDataLock(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataLockError);
    expect((err as Error).message).toContain(missing);
  });

  it('when several directories are locked, then all are held, and released together', async () => {
    const dirs = [freshDir(), freshDir()];
    const held = await holdDataLocks(dirs);
    expect(held.map((h) => h.dir).sort()).toEqual([...dirs].sort());
    await Promise.all(held.map((h) => h.release()));
  });
});
