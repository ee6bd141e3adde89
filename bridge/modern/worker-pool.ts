// Per-session mode, 2026-07-28 requests: a pool of initialized "worker" processes, each serving ONE
// modern request at a time (a lease from the request's first POST to its final result, across MRTR
// rounds), reused by later requests.
//
// Why a lease of one: stdio carries no "related request", so a log line or a server request
// (sampling, elicitation, roots) from the process can only be attributed exactly when one request is
// in flight on it; that is what makes MRTR and per-request log levels exact in this mode.
// Why reuse is safe: 2026-07-28 has no sessions. A modern client cannot rely on any state living
// between two requests (any replica may serve the next one; cross-call state must travel in
// server-minted handles), so a process that served one request may serve the next, as a modern
// server process would. What per-session mode still isolates is the 2025-era sessions: workers are
// never handed to a session, and sessions' processes never serve modern requests. A server whose
// per-process state must not be seen by the next caller should not be offered to modern clients
// through a reusable pool; see docs/protocol.md ("Which process serves a modern request").
import type { Logger } from 'pino';
import { ErrorCodes, errorResponse, isNotification, isRequest, type JSONRPCMessage, type JsonRpcRequest } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import { moreVerbose, type LogLevel } from '../sessions/log-levels.js';
import { RequestRouter } from '../sessions/request-router.js';
import { initializeFromDiscover } from '../sessions/initialize.js';
import { warmInitialize } from '../sessions/warm-initialize.js';
import type { Upstream } from '../upstream/upstream.js';
import { forChild, type Identity, type ModernBackend } from './backend.js';
import { probeEra } from './probe.js';
import type { ModernExchange } from './exchange.js';
import type { ListenStream } from './listen.js';

/** npx/uvx may download the server on its first start. */
const INITIALIZE_TIMEOUT_MS = 60_000;
/** How long a request waits for a free worker when all --modern-workers are busy. */
const LEASE_WAIT_MS = 30_000;
const BRIDGE = { id: 'bridge' };

interface Worker {
  readonly upstream: Upstream;
  readonly router: RequestRouter;
  readonly identity: Identity;
  busy: ModernExchange | undefined;
  /** A 2026-07-28 child serves many calls at once (see modernShared): those in flight. */
  readonly calls: Set<ModernExchange>;
  level: LogLevel | undefined;
  idleSince: number;
}

export interface WorkerPoolOptions {
  /** A started, not yet initialized process (taken from the warm pool when there is one). */
  readonly start: () => Upstream;
  readonly max: number;
  /** Workers kept idle or starting (--modern-warm), from the start. */
  readonly warm: number;
  /** Idle workers beyond one are stopped after this long (0: never). */
  readonly idleTimeoutMs: number;
  /** What every worker is told the client can do (see docs/protocol.md: the same for every caller). */
  readonly capabilities: Readonly<Record<string, unknown>>;
  /** Ask each new worker server/discover first (--upstream-era auto). */
  readonly probe: boolean;
  readonly metrics: BridgeMetrics;
  readonly log: Logger;
}

