// Keeps N server processes started and waiting, so a new session does not pay the cold start
// (npx can take seconds). A process that dies while waiting is replaced, with backoff when they keep
// dying, so a broken command cannot become a fork loop.
import type { Logger } from 'pino';
import type { Upstream } from '../upstream/upstream.js';

const MAX_BACKOFF_MS = 30_000;

export class WarmPool {
  private readonly idle = new Set<Upstream>();
  private failures = 0;
  private refillTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly size: number,
    private readonly create: () => Upstream,
    private readonly log: Logger,
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

  /** A waiting process if one is alive, else a fresh one. The pool refills in the background. */
  take(): Upstream {
    let taken: Upstream | undefined;
    for (const upstream of this.idle) {
      this.idle.delete(upstream);
      if (upstream.isOpen) {
        taken = upstream;
        this.failures = 0;
        break;
      }
    }
    this.fill();
    return taken ?? this.create();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.refillTimer);
    const waiting = [...this.idle];
    this.idle.clear();
    await Promise.all(waiting.map((u) => u.stop()));
  }

  private fill(): void {
    if (this.stopped || this.refillTimer !== undefined) return;
    while (this.idle.size < this.size) {
      const upstream = this.create();
      const startedAt = Date.now();
      this.idle.add(upstream);
      void upstream.closed.then((info) => {
        if (!this.idle.delete(upstream) || this.stopped) return;
        // Died while waiting: it never served anyone, so this is a failure of the command itself.
        this.failures = Date.now() - startedAt < 10_000 ? this.failures + 1 : 0;
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 10));
        this.log.warn({ exit: info.description, retryInMs: delay }, 'warm server process died while waiting');
        this.refillTimer = setTimeout(() => {
          this.refillTimer = undefined;
          this.fill();
        }, delay);
        this.refillTimer.unref();
      });
    }
  }
}
