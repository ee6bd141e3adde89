// The one polling helper of the real-process test tiers (operator against the apiserver, e2e on a cluster).

export interface WaitOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between probes (default 100 ms). */
  intervalMs?: number;
}

function describeError(err: unknown): string {
  if (err === undefined) return '';
  return `: ${err instanceof Error ? err.message : JSON.stringify(err)}`;
}

/**
 * Polls `probe` until it returns a value other than undefined, or throws after the timeout naming `what`
 * and the error of the last probe, if it threw. Polling, not sleeping: it returns as soon as the world is right.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}${describeError(last)}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
