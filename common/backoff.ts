// Capped exponential backoff: the one formula behind every retry of the bridge and the operator
// (shared-process restarts, warm-pool refills, reconcile retries, probe retries, watch restarts). Both
// deployables import it; it imports nothing. Pure.

export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** The delay before retry number `attempt` (1 = the first): baseMs · 2^(attempt − 1), at most maxMs. */
export function backoffDelay(attempt: number, { baseMs, maxMs }: Backoff): number {
  // The exponent is capped so the product stays finite whatever the count.
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
}