export class WorkerPool implements ModernBackend {
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private starting = 0;
  private readonly waiters: ((worker: Worker | undefined) => void)[] = [];
  private readonly listeners = new Set<ListenStream>();
  /** uri → listen streams that want its updates (subscribed upstream on every worker while > 0). */
  private readonly uris = new Map<string, number>();
  private lastIdentity: Identity | undefined;
  /**
   * A 2026-07-28 child needs no lease of one: it relates its own messages to requests (MRTR and logs
   * are in-band), and its requestState and listen streams are its own process's. So one such worker
   * serves every modern call at once: a retry then always reaches the process that issued its state.
   */
  private modernShared: Worker | undefined;
  private probe: boolean;
  private stopped = false;
  private readonly reaper: NodeJS.Timeout | undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    this.probe = options.probe;
    if (options.idleTimeoutMs > 0) {
      this.reaper = setInterval(() => this.reapIdle(), Math.max(250, Math.min(30_000, options.idleTimeoutMs / 4)));
      this.reaper.unref();
    }
  }

  get knownIdentity(): Identity | undefined {
    return this.lastIdentity;
  }

  get inFlight(): number {
    let n = 0;
    for (const w of this.workers) n += w.router.inFlight;
    return n;
  }

  async identity(): Promise<Identity | undefined> {
    if (this.lastIdentity !== undefined) return this.lastIdentity;
    const worker = await this.acquire();
    if (worker !== undefined) this.release(worker);
    return this.lastIdentity;
  }

  serve(exchange: ModernExchange, request: JsonRpcRequest): void {
    if (this.modernShared?.upstream.isOpen === true) return this.serveShared(this.modernShared, exchange, request);
    void this.acquire().then((worker) => {
      if (worker?.identity.era === 'modern') {
        this.modernShared = worker;
        return this.serveShared(worker, exchange, request);
      }
      if (worker === undefined) {
        exchange.upstreamReply.complete(errorResponse(request.id, ErrorCodes.upstreamClosed, 'MCP server unavailable: no worker process could be started or freed in time'));
        return;
      }
      if (!exchange.isOpen) return this.release(worker);
      this.topUp();
      worker.busy = exchange;
      exchange.onParked = () => this.slotFreed();
      exchange.onEnd = () => {
        worker.router.dropClient(exchange); // cancels the upstream request if it is still pending
        this.release(worker);
      };
      this.applyLevel(worker, exchange.logLevel);
      worker.router.request(exchange, forChild(request, 'legacy'), exchange.upstreamReply);
    });
  }

  private serveShared(worker: Worker, exchange: ModernExchange, request: JsonRpcRequest): void {
    worker.calls.add(exchange);
    exchange.onEnd = () => {
      worker.calls.delete(exchange);
      worker.router.dropClient(exchange);
    };
    worker.router.request(exchange, forChild(request, 'modern'), exchange.upstreamReply);
  }

  listen(stream: ListenStream, onClose: (handler: () => void) => void): void {
    this.listeners.add(stream);
    this.updateGauge();
    for (const uri of stream.resourceUris) {
      const count = this.uris.get(uri) ?? 0;
      this.uris.set(uri, count + 1);
      if (count === 0) for (const w of this.workers) this.bridgeRequest(w, 'resources/subscribe', { uri });
    }
    // Somebody must be listening upstream: keep at least one worker alive while streams are open.
    if (this.workers.size === 0 && this.starting === 0) void this.identity();
    onClose(() => {
      this.listeners.delete(stream);
      for (const uri of stream.resourceUris) {
        const count = (this.uris.get(uri) ?? 1) - 1;
        if (count > 0) {
          this.uris.set(uri, count);
          continue;
        }
        this.uris.delete(uri);
        for (const w of this.workers) this.bridgeRequest(w, 'resources/unsubscribe', { uri });
      }
    });
  }

  closeListeners(): void {
    const info = this.lastIdentity?.init.serverInfo;
    for (const stream of [...this.listeners]) stream.close(info);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reaper);
    for (const wake of this.waiters.splice(0)) wake(undefined);
    await Promise.all([...this.workers].map((w) => w.upstream.stop()));
  }

  private acquire(): Promise<Worker | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    while (this.idle.length > 0) {
      const worker = this.idle.pop();
      if (worker?.upstream.isOpen === true) {
        this.updateGauge();
        return Promise.resolve(worker);
      }
    }
    if (this.working + this.starting < this.options.max) return this.spawn();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(wake);
        if (i !== -1) this.waiters.splice(i, 1);
        resolve(undefined);
      }, LEASE_WAIT_MS);
      const wake = (worker: Worker | undefined): void => {
        clearTimeout(timer);
        resolve(worker);
      };
      this.waiters.push(wake);
    });
  }

  /**
   * Workers counted against --modern-workers: not those whose call is parked for its MRTR retry (the
   * child waits, blocked; a client that never retries would otherwise hold a slot until
   * --mrtr-timeout). Parked workers are bounded by --mrtr-max-pending instead.
   */
  private get working(): number {
    let n = 0;
    for (const w of this.workers) if (w.busy?.awaitingClient !== true) n++;
    return n;
  }

  /**
   * Keeps max(1, --modern-warm) workers idle or starting once modern traffic has begun (--modern-warm
   * also before it: start()), so the next request does not wait for a cold start.
   */
  topUp(minimum = 1): void {
    const want = Math.max(minimum, this.options.warm);
    while (this.idle.length + this.starting < want && this.working + this.starting < this.options.max && !this.stopped) {
      void this.spawn().then((spare) => {
        if (spare !== undefined) this.release(spare);
      });
    }
  }

  /** A call parked: its slot is free, so a waiting request may get a new worker now. */
  private slotFreed(): void {
    if (this.waiters.length === 0 || this.working + this.starting >= this.options.max) return;
    const wake = this.waiters.shift();
    if (wake !== undefined) void this.spawn().then(wake);
  }

  private release(worker: Worker): void {
    worker.busy = undefined;
    worker.idleSince = Date.now();
    if (!worker.upstream.isOpen || this.stopped) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) return waiter(worker);
    this.idle.push(worker);
    this.updateGauge();
  }

  private async spawn(): Promise<Worker | undefined> {
    this.starting++;
    this.updateGauge();
    const upstream = this.options.start();
    const identity = await this.introduce(upstream);
    this.starting--;
    if (identity === undefined || this.stopped) {
      void upstream.stop();
      this.updateGauge();
      return undefined;
    }
    // The router takes onMessage over only now (until then the probe / warm initialize answer the process).
    const router = new RequestRouter(upstream, this.options.metrics);
    const worker: Worker = { upstream, router, identity, busy: undefined, calls: new Set(), level: undefined, idleSince: Date.now() };
    this.lastIdentity = identity;
    this.workers.add(worker);
    router.onUnrelated = (message) => this.unrelated(worker, message);
    void upstream.closed.then((info) => {
      router.failAll(info.description);
      this.workers.delete(worker);
      if (this.modernShared === worker) this.modernShared = undefined;
      const i = this.idle.indexOf(worker);
      if (i !== -1) this.idle.splice(i, 1);
      this.updateGauge();
    });
    if (identity.era === 'legacy') for (const uri of this.uris.keys()) this.bridgeRequest(worker, 'resources/subscribe', { uri });
    this.updateGauge();
    return worker;
  }

  /** Probe (unless a probe once killed a process), then initialize a legacy server. */
  private async introduce(upstream: Upstream): Promise<Identity | undefined> {
    const log = this.options.log.child({ upstream: upstream.label });
    if (this.probe) {
      const outcome = await probeEra(upstream, this.options.metrics, log, INITIALIZE_TIMEOUT_MS);
      if (outcome.era === 'gone') {
        this.probe = false;
        log.warn('the server process ended on the server/discover probe; it is taken for a 2025-era server from now on');
        return undefined;
      }
      if (outcome.era === 'modern') {
        const { discovered } = outcome;
        return { era: 'modern', init: initializeFromDiscover(discovered), discovered };
      }
    }
    const initialized = await warmInitialize(upstream, this.options.metrics, log, INITIALIZE_TIMEOUT_MS, this.options.capabilities);
    return initialized === undefined ? undefined : { era: 'legacy', init: initialized };
  }

  private unrelated(worker: Worker, message: JSONRPCMessage): void {
    const sole = worker.calls.size === 1 ? [...worker.calls][0] : undefined;
    const busy = worker.busy ?? sole;
    if (isRequest(message)) {
      const answer = (response: { result: unknown } | { error: { code: number; message: string } }): void => {
        worker.router.respond({ jsonrpc: '2.0', id: message.id, ...response } as JSONRPCMessage);
      };
      if (busy !== undefined) return busy.serverRequest(message, answer);
      return answer(message.method === 'ping' ? { result: {} } : { error: { code: ErrorCodes.internalError, message: 'no client request is in flight on this process' } });
    }
    if (!isNotification(message)) return;
    if (message.method.endsWith('/list_changed') || message.method === 'notifications/resources/updated') {
      for (const stream of this.listeners) stream.deliverUnrelated(message);
      return;
    }
    busy?.deliverUnrelated(message);
  }

  /** A request's log level: the worker must be at least that verbose (logs are filtered per request). */
  private applyLevel(worker: Worker, level: LogLevel | undefined): void {
    if (level === undefined || worker.identity.init.capabilities.logging === undefined) return;
    const wanted = worker.level === undefined ? level : moreVerbose(worker.level, level);
    if (wanted === worker.level) return;
    worker.level = wanted;
    this.bridgeRequest(worker, 'logging/setLevel', { level: wanted });
  }

  private bridgeRequest(worker: Worker, method: string, params: Record<string, unknown>): void {
    const ignore = { deliver: () => undefined, complete: () => undefined, abandon: () => undefined };
    worker.router.request(BRIDGE, { jsonrpc: '2.0', id: `bridge-${method}`, method, params }, ignore);
  }

  private reapIdle(): void {
    const cutoff = Date.now() - this.options.idleTimeoutMs;
    // Keep one: the next request should not pay a cold start, and listen streams need an ear upstream.
    while (this.idle.length > 1) {
      const oldest = this.idle[0];
      if (oldest === undefined || oldest.idleSince > cutoff) break;
      this.idle.shift();
      this.workers.delete(oldest);
      void oldest.upstream.stop();
    }
    this.updateGauge();
  }

  private updateGauge(): void {
    const idle = this.idle.length;
    this.options.metrics.modernWorkers.set({ state: 'idle' }, idle);
    this.options.metrics.modernWorkers.set({ state: 'busy' }, this.workers.size - idle);
    this.options.metrics.modernWorkers.set({ state: 'starting' }, this.starting);
    this.options.metrics.listenStreams.set(this.listeners.size);
  }
}
