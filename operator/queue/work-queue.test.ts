import { FakeClock } from '../../test/lib/fake-clock.js';
import { WorkQueue } from './work-queue.js';

const backoff = { baseMs: 100, maxMs: 1000, jitter: 0 };

describe('WorkQueue', () => {
  it('when a key is added many times before it is taken, then it is processed once', async () => {
    const q = new WorkQueue(new FakeClock(), backoff);
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.depth()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.depth()).toBe(0);
  });

  it('when a key is added while it is being processed, then it is not handed out again until done', async () => {
    const q = new WorkQueue(new FakeClock(), backoff);
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.depth()).toBe(0);
    let second: string | undefined;
    const waiting = q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(key ?? '');
    await waiting;
    expect(second).toBe('a');
  });

  it('when a worker is waiting, then an added key wakes it', async () => {
    const q = new WorkQueue(new FakeClock(), backoff);
    const got = q.get();
    q.add('x');
    expect(await got).toBe('x');
  });

  it('when a key keeps failing, then its delay doubles up to the max, and forget resets it', () => {
    const q = new WorkQueue(new FakeClock(), backoff);
    expect([1, 2, 3, 4, 5].map(() => q.addRateLimited('a'))).toEqual([100, 200, 400, 800, 1000]);
    expect(q.failuresOf('a')).toBe(5);
    q.forget('a');
    expect(q.addRateLimited('a')).toBe(100);
  });

  it('when jitter is set, then delays spread around the exponential value', () => {
    const q = new WorkQueue(new FakeClock(), { baseMs: 1000, maxMs: 60_000, jitter: 0.5 }, () => 0);
    expect(q.addRateLimited('a')).toBe(750);
    const r = new WorkQueue(new FakeClock(), { baseMs: 1000, maxMs: 60_000, jitter: 0.5 }, () => 0.999999);
    expect(r.addRateLimited('a')).toBe(1250);
  });

  it('when a key is rate limited, then it is queued only once its delay has passed', () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock, backoff);
    q.addRateLimited('a');
    clock.advance(99);
    expect(q.depth()).toBe(0);
    clock.advance(1);
    expect(q.depth()).toBe(1);
  });

  it('when addAfter is called twice, then the earlier deadline wins', () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock, backoff);
    q.addAfter('a', 500);
    q.addAfter('a', 50);
    q.addAfter('a', 900);
    expect(clock.pending()).toBe(1);
    clock.advance(50);
    expect(q.depth()).toBe(1);
  });

  it('when failures of one key pile up, then other keys are unaffected', () => {
    const q = new WorkQueue(new FakeClock(), backoff);
    q.addRateLimited('a');
    q.addRateLimited('a');
    expect(q.failuresOf('b')).toBe(0);
    q.add('b');
    expect(q.depth()).toBe(1);
  });

  it('when shut down, then waiting workers get undefined and timers are cleared', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock, backoff);
    q.addAfter('a', 10);
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    expect(clock.pending()).toBe(0);
    q.add('b');
    expect(q.depth()).toBe(0);
  });
});
