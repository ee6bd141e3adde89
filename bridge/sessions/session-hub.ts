// All sessions of one bridge: creation (capacity, warm pool), lookup, idle reaping, and draining.
import type { Logger } from 'pino';
import type { BridgeConfig } from '../config.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Upstream } from '../upstream/upstream.js';
import { encodeAdoption, type AdoptionState } from './adoption.js';
import { PendingHandoffs, worthHandingOff, type SessionHandoff } from './handoff.js';
import { processGroupMemory, type SessionCapacity } from './capacity.js';
import { longestIdle } from './eviction.js';
import { IsolatedSession } from './isolated-session.js';
import type { SessionBase, TransportKind } from './session-base.js';
import type { SessionIds } from './session-ids.js';
import { SharedSession } from './shared-session.js';
import { SharedUpstream } from './shared-upstream.js';
import { WarmPool } from './warm-pool.js';
import type { ModernBackend } from '../modern/backend.js';
import { Continuations } from '../modern/continuations.js';
import type { ModernExchange } from '../modern/exchange.js';
import type { RequestStateCodec } from '../modern/request-state.js';
import { SharedModernBackend } from '../modern/shared-backend.js';
import { WorkerPool } from '../modern/worker-pool.js';

/** Server sizes measured after initialize until this many; later ones come from the reaper's samples. */
const MEASURED_AT_START = 3;

export type OpenResult = { ok: true; session: SessionBase } | { ok: false; status: 503; reason: 'capacity' | 'draining' };

/**
 * Drain waits (within --shutdown-grace) until no session was used for this long. Long enough for a
 * client on a loaded machine to send the next request of one exchange (LiteLLM: initialize, call, DELETE).
 */
const DRAIN_QUIET_MS = 2000;

/**
 * Ended shared-mode sessions remembered so that adopt() does not revive them: bounded, oldest first out
 * (a client that keeps using an id this long after ending it gets a fresh adoption, which is harmless).
 */
const MAX_TOMBSTONES = 10_000;

/** How long a handoff received from a stopping peer waits for its session's next request here. */
const HANDOFF_TTL_MS = 10 * 60_000;

