// Runs MCP probes off the work queue: the reconciler asks (observe), the prober probes in the background
// with bounded concurrency and a timeout, keeps the last result per McpServer, and queues the key again
// when a result arrives or a recheck falls due (so status is written by a reconcile, level-triggered,
// like any other observation). A result is valid for one target fingerprint (config hash, URL, token);
// successes are rechecked every intervalMs, failures sooner, backing off.
import type { Logger } from 'pino';
import type { Clock } from '../queue/clock.js';
import type { ProbeResult } from './probe-result.js';
import type { ProbeTarget } from './probe-target.js';
import { backoffDelay } from '../../common/backoff.js';

export type ProbeFn = (target: ProbeTarget, signal: AbortSignal) => Promise<ProbeResult>;

export interface ProberOptions {
  probe: ProbeFn;
  /** Called with a key whose observation changed or whose recheck is due (the controller queues it). */
  notify: (key: string) => void;
  clock: Clock;
  /** A success is probed again after this long; 0 = only when the target changes. */
  intervalMs: number;
  /** A failure is retried after retryBaseMs · 2^(n-1), at most intervalMs (or retryMaxMs when interval is 0). */
  retryBaseMs: number;
  retryMaxMs: number;
  /**
   * Unreachable is reported only after this many consecutive attempts, graceMs·n apart (a new pod can be
   * Available a moment before kube-proxy routes its Service to it); until then the last result stands.
   */
  graceAttempts: number;
  graceMs: number;
  timeoutMs: number;
  concurrency: number;
  log: Logger;
}

interface Entry {
  fingerprint: string;
  result: ProbeResult;
  at: number;
  failures: number;
}

/** What the reconciler needs of the prober. */
export interface ServerObserver {
  /** The result for this target, if any; schedules a probe when none is fresh. */
  observe(key: string, target: ProbeTarget): ProbeResult | undefined;
  /** The McpServer is gone: drop its result and timers. */
  forget(key: string): void;
}

export class Prober implements ServerObserver {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, { fingerprint: string; abort: AbortController; done: Promise<void> }>();
  private readonly pending = new Map<string, ProbeTarget>();
  private readonly timers = new Map<string, unknown>();
  private stopped = false;

  constructor(private readonly opts: ProberOptions) {}

  observe(key: string, target: ProbeTarget): ProbeResult | undefined {
    const entry = this.entries.get(key);
    const current = entry?.fingerprint === target.fingerprint ? entry : undefined;
    if (current === undefined || this.opts.clock.now() >= current.at + this.delayAfter(current)) this.request(key, target);
    return current === undefined || this.inGrace(current) ? undefined : current.result;
  }

  forget(key: string): void {
    this.entries.delete(key);
    this.pending.delete(key);
    this.inflight.get(key)?.abort.abort();
    this.inflight.delete(key);
    this.clearTimer(key);
  }

  /** Probes queued or running. */
  busy(): boolean {
    return this.pending.size > 0 || this.inflight.size > 0;
  }

  /** Aborts running probes and waits for them; no probe starts afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    for (const key of [...this.timers.keys()]) this.clearTimer(key);
    const running = [...this.inflight.values()];
    this.inflight.clear();
    for (const r of running) r.abort.abort();
    await Promise.all(running.map((r) => r.done));
  }

  private inGrace(entry: Entry): boolean {
    return !entry.result.ok && entry.result.reason === 'Unreachable' && entry.failures < this.opts.graceAttempts;
  }

  private delayAfter(entry: Entry): number {
    const { intervalMs, retryBaseMs, retryMaxMs } = this.opts;
    if (entry.result.ok) return intervalMs > 0 ? intervalMs : Infinity;
    if (this.inGrace(entry)) return this.opts.graceMs * entry.failures;
    const cap = intervalMs > 0 ? Math.min(intervalMs, retryMaxMs) : retryMaxMs;
    return backoffDelay(entry.failures, { baseMs: retryBaseMs, maxMs: cap });
  }

  private request(key: string, target: ProbeTarget): void {
    if (this.stopped || this.inflight.get(key)?.fingerprint === target.fingerprint) return;
    this.pending.set(key, target);
    this.pump();
  }

  private pump(): void {
    for (const [key, target] of this.pending) {
      if (this.inflight.size >= this.opts.concurrency) return;
      if (this.inflight.has(key)) continue; // an older target's probe is finishing; this one runs after it
      this.pending.delete(key);
      this.start(key, target);
    }
  }

  private start(key: string, target: ProbeTarget): void {
    const abort = new AbortController();
    const timer = this.opts.clock.setTimeout(() => {
      abort.abort();
    }, this.opts.timeoutMs);
    const done = this.run(target, abort.signal).then((result) => {
      this.opts.clock.clearTimeout(timer);
      // Not ours any more when the key was forgotten (deleted McpServer) or the prober stopped.
      if (this.inflight.get(key)?.abort !== abort) return;
      this.inflight.delete(key);
      this.record(key, target, result);
      this.pump();
    });
    this.inflight.set(key, { fingerprint: target.fingerprint, abort, done });
  }

  /** The probe never rejects: an unexpected error is a failed probe (and logged as the bug it is). */
  private async run(target: ProbeTarget, signal: AbortSignal): Promise<ProbeResult> {
    try {
      return await this.opts.probe(target, signal);
    } catch (err) {
      if (signal.aborted) return { ok: false, reason: 'Unreachable', message: `no answer within ${String(this.opts.timeoutMs / 1000)}s` };
      this.opts.log.error({ err, url: target.url }, 'MCP probe threw');
      return { ok: false, reason: 'ProbeFailed', message: err instanceof Error ? err.message : String(err) };
    }
  }

  private record(key: string, target: ProbeTarget, result: ProbeResult): void {
    const previous = this.entries.get(key);
    const failures = result.ok ? 0 : previous?.fingerprint === target.fingerprint ? previous.failures + 1 : 1;
    const entry: Entry = { fingerprint: target.fingerprint, result, at: this.opts.clock.now(), failures };
    this.entries.set(key, entry);
    this.opts.log.debug({ key, url: target.url, result }, 'MCP probe finished');
    this.clearTimer(key);
    const delay = this.delayAfter(entry);
    if (Number.isFinite(delay)) {
      this.timers.set(
        key,
        this.opts.clock.setTimeout(() => {
          this.timers.delete(key);
          this.opts.notify(key);
        }, delay),
      );
    }
    this.opts.notify(key);
  }

  private clearTimer(key: string): void {
    const t = this.timers.get(key);
    if (t === undefined) return;
    this.opts.clock.clearTimeout(t);
    this.timers.delete(key);
  }
}
