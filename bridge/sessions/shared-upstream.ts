// Shared mode: one MCP server process for every client session (docs/design.md §4).
// The bridge initializes the process once, answers every client's initialize from that result,
// and routes each message so that nothing reaches a session that did not ask for it:
// - requests: ids and progress tokens rewritten by the RequestRouter;
// - */list_changed: to every session; resources/updated: to subscribers (subscriptions ref-counted
//   upstream); logging: see deliverLog;
// - server→client requests: ping and (unless relayed) roots/list answered here; the rest go to the
//   one session with requests in flight, or get an error at once when that is ambiguous;
// - a crash: every in-flight request errors at once; the process restarts with backoff, is
//   re-initialized (subscriptions and log level restored) and client sessions carry on.
import type { Logger } from 'pino';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCodes, errorResponse, isNotification, isRequest, type JSONRPCMessage, type JsonRpcRequest, type RequestId } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Upstream } from '../upstream/upstream.js';
import type { ReplyTarget } from './reply-target.js';
import { RequestRouter, type RouterClient } from './request-router.js';
import { LOG_LEVELS, atLeast, moreVerbose, type LogLevel } from './log-levels.js';
import type { Identity } from '../modern/backend.js';
import { capabilityFor } from '../modern/envelope.js';
import { bridgeListenRequest, probeEra, type Discovered } from '../modern/probe.js';
import { SessionUpgrade } from './session-upgrade.js';
import type { SessionHandoff } from './handoff.js';
import { SubscriptionTable } from './subscriptions.js';
import { backoffDelay } from '../../common/backoff.js';
import { bridgeInitialize, initializeFromDiscover, parseInitializeResult, type InitializeResult } from './initialize.js';


/** What the shared upstream needs of a client (a 2025-era session, a 2026-07-28 request or listen stream). */
export interface SharedClient extends RouterClient {
  readonly isOpen: boolean;
  logLevel: LogLevel | undefined;
  /** What the client declared it can do (2025: in initialize; 2026-07-28: per request); undefined: not known yet. */
  readonly capabilities?: Readonly<Record<string, unknown>> | undefined;
  /** A message for this client not tied to one of its requests (stream, else a request's reply). */
  deliverUnrelated(message: JSONRPCMessage, router: RequestRouter): boolean;
  /** A 2026-07-28 call parked for its MRTR retry: the child's new requests cannot be about it. */
  readonly awaitingClient?: boolean;
  /**
   * A 2026-07-28 client cannot be sent the server's requests: it takes them itself (MRTR) and
   * answers through `answer`. Absent for 2025-era sessions, which get the request on their stream.
   */
  serverRequest?(message: JsonRpcRequest, answer: (response: { result: unknown } | { error: { code: number; message: string } }) => void): void;
}

const READY_TIMEOUT_MS = 30_000;
const MAX_RESTART_BACKOFF_MS = 30_000;
const STABLE_AFTER_MS = 30_000;

/** The bridge itself, as the client of the shared process (its initialize, its subscriptions). */
const BRIDGE: RouterClient = { id: 'bridge' };