export class SessionHub {
  private readonly sessions = new Map<string, SessionBase>();
  private readonly pool: WarmPool;
  /** Set in shared mode: the one process all sessions use. */
  readonly shared: SharedUpstream | undefined;
  /** Where 2026-07-28 requests are served (the shared process, or per-session mode's worker pool). */
  readonly modern: ModernBackend;
  private readonly workers: WorkerPool | undefined;
  /** MRTR continuations held on this replica. */
  readonly continuations: Continuations<ModernExchange>;
  /** Shutdown began its drain (after --drain-delay): no reaping, no warm pool refill. */
  private draining = false;
  /** The drain is over and sessions are being ended: only now is new work refused (503). */
  private ending = false;
  private advertising = true;
  private reaper: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: BridgeConfig,
    createUpstream: () => Upstream,
    readonly ids: SessionIds,
    private readonly metrics: BridgeMetrics,
    private readonly log: Logger,
    readonly codec: RequestStateCodec,
    /** The session cap: --max-sessions, or what the memory limit holds (capacity.ts). */
    readonly capacity: SessionCapacity,
  ) {
    // Waiting processes take memory like sessions' do: a pool never holds more than the cap leaves.
    metrics.capacityProbe = () => ({ max: capacity.max, serverPrivateBytes: capacity.serverPrivateBytes, full: this.full });
    const mayStart = () => this.sessions.size + this.pool.available < capacity.max;
    this.pool = new WarmPool(config.sessionMode === 'shared' ? 0 : config.warmPool, createUpstream, log, metrics, config.warmPoolInitialize, mayStart);
    this.shared = config.sessionMode === 'shared' ? new SharedUpstream(createUpstream, metrics, log, config.relayRoots, config.upstreamEra === 'auto') : undefined;
    this.continuations = new Continuations(config.mrtrMaxPending, config.mrtrTimeout * 1000, metrics);
    if (this.shared !== undefined) {
      this.modern = new SharedModernBackend(this.shared, metrics);
    } else {
      // Workers come from the warm pool when it holds plain started processes (a pre-initialized one
      // was told other capabilities than a worker is).
      this.workers = new WorkerPool({
        start: () => (config.warmPoolInitialize ? createUpstream() : this.pool.take(undefined).upstream),
        max: config.modernWorkers,
        warm: config.modernWarm,
        idleTimeoutMs: config.idleTimeout * 1000,
        capabilities: modernChildCapabilities(config.relayRoots),
        probe: config.upstreamEra === 'auto',
        metrics,
        log: log.child({ modern: true }),
      });
      this.modern = this.workers;
    }
  }

  start(): void {
    this.pool.start();
    // Initialized workers ready for the first 2026-07-28 requests (--modern-warm).
    if (this.config.modernWarm > 0) this.workers?.topUp(0);
    this.shared?.start();
    const limits = [this.config.idleTimeout, this.config.vanishedAfter].filter((s) => s > 0);
    if (limits.length > 0) {
      const every = Math.max(250, Math.min(30_000, (Math.min(...limits) * 1000) / 4));
      this.reaper = setInterval(() => this.reapIdle(), every);
      this.reaper.unref();
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * False only once the drain is over and sessions are being ended: new work (sessions, modern requests)
   * then gets 503. While the drain waits, whatever still reaches this pod is served: it was routed here by
   * a proxy that has not caught up with the endpoint removal yet (kube-proxy on a loaded node can take
   * longer than --drain-delay), and a 503 would fail a call this pod can still answer.
   */
  get acceptingWork(): boolean {
    return !this.ending;
  }

  get inFlight(): number {
    let n = this.modern.inFlight;
    for (const s of this.sessions.values()) n += s.inFlight;
    return n;
  }

  /**
   * Readiness: can a new session be served right now? At the cap it still can while some session is
   * evictable (idle); only when every session has a request in flight is the pod full.
   */
  get ready(): boolean {
    const upstreamOk = this.shared !== undefined ? this.shared.ready : this.pool.healthy;
    return this.advertising && !this.draining && !this.full && upstreamOk;
  }

  /** At the cap with nothing evictable: a new session would get 503. */
  get full(): boolean {
    return this.sessions.size >= this.capacity.max && longestIdle(this.sessions.values()) === undefined;
  }

  /**
   * A new session. `adoption`: what its client's initialize said; in shared mode on Streamable HTTP it
   * rides in the id, so another replica can adopt the session when this one is gone (adopt()).
   */
  open(transport: TransportKind, adoption?: AdoptionState): OpenResult {
    if (this.ending) return this.reject('draining');
    if (!this.makeRoom()) return this.reject('capacity');
    const state = this.shared !== undefined && transport === 'streamable-http' && adoption !== undefined ? encodeAdoption(adoption) : undefined;
    const id = this.ids.mint(state);
    const session = this.shared !== undefined
      ? new SharedSession(id, transport, this.shared, this.log.child({ sessionId: id }), (s, reason) => this.forget(s, reason))
      : this.isolated(id, transport);
    this.sessions.set(id, session);
    this.metrics.sessionsCreated.inc({ transport });
    this.metrics.sessionsActive.inc({ transport });
    return { ok: true, session };
  }

  get(id: string): SessionBase | undefined {
    return this.sessions.get(id);
  }

  /** Whether sessions of other replicas can be taken over here (shared mode: any process serves them). */
  get adopts(): boolean {
    return this.shared !== undefined;
  }

  /**
   * Takes over a shared-mode Streamable HTTP session whose owner replica is gone, under the same id and
   * with the state the id carried; undefined when this replica cannot (per-session mode, ending, full).
   * A draining replica still adopts: the session is then adopted again, from its id, once this one is gone.
   */
  adopt(id: string, state: AdoptionState, pulled?: SessionHandoff): SessionBase | undefined {
    // A session that ended here (DELETE, eviction, idle) stays ended: its dead owner must not revive it.
    if (this.shared === undefined || this.ending || this.ended.has(id) || !this.makeRoom()) return undefined;
    const session = new SharedSession(id, 'streamable-http', this.shared, this.log.child({ sessionId: id }), (s, reason) => this.forget(s, reason));
    session.restore(state);
    this.sessions.set(id, session);
    this.metrics.sessionsAdopted.inc();
    // What its client set up since initialize, when its owner handed that over as it stopped (to this
    // replica, or to a peer this one asked: http/peer-handoff.ts pullHandoff).
    const handoff = this.handoffs.take(id) ?? pulled;
    if (handoff !== undefined) {
      this.shared.resume(session, handoff);
      this.metrics.sessionHandoffs.inc({ stage: 'applied' });
    }
    this.metrics.sessionsActive.inc({ transport: 'streamable-http' });
    return session;
  }

  /** Handoffs from stopping peers for sessions not (yet) adopted here. */
  private readonly handoffs = new PendingHandoffs(HANDOFF_TTL_MS);

  /**
   * What a peer handed over as it stopped (http/peer-handoff.ts). A session already adopted here resumes
   * it at once; any other is kept for its adoption. Only genuine, adoptable ids of this McpServer count.
   * Returns how many entries were taken.
   */
  receiveHandoff(entries: readonly SessionHandoff[]): number {
    const shared = this.shared;
    if (shared === undefined) return 0;
    let taken = 0;
    for (const entry of entries) {
      if (this.ended.has(entry.id) || this.ids.parse(entry.id)?.state === undefined) continue;
      const session = this.sessions.get(entry.id);
      if (session instanceof SharedSession) shared.resume(session, entry);
      else if (session === undefined) this.handoffs.put(entry);
      else continue;
      taken++;
    }
    this.metrics.sessionHandoffs.inc({ stage: 'received' }, taken);
    return taken;
  }

  /** Whether a handoff for this session waits here (adopt() will apply it). */
  holdsHandoff(id: string): boolean {
    return this.handoffs.has(id);
  }

  /**
   * What this replica knows of a session for a peer that is adopting it without a handoff of its own (it
   * became ready after the owner's): the handoff kept here, or the live state of a session adopted here.
   */
  handoffFor(id: string): SessionHandoff | undefined {
    const session = this.sessions.get(id);
    if (session instanceof SharedSession && this.shared !== undefined) return this.shared.handoffOf(session);
    return this.handoffs.peek(id);
  }

  /** This replica's adoptable sessions with something their ids do not carry (log level, subscriptions). */
  handoffState(): SessionHandoff[] {
    const shared = this.shared;
    if (shared === undefined) return [];
    const out: SessionHandoff[] = [];
    for (const s of this.sessions.values()) {
      if (!(s instanceof SharedSession) || !s.isOpen || s.transport !== 'streamable-http' || this.ids.parse(s.id)?.state === undefined) continue;
      const entry = shared.handoffOf(s);
      if (worthHandingOff(entry)) out.push(entry);
    }
    return out;
  }

  /** Ids of sessions that ended here, newest last, at most MAX_TOMBSTONES (adopt() refuses them). */
  private readonly ended = new Set<string>();

  private tombstone(id: string): void {
    this.ended.add(id);
    if (this.ended.size > MAX_TOMBSTONES) {
      const oldest = this.ended.values().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }

  /**
   * At the cap, the longest-idle session makes room (its client gets 404 next time and initializes
   * again) before anyone is refused; the OOM killer would otherwise end them all. False: no room.
   */
  private makeRoom(): boolean {
    while (this.sessions.size >= this.capacity.max) {
      const victim = longestIdle(this.sessions.values());
      if (victim === undefined) return false;
      this.metrics.evictions.inc({ reason: 'capacity' });
      victim.end('evicted: the bridge is at its session cap and this session was idle longest');
      this.sessions.delete(victim.id); // end() forgets it; never loop on a session that was already ended
    }
    return true;
  }

  private isolated(id: string, transport: TransportKind): IsolatedSession {
    // Pre-initialized processes fit only some clients: the session takes one when its initialize is known.
    const bindAtOnce = !this.config.warmPoolInitialize;
    const onServerReady = (upstream: Upstream) => {
      if (this.measured < MEASURED_AT_START) this.measure(upstream.pid);
    };
    return new IsolatedSession(id, transport, (init) => this.pool.take(init), this.metrics, this.log.child({ sessionId: id }), (s, reason) => this.forget(s, reason), bindAtOnce, onServerReady);
  }

  private measured = 0;

  /** One server's size (its process group) into the capacity estimate. */
  private measure(pid: number | undefined): void {
    if (!this.capacity.measuresServers || pid === undefined) return;
    const memory = processGroupMemory(pid);
    if (memory === undefined) return;
    this.measured++;
    const before = this.capacity.max;
    this.capacity.observe(memory);
    const after = this.capacity.max;
    if (this.measured === 1 || after !== before) {
      this.log.info({ serverPrivateBytes: memory.privateBytes, serverSharedBytes: memory.sharedBytes, estimateBytes: this.capacity.serverPrivateBytes, maxSessions: after }, 'session cap from the memory limit');
    }
  }

  /** True once shutdown began (readiness off): responses then close their connection (see serveBridge). */
  get stopping(): boolean {
    return !this.advertising;
  }

  /** Readiness off (so Kubernetes stops routing here) while sessions are still served normally. */
  stopAdvertising(): void {
    this.advertising = false;
  }

  /**
   * Wait up to graceMs for in-flight requests (the hub's own plus what `otherInFlight` reports, e.g.
   * requests being relayed to another replica) and until sessions are quiet, still serving what arrives;
   * then hand what the sessions' ids do not carry to the peers (`handOff`, shared mode), and only then
   * refuse new work and end everything: a relayed request from now on makes the peer adopt the session
   * (forward.ts), and by then the peer has its handoff.
   */
  async drain(graceMs: number, otherInFlight: () => number = () => 0, handOff?: (entries: SessionHandoff[]) => Promise<void>): Promise<void> {
    this.advertising = false;
    this.draining = true;
    clearInterval(this.reaper);
    const deadline = Date.now() + graceMs;
    // Also until every session has been quiet for a moment: a client between two requests of one
    // exchange (LiteLLM's initialize, call, DELETE; a session opened here while the Service still routed
    // to this pod) would otherwise find its session gone on the next request (404).
    while ((this.inFlight + otherInFlight() > 0 || this.recentlyActive(Date.now() - DRAIN_QUIET_MS)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const handoff = this.handoffState();
    if (handOff !== undefined && handoff.length > 0) await handOff(handoff);
    this.ending = true;
    const ending = [...this.sessions.values()];
    for (const s of ending) s.end('bridge shutting down');
    this.modern.closeListeners();
    this.continuations.expireAll();
    await Promise.all([this.pool.stop(), this.shared?.stop(), this.workers?.stop(), ...ending.map((s) => s.stopped)]);
  }

  private recentlyActive(since: number): boolean {
    for (const s of this.sessions.values()) if (s.isOpen && s.lastActivity > since) return true;
    return false;
  }

  private reject(reason: 'capacity' | 'draining'): OpenResult {
    this.metrics.sessionsRejected.inc({ reason });
    return { ok: false, status: 503, reason };
  }

  private forget(session: SessionBase, reason: string): void {
    if (!this.sessions.delete(session.id)) return;
    if (this.shared !== undefined) this.tombstone(session.id);
    this.metrics.sessionsActive.dec({ transport: session.transport });
    this.metrics.observeSession(session.protocolVersion, sessionErrorType(reason), (performance.now() - session.startedAt) / 1000);
    // Room again under the cap: the warm pool may refill (it is not refilled past the cap).
    if (!this.draining) this.pool.start();
  }

  private reapIdle(): void {
    const now = Date.now();
    const idleCutoff = this.config.idleTimeout > 0 ? now - this.config.idleTimeout * 1000 : -Infinity;
    const vanishedCutoff = this.config.vanishedAfter > 0 ? now - this.config.vanishedAfter * 1000 : -Infinity;
    // Servers grow with use: the oldest session's process (first in the map) is re-measured each round.
    const oldest = this.sessions.values().next().value;
    if (oldest instanceof IsolatedSession) this.measure(oldest.serverPid);
    for (const s of this.sessions.values()) {
      if (s.inFlight > 0) continue;
      // An open event stream alone does not keep a session alive: clients that vanish without
      // closing it would otherwise leak a process each (supergateway#141).
      if (s.lastActivity < idleCutoff) {
        this.metrics.evictions.inc({ reason: 'idle' });
        s.end('idle timeout');
      }
      // No GET stream (closed, or never opened) and nothing asked for a while: the client is most
      // likely gone without a DELETE (the SDK client's close() sends none). Its next request, if it
      // comes, gets 404 and it initializes again.
      else if (!s.hasOpenStream() && s.lastActivity < vanishedCutoff) {
        this.metrics.evictions.inc({ reason: 'vanished' });
        s.end('client vanished (no stream, no request)');
      }
    }
  }
}

/**
 * error.type of an ended session (semconv: only when it ended with an error): its server process
 * went away under it. A DELETE, a closed SSE stream, an idle or vanished client, a shutdown are
 * ordinary ends.
 */
export function sessionErrorType(reason: string): string | undefined {
  return reason.startsWith('MCP server') || reason === 'warm initialize failed' ? 'upstream_closed' : undefined;
}

/**
 * What a process serving 2026-07-28 requests is told the client can do: sampling and elicitation
 * (each request's own capabilities decide, per request, whether the bridge relays the server's ask as
 * MRTR or answers -32021), roots only with --relay-roots. The same for every caller, so the server's
 * lists are the same for every caller (the revision requires it; caching hints say "public").
 */
export function modernChildCapabilities(relayRoots: boolean): Record<string, unknown> {
  return { sampling: {}, elicitation: {}, ...(relayRoots ? { roots: {} } : {}) };
}
