// Per-caller, per-tool rate limits: one token bucket for each (subject, tool), refilled continuously.
// Counted per pod: with N replicas behind a Service a caller gets up to N times the rate (a shared store
// such as Redis would make it exact, at one round trip per call; docs/security.md#rate-limits). Pure
// apart from the injected clock.

export interface Rate {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Bucket size: calls allowed at once after a quiet period. */
  readonly burst: number;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** "60/m" → 1 per second, burst 60 (the count of the expression unless `burst` says otherwise). */
export function parseRate(text: string, burst?: number): Rate | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*([smh])\s*$/.exec(text);
  if (m === null) return undefined;
  const count = Number(m[1]);
  const seconds = UNIT_SECONDS[m[2] ?? 's'] ?? 1;
  if (!(count > 0)) return undefined;
  return { perSecond: count / seconds, burst: burst ?? Math.max(1, Math.floor(count)) };
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * @param maxKeys buckets kept at most: the least recently used one goes first (a forgotten bucket is
   *   full again, which is what a quiet caller's bucket would be anyway, so only very active key churn
   *   above this bound could get extra calls).
   */
  constructor(
    private readonly rate: Rate,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = 10_000,
  ) {}

  take(subject: string, tool: string): RateDecision {
    const key = `${subject}\u0000${tool}`;
    const t = this.now() / 1000;
    const bucket = this.buckets.get(key) ?? { tokens: this.rate.burst, at: t };
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + (t - bucket.at) * this.rate.perSecond);
    bucket.at = t;
    // Re-insert: Map order is the LRU order.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate.perSecond)) };
  }

  get size(): number {
    return this.buckets.size;
  }
}
