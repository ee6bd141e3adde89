// All sessions of one bridge: creation (capacity, warm pool), lookup, idle reaping, and draining.
import type { Logger } from 'pino';
import type { BridgeConfig } from '../config.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Upstream } from '../upstream/upstream.js';
import { Session, type TransportKind } from './session.js';
import type { SessionIds } from './session-ids.js';
import { WarmPool } from './warm-pool.js';

export type OpenResult = { ok: true; session: Session } | { ok: false; status: 503; reason: 'capacity' | 'draining' };

export class SessionHub {
  private readonly sessions = new Map<string, Session>();
  private readonly pool: WarmPool;
  private draining = false;
  private reaper: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: BridgeConfig,
    createUpstream: () => Upstream,
    readonly ids: SessionIds,
    private readonly metrics: BridgeMetrics,
    private readonly log: Logger,
  ) {
    this.pool = new WarmPool(config.warmPool, createUpstream, log);
  }

  start(): void {
    this.pool.start();
    if (this.config.idleTimeout > 0) {
      const every = Math.max(250, Math.min(30_000, (this.config.idleTimeout * 1000) / 4));
      this.reaper = setInterval(() => this.reapIdle(), every);
      this.reaper.unref();
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  get inFlight(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.inFlight;
    return n;
  }

  /** Readiness: can a new session be served right now? */
  get ready(): boolean {
    return !this.draining && this.sessions.size < this.config.maxSessions && this.pool.healthy;
  }

  open(transport: TransportKind): OpenResult {
    if (this.draining) return this.reject('draining');
    if (this.sessions.size >= this.config.maxSessions) return this.reject('capacity');
    const id = this.ids.mint();
    const upstream = this.pool.take();
    const session = new Session(id, transport, upstream, this.metrics, this.log.child({ sessionId: id, upstream: upstream.label }), (s) => this.forget(s));
    this.sessions.set(id, session);
    this.metrics.sessionsCreated.inc({ transport });
    this.metrics.sessionsActive.inc({ transport });
    return { ok: true, session };
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** Stop taking sessions; wait up to graceMs for in-flight requests; then end everything. */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    clearInterval(this.reaper);
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ending = [...this.sessions.values()];
    for (const s of ending) s.end('bridge shutting down');
    await Promise.all([this.pool.stop(), ...ending.map((s) => s.stopped)]);
  }

  private reject(reason: 'capacity' | 'draining'): OpenResult {
    this.metrics.sessionsRejected.inc({ reason });
    return { ok: false, status: 503, reason };
  }

  private forget(session: Session): void {
    if (this.sessions.delete(session.id)) this.metrics.sessionsActive.dec({ transport: session.transport });
  }

  private reapIdle(): void {
    const cutoff = Date.now() - this.config.idleTimeout * 1000;
    for (const s of this.sessions.values()) {
      // An open event stream alone does not keep a session alive: clients that vanish without
      // closing it would otherwise leak a process each (supergateway#141).
      if (s.inFlight === 0 && s.lastActivity < cutoff) s.end('idle timeout');
    }
  }
}
