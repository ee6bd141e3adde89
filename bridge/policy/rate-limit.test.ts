import { RateLimiter, parseRate } from './rate-limit.js';

describe('parseRate', () => {
  it('when a rate is written N/unit, then it becomes tokens per second with a burst of N', () => {
    expect(parseRate('60/m')).toEqual({ perSecond: 1, burst: 60 });
    expect(parseRate('10/s')).toEqual({ perSecond: 10, burst: 10 });
    expect(parseRate('3600/h', 5)).toEqual({ perSecond: 1, burst: 5 });
  });

  it('when the text is not a rate, then there is none', () => {
    for (const bad of ['', '10', '10/d', '0/s', '-1/s', 'x/s', '10 per s']) expect(parseRate(bad)).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 0;
  });

  it('when a caller uses its burst, then the next call is refused with the seconds until a token is back', () => {
    const limiter = new RateLimiter({ perSecond: 0.5, burst: 2 }, clock);
    expect(limiter.take('alice', 'echo')).toEqual({ ok: true });
    expect(limiter.take('alice', 'echo')).toEqual({ ok: true });
    expect(limiter.take('alice', 'echo')).toEqual({ ok: false, retryAfterSeconds: 2 });
    now = 2000;
    expect(limiter.take('alice', 'echo')).toEqual({ ok: true });
    expect(limiter.take('alice', 'echo').ok).toBe(false);
  });

  it('when other callers or other tools are used, then they have buckets of their own', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock);
    expect(limiter.take('alice', 'echo').ok).toBe(true);
    expect(limiter.take('alice', 'echo').ok).toBe(false);
    expect(limiter.take('bob', 'echo').ok).toBe(true);
    expect(limiter.take('alice', 'add').ok).toBe(true);
  });

  it('when a caller is quiet for long, then its bucket is full again but never above the burst', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 3 }, clock);
    for (let i = 0; i < 3; i++) limiter.take('alice', 'echo');
    now = 1_000_000;
    const results = [1, 2, 3, 4].map(() => limiter.take('alice', 'echo').ok);
    expect(results).toEqual([true, true, true, false]);
  });

  it('when more keys are seen than it keeps, then the least recently used bucket is dropped', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock, 2);
    limiter.take('a', 't');
    limiter.take('b', 't');
    limiter.take('c', 't');
    expect(limiter.size).toBe(2);
    // "a" was dropped: its bucket starts full again.
    expect(limiter.take('a', 't').ok).toBe(true);
    // "c" is still known and empty.
    expect(limiter.take('c', 't').ok).toBe(false);
  });
});