export class SharedUpstream {
  private upstream: Upstream | undefined;
  private router: RequestRouter | undefined;
  private init: InitializeResult | undefined;
  /** Set when the process answered server/discover: a 2026-07-28 server (nothing is downgraded for it). */
  private discovered: Discovered | undefined;
  private readyWaiters: (() => void)[] = [];
  private readonly sessions = new Set<SharedClient>();
  private readonly subscriptions = new SubscriptionTable<SharedClient>();
  private readonly serverRequests = new Map<string, { childId: RequestId; client: SharedClient }>();
  private nextServerRequest = 1;
  /** 2025 sessions in front of a 2026-07-28 child (set when the probe finds one). */
  private readonly upgrade = new SessionUpgrade();
  private upstreamLevel: LogLevel | undefined;
  private restarts = 0;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly createUpstream: () => Upstream,
    private readonly metrics: BridgeMetrics,
    private readonly log: Logger,
    private readonly relayRoots: boolean,
    /** Ask each new process server/discover first (--upstream-era auto). */
    private probe: boolean,
  ) {}

  get ready(): boolean {
    return this.init !== undefined && this.upstream?.isOpen === true;
  }

  get inFlight(): number {
    return this.router?.inFlight ?? 0;
  }

  /** For tests and metrics: what the upstream still holds on behalf of sessions. */
  get holdings(): { sessions: number; subscriptions: number; serverRequests: number; inFlight: number } {
    return { sessions: this.sessions.size, subscriptions: this.subscriptions.size, serverRequests: this.serverRequests.size, inFlight: this.inFlight };
  }

  inFlightFor(client: SharedClient): number {
    return this.router?.inFlightFor(client) ?? 0;
  }

  start(): void {
    this.spawn();
  }

  add(client: SharedClient): void {
    this.sessions.add(client);
    // A 2026-07-28 request may carry its own log level: the process must be at least that verbose.
    if (client.logLevel !== undefined) this.applyLogLevel();
  }

  /** A session left: forget its requests, subscriptions and server requests. */
  remove(client: SharedClient): void {
    this.sessions.delete(client);
    this.upgrade.forget(client);
    this.router?.dropClient(client);
    for (const [key, entry] of this.serverRequests) {
      if (entry.client !== client) continue;
      this.serverRequests.delete(key);
      this.router?.respond(errorResponse(entry.childId, ErrorCodes.internalError, 'the client session that was asked has ended'));
    }
    for (const uri of this.subscriptions.drop(client)) if (this.ready) this.bridgeRequest('resources/unsubscribe', { uri });
    this.applyLogLevel();
  }

  /** A listen stream's resource subscription: ref-counted upstream like a session's resources/subscribe. */
  subscribeFor(client: SharedClient, uri: string): void {
    if (this.subscriptions.add(client, uri) && this.ready) this.bridgeRequest('resources/subscribe', { uri });
  }

  /** What a stopping replica hands to its peers for this session (the id carries the rest). */
  handoffOf(client: SharedClient): SessionHandoff {
    return { id: client.id, ...(client.logLevel === undefined ? {} : { logLevel: client.logLevel }), subscriptions: this.subscriptions.of(client) };
  }

  /** An adopted session resumes what its client had set up on the replica that stopped. */
  resume(client: SharedClient, handoff: SessionHandoff): void {
    // A 2026-07-28 child takes no resources/subscribe (session-upgrade.ts refuses it for 2025 sessions).
    if (this.discovered === undefined) for (const uri of handoff.subscriptions) this.subscribeFor(client, uri);
    if (handoff.logLevel !== undefined) {
      client.logLevel = handoff.logLevel;
      this.applyLogLevel();
    }
  }

  /** What the process is and said about itself (undefined until it is ready). */
  get identity(): Identity | undefined {
    if (this.init === undefined) return undefined;
    return this.discovered !== undefined ? { era: 'modern', init: this.init, discovered: this.discovered } : { era: 'legacy', init: this.init };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.upstream?.stop();
  }

  /** The client's initialize, answered from the cached result with a version this client speaks. */
  initializeResult(requested: string | undefined): InitializeResult | undefined {
    if (this.init === undefined) return undefined;
    const server = this.init.protocolVersion;
    const version = requested !== undefined && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) && requested <= server ? requested : server;
    return { ...this.init, protocolVersion: version };
  }

  /** Waits (bounded) until the process is initialized; false if it does not come up in time. */
  async whenReady(): Promise<boolean> {
    if (this.ready) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  request(client: SharedClient, message: JsonRpcRequest, reply: ReplyTarget): void {
    const router = this.router;
    if (!this.ready || router === undefined) {
      // Restarting after a crash: sessions carry on, so hold the request until it is back (bounded).
      void this.whenReady().then((ok) => {
        if (!client.isOpen) return;
        if (ok) this.request(client, message, reply);
        else reply.complete(errorResponse(message.id, ErrorCodes.upstreamClosed, 'MCP server unavailable: it did not come back in time'));
      });
      return;
    }
    if (this.discovered !== undefined && client.serverRequest === undefined) return this.upgrade.request(client, message, reply, router);
    if (message.method === 'resources/subscribe' || message.method === 'resources/unsubscribe') {
      this.subscription(client, message, reply, router);
      return;
    }
    if (message.method === 'logging/setLevel') {
      const level = (message.params as { level?: unknown } | undefined)?.level;
      if (typeof level === 'string' && (LOG_LEVELS as readonly string[]).includes(level)) client.logLevel = level as LogLevel;
      // Process-wide upstream: it runs at the most verbose level any session asked for; each
      // session gets only what it asked for (filtered in deliverLog).
      this.applyLogLevel();
      reply.complete({ jsonrpc: '2.0', id: message.id, result: {} });
      return;
    }
    router.request(client, message, reply);
  }

  notify(client: SharedClient, message: JSONRPCMessage & { method: string }): void {
    // A 2026-07-28 server takes no client notifications on stdio but cancellations.
    if (this.discovered !== undefined && message.method !== 'notifications/cancelled') return;
    // initialized was sent once by the bridge; roots changes are the bridge's own business unless relayed.
    if (message.method === 'notifications/initialized') return;
    if (message.method === 'notifications/roots/list_changed' && !this.relayRoots) return;
    this.router?.notify(client, message);
  }

  /** A client's answer to a server request the bridge routed to it (ids were rewritten on the way). */
  respond(client: SharedClient, message: JSONRPCMessage & { id: RequestId }): void {
    if (this.upgrade.answered(client, message)) return;
    const key = String(message.id);
    const entry = this.serverRequests.get(key);
    if (entry?.client !== client) return; // not asked of this session: never forwarded
    this.serverRequests.delete(key);
    this.router?.respond({ ...message, id: entry.childId });
  }

  private spawn(): void {
    if (this.stopped) return;
    const upstream = this.createUpstream();
    const router = new RequestRouter(upstream, this.metrics);
    router.onUnrelated = (message, inFlight) => this.unrelated(message, inFlight, router);
    this.upstream = upstream;
    this.router = router;
    this.init = undefined;
    this.discovered = undefined;
    const startedAt = Date.now();
    let probing = this.probe;
    void upstream.closed.then((info) => {
      if (probing) {
        // It died on server/discover (a legacy server that cannot take an unknown method before
        // initialize): from now on it is initialized without asking.
        this.probe = false;
        this.log.warn('the server process ended on the server/discover probe; it is taken for a 2025-era server from now on');
      }
      this.init = undefined;
      router.failAll(info.description);
      for (const [key, entry] of this.serverRequests) if (entry.client.isOpen) this.serverRequests.delete(key);
      if (this.stopped) return;
      this.metrics.upstreamRestarts.inc();
      this.restarts = Date.now() - startedAt > STABLE_AFTER_MS ? 1 : this.restarts + 1;
      const delay = backoffDelay(this.restarts, { baseMs: 100, maxMs: MAX_RESTART_BACKOFF_MS });
      this.log.warn({ exit: info.description, restartInMs: delay }, 'shared MCP server process ended; restarting');
      this.restartTimer = setTimeout(() => this.spawn(), delay);
      this.restartTimer.unref();
    });
    if (!probing) return this.initialize(router);
    void probeEra(upstream, this.metrics, this.log, READY_TIMEOUT_MS).then((outcome) => {
      probing = false;
      if (router !== this.router) return;
      if (outcome.era === 'legacy') return this.initialize(router);
      if (outcome.era === 'modern') this.adoptModern(outcome.discovered, router);
    });
  }

  /**
   * A 2026-07-28 server: it is not initialized (it would refuse, its era pinned by the probe).
   * 2025-era sessions get an initialize result made from its DiscoverResult and their requests are
   * upgraded (request()); one listen stream of the bridge's own brings its list changes to them.
   */
  private adoptModern(discovered: Discovered, router: RequestRouter): void {
    this.discovered = discovered;
    this.init = initializeFromDiscover(discovered);
    router.request(BRIDGE, bridgeListenRequest(), {
      deliver: (message) => {
        if (!isNotification(message) || !message.method.endsWith('/list_changed')) return;
        const plain = { jsonrpc: '2.0', method: message.method } as JSONRPCMessage;
        for (const s of this.sessions) if (s.serverRequest === undefined) s.deliverUnrelated(plain, router);
      },
      complete: () => undefined,
      abandon: () => undefined,
    });
    this.log.info({ server: discovered.serverInfo }, 'shared MCP server speaks 2026-07-28: passed through, 2025-era sessions upgraded');
    for (const wake of this.readyWaiters.splice(0)) wake();
  }

  private initialize(router: RequestRouter): void {
    const capabilities: Record<string, unknown> = { sampling: {}, elicitation: {} };
    if (this.relayRoots) capabilities.roots = { listChanged: true };
    router.request(BRIDGE, bridgeInitialize('bridge-initialize', capabilities), {
      deliver: () => undefined,
      complete: (response) => {
        if (router !== this.router) return;
        const init = 'result' in response ? parseInitializeResult(response.result) : undefined;
        if (init === undefined) {
          this.log.error({ response }, 'shared MCP server rejected initialize, or answered with something that is not an InitializeResult');
          void this.upstream?.stop();
          return;
        }
        this.init = init;
        router.notify(BRIDGE, { jsonrpc: '2.0', method: 'notifications/initialized' });
        this.restore();
        this.log.info({ server: this.init.serverInfo, protocolVersion: this.init.protocolVersion }, 'shared MCP server initialized');
        for (const wake of this.readyWaiters.splice(0)) wake();
      },
      abandon: () => undefined,
    });
  }

  /** After a restart: subscriptions and log level as the sessions had them. */
  private restore(): void {
    for (const uri of this.subscriptions.uris()) this.bridgeRequest('resources/subscribe', { uri });
    this.upstreamLevel = undefined;
    this.applyLogLevel();
  }

  private applyLogLevel(): void {
    if (this.discovered !== undefined) return; // levels travel per request to a 2026-07-28 server
    let level: LogLevel | undefined;
    for (const s of this.sessions) if (s.logLevel !== undefined) level = level === undefined ? s.logLevel : moreVerbose(level, s.logLevel);
    if (level === undefined || level === this.upstreamLevel || !this.ready) return;
    this.upstreamLevel = level;
    this.bridgeRequest('logging/setLevel', { level });
  }

  private bridgeRequest(method: string, params: Record<string, unknown>): void {
    const ignore = { deliver: () => undefined, complete: () => undefined, abandon: () => undefined };
    this.router?.request(BRIDGE, { jsonrpc: '2.0', id: `bridge-${method}`, method, params }, ignore);
  }

  private subscription(client: SharedClient, message: JsonRpcRequest, reply: ReplyTarget, router: RequestRouter): void {
    const uri = (message.params as { uri?: unknown } | undefined)?.uri;
    if (typeof uri !== 'string') return router.request(client, message, reply); // let the server reject it
    const ok = { jsonrpc: '2.0', id: message.id, result: {} } as JSONRPCMessage;
    const tellProcess = message.method === 'resources/subscribe' ? this.subscriptions.add(client, uri) : this.subscriptions.remove(client, uri);
    // The process hears of the first subscriber and of the last one leaving; the rest is answered here.
    if (tellProcess) router.request(client, message, reply);
    else reply.complete(ok);
  }

  private unrelated(message: JSONRPCMessage, inFlight: ReadonlySet<RouterClient>, router: RequestRouter): void {
    // A parked 2026-07-28 call (its POST answered input_required) has a request in flight upstream,
    // but the child, blocked on its question, is not working on it: what the child sends now is about
    // another call. Counting it would make every later server request ambiguous until it expires.
    const busy = [...inFlight].filter((c): c is SharedClient => c !== BRIDGE && this.sessions.has(c as SharedClient) && (c as SharedClient).awaitingClient !== true);
    if (isRequest(message)) return this.serverRequest(message, busy, router);
    if (!isNotification(message)) return;
    const method = message.method;
    if (method.endsWith('/list_changed')) {
      for (const s of this.sessions) s.deliverUnrelated(message, router);
    } else if (method === 'notifications/resources/updated') {
      const uri = (message.params as { uri?: unknown } | undefined)?.uri;
      for (const s of typeof uri === 'string' ? this.subscriptions.subscribersOf(uri) : []) s.deliverUnrelated(message, router);
    } else if (method === 'notifications/message') {
      this.deliverLog(message, busy, router);
    } else {
      // Anything else is most plausibly about work in progress: only sessions with requests in flight.
      for (const s of busy) s.deliverUnrelated(message, router);
    }
  }

  /**
   * Logging policy: a log line goes to the sessions with requests in flight (it is most likely
   * about their work), or, when none is busy, to sessions that asked for logs with setLevel; each
   * session only at or above its own level (default: everything).
   */
  private deliverLog(message: JSONRPCMessage & { params?: Record<string, unknown> }, busy: SharedClient[], router: RequestRouter): void {
    const level = message.params?.level;
    // A 2026-07-28 call gets a log line only when it is the one busy client that asked for logs: its
    // stream is its own, and another call's line must not reach it (2025 sessions keep the old rule).
    const modernAsking = busy.filter((s) => s.serverRequest !== undefined && s.logLevel !== undefined);
    const targets = (busy.length > 0 ? busy : [...this.sessions].filter((s) => s.logLevel !== undefined)).filter((s) => s.serverRequest === undefined || modernAsking.length === 1);
    for (const s of targets) {
      if (typeof level === 'string' && s.logLevel !== undefined && !atLeast(level, s.logLevel)) continue;
      s.deliverUnrelated(message, router);
    }
  }

  private serverRequest(message: JSONRPCMessage & JsonRpcRequest, busy: SharedClient[], router: RequestRouter): void {
    const answer = (result: Record<string, unknown>) => router.respond({ jsonrpc: '2.0', id: message.id, result });
    if (message.method === 'ping') return answer({});
    if (message.method === 'roots/list' && !this.relayRoots) return answer({ roots: [] });
    const target = busy.length === 1 ? busy[0] : undefined;
    if (target === undefined) {
      const why = busy.length === 0 ? 'no client has a request in flight' : `${busy.length} clients have requests in flight`;
      return router.respond(errorResponse(message.id, ErrorCodes.internalError, `cannot route ${message.method} in shared mode: ${why}`));
    }
    if (target.serverRequest !== undefined) {
      // A 2026-07-28 request: MRTR (the exchange answers the POST with input_required and relays the
      // client's retry back here, under the id the child used).
      target.serverRequest(message, (response) => router.respond({ jsonrpc: '2.0', id: message.id, ...response } as JSONRPCMessage));
      return;
    }
    const capability = capabilityFor(message.method);
    if (capability !== undefined && target.capabilities !== undefined && !(capability in target.capabilities)) {
      // The shared child was told every client can do this; this one cannot: fail it now, not at a timeout.
      return router.respond(errorResponse(message.id, ErrorCodes.methodNotFound, `the client session did not declare the ${capability} capability`));
    }
    const key = `srv-${this.nextServerRequest++}`;
    this.serverRequests.set(key, { childId: message.id, client: target });
    if (!target.deliverUnrelated({ ...message, id: key }, router)) {
      this.serverRequests.delete(key);
      router.respond(errorResponse(message.id, ErrorCodes.internalError, `no stream open to the client session for ${message.method}`));
    }
  }
}
