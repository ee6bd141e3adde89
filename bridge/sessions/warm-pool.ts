// Keeps N server processes started and waiting, so a new session does not pay the cold start
// (npx can take seconds). A process that dies while waiting is replaced, with backoff when they keep
// dying, so a broken command cannot become a fork loop. With --warm-pool-initialize the waiting
// processes are also initialized ahead (warm-initialize.ts), for the clients that allows.
import type { Logger } from 'pino';
import type { JsonRpcRequest } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Upstream } from '../upstream/upstream.js';
import type { InitializeResult } from './initialize.js';
import { matchesWarmInitialize, warmInitialize } from './warm-initialize.js';
import { backoffDelay } from '../../common/backoff.js';

const MAX_BACKOFF_MS = 30_000;
/** See refillSoon(): long enough for a new session's initialize and first call, short next to a runtime start. */
export const REFILL_DELAY_MS = 100;
/** npx/uvx may download the server on its first start: be patient with the warm initialize. */
const WARM_INITIALIZE_TIMEOUT_MS = 60_000;

/** A process for a new session. */
export interface TakenProcess {
  readonly upstream: Upstream;
  /**
   * Set when the process was initialized by the bridge: the client's initialize is to be answered
   * with this result (undefined: the warm initialize failed) and must not reach the process.
   */
  readonly initialized?: Promise<InitializeResult | undefined>;
}

interface Waiting {
  readonly upstream: Upstream;
  readonly initialized?: Promise<InitializeResult | undefined>;
  ready: boolean;
}

export class WarmPool {
  private readonly idle = new Set<Waiting>();
  private failures = 0;
  private refillTimer: NodeJS.Timeout | undefined;
  private refillSoonTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly size: number,
    private readonly create: () => Upstream,
    private readonly log: Logger,
    private readonly metrics: BridgeMetrics,
    private readonly initialize: boolean,
    /** Whether one more process fits under the session cap (sessions + waiting processes). */
    private readonly mayStart: () => boolean = () => true,
  ) {}

  get available(): number {
    return this.idle.size;
  }

  /** True when the last processes started stayed up (or no pool is configured). */
  get healthy(): boolean {
    return this.size === 0 || this.failures === 0;
  }

  start(): void {
    this.fill();
  }

  /**
   * A waiting process if one is alive, else a fresh one; the pool refills in the background. With
   * --warm-pool-initialize, waiting processes are initialized: they go only to a client whose
   * initialize matches the bridge's (or, when it sends none first, to nobody: it gets a fresh one).
   */
  take(clientInitialize: JsonRpcRequest | undefined): TakenProcess {
    if (this.initialize && (clientInitialize === undefined || !matchesWarmInitialize(clientInitialize))) return { upstream: this.create() };
    // Prefer a process that is ready (initialized, when that applies) over one still starting up.
    let taken: Waiting | undefined;
    for (const waiting of this.idle) {
      if (!waiting.upstream.isOpen) continue;
      if (taken === undefined || (waiting.ready && !taken.ready)) taken = waiting;
      if (taken.ready) break;
    }
    if (taken !== undefined) {
      this.idle.delete(taken);
      this.failures = 0;
    }
    this.refillSoon();
    this.updateGauge();
    if (taken === undefined) return { upstream: this.create() };
    return taken.initialized !== undefined ? { upstream: taken.upstream, initialized: taken.initialized } : { upstream: taken.upstream };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.refillTimer);
    clearTimeout(this.refillSoonTimer);
    const waiting = [...this.idle];
    this.idle.clear();
    this.updateGauge();
    await Promise.all(waiting.map((w) => w.upstream.stop()));
  }

  /**
   * Starting a replacement is a whole runtime start (hundreds of ms of CPU for node or python): begun
   * at once, it competes for the CPU with the new session's first exchanges, which are what the pool
   * is there to make fast. So it starts a moment later (REFILL_DELAY_MS).
   */
  private refillSoon(): void {
    if (this.refillSoonTimer !== undefined || this.stopped) return;
    this.refillSoonTimer = setTimeout(() => {
      this.refillSoonTimer = undefined;
      this.fill();
    }, REFILL_DELAY_MS);
    this.refillSoonTimer.unref();
  }

  private fill(): void {
    if (this.stopped || this.refillTimer !== undefined) return;
    while (this.idle.size < this.size && this.mayStart()) {
      const upstream = this.create();
      const startedAt = Date.now();
      const waiting: Waiting = this.initialize
        ? { upstream, ready: false, initialized: warmInitialize(upstream, this.metrics, this.log.child({ upstream: upstream.label }), WARM_INITIALIZE_TIMEOUT_MS) }
        : { upstream, ready: true };
      this.idle.add(waiting);
      void waiting.initialized?.then((result) => {
        waiting.ready = result !== undefined;
        this.updateGauge();
      });
      void upstream.closed.then((info) => {
        if (!this.idle.delete(waiting) || this.stopped) return;
        this.updateGauge();
        // Died while waiting: it never served anyone, so this is a failure of the command itself.
        this.failures = Date.now() - startedAt < 10_000 ? this.failures + 1 : 0;
        const delay = backoffDelay(this.failures + 1, { baseMs: 100, maxMs: MAX_BACKOFF_MS });
        this.log.warn({ exit: info.description, retryInMs: delay }, 'warm server process died while waiting');
        this.refillTimer = setTimeout(() => {
          this.refillTimer = undefined;
          this.fill();
        }, delay);
        this.refillTimer.unref();
      });
    }
    this.updateGauge();
  }

  private updateGauge(): void {
    let ready = 0;
    for (const w of this.idle) if (w.ready && w.upstream.isOpen) ready++;
    this.metrics.warmPoolReady.set(ready);
  }
}
