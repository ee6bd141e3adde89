import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const b = { baseMs: 100, maxMs: 5_000 };

  it('when retries follow each other, then the delay doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, b))).toEqual([100, 200, 400, 800, 1600, 3200, 5000]);
  });

  it('when the count is huge or below 1, then the delay stays finite and at least the base', () => {
    expect(backoffDelay(10_000, b)).toBe(5_000);
    expect(backoffDelay(0, b)).toBe(100);
    expect(Number.isFinite(backoffDelay(10_000, { baseMs: 1, maxMs: Number.MAX_SAFE_INTEGER }))).toBe(true);
  });
});
