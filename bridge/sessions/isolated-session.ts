// A client session in per-session mode: one MCP server process of its own, reached through a
// RequestRouter. Its initialize goes to that process, so capabilities are truly per client — or,
// with --warm-pool-initialize, is answered from the initialize the bridge already did on a pooled
// process, when the client's would have told the server exactly the same (warm-initialize.ts).
import type { Logger } from 'pino';
import { ErrorCodes, errorResponse, isNotification, isRequest, isResponse, type JSONRPCMessage, type JsonRpcRequest } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Upstream } from '../upstream/upstream.js';
import type { ReplyTarget } from './reply-target.js';
import { RequestRouter } from './request-router.js';
import { SessionBase, type TransportKind } from './session-base.js';
import type { TakenProcess } from './warm-pool.js';

interface Bound {
  readonly upstream: Upstream;
  readonly router: RequestRouter;
  /** Set when the bridge initialized the process: the client's initialize is answered from it. */
  readonly initialized: TakenProcess['initialized'];
}

export class IsolatedSession extends SessionBase {
  private bound: Bound | undefined;
  /** The bridge already sent notifications/initialized for a pre-initialized process. */
  private swallowInitialized = false;

  /**
   * `takeProcess` is called once: at once when `bindAtOnce` (the process is chosen before the
   * client's initialize is known), else with the session's first request, so a pre-initialized
   * process goes only to a client whose initialize matches.
   */
  constructor(
    id: string,
    transport: TransportKind,
    private readonly takeProcess: (clientInitialize: JsonRpcRequest | undefined) => TakenProcess,
    private readonly metrics: BridgeMetrics,
    log: Logger,
    onEnd: (session: SessionBase, reason: string) => void,
    bindAtOnce: boolean,
    /** Called once the server answered initialize (the hub measures the process's size then). */
    private readonly onServerReady: (upstream: Upstream) => void = () => undefined,
  ) {
    super(id, transport, log, onEnd);
    if (bindAtOnce) this.bind(undefined);
  }

  get stopped(): Promise<unknown> {
    return this.bound?.upstream.closed ?? Promise.resolve();
  }

  get inFlight(): number {
    return this.bound?.router.inFlight ?? 0;
  }

  receive(messages: readonly JSONRPCMessage[], replyFor: (message: JSONRPCMessage) => ReplyTarget): void {
    this.touch();
    for (const message of messages) {
      const first = messages[0];
      const { router, initialized } = this.bound ?? this.bind(first !== undefined && isRequest(first) && first.method === 'initialize' ? first : undefined);
      if (isRequest(message)) {
        if (message.method === 'initialize') {
          this.rememberVersion(message);
          if (initialized !== undefined && !this.swallowInitialized) {
            this.swallowInitialized = true;
            void this.answerFromWarm(message, initialized, replyFor(message));
            continue;
          }
        }
        router.request(this, message, message.method === 'initialize' ? this.whenAnswered(replyFor(message)) : replyFor(message));
      } else if (isNotification(message)) {
        // The bridge sent the process its notifications/initialized already; a second one is not ours to send.
        if (message.method === 'notifications/initialized' && this.swallowInitialized) continue;
        router.notify(this, message);
      } else if (isResponse(message)) router.respond(message);
    }
  }

  /** The server's pid, when the bridge spawned it and the session has its process. */
  get serverPid(): number | undefined {
    return this.bound?.upstream.pid;
  }

  /** The initialize's reply target, also telling the hub when the server has answered. */
  private whenAnswered(target: ReplyTarget): ReplyTarget {
    return {
      deliver: (m) => target.deliver(m),
      complete: (m) => {
        target.complete(m);
        const upstream = this.bound?.upstream;
        if (upstream !== undefined && !('error' in m)) this.onServerReady(upstream);
      },
      abandon: () => target.abandon(),
    };
  }

  protected released(): void {
    void this.bound?.upstream.stop();
  }

  private bind(clientInitialize: JsonRpcRequest | undefined): Bound {
    const taken = this.takeProcess(clientInitialize);
    const upstream = taken.upstream;
    upstream.bindSession(this.id);
    const router = new RequestRouter(upstream, this.metrics);
    router.onUnrelated = (message) => this.deliverUnrelated(message);
    this.bound = { upstream, router, initialized: taken.initialized };
    void upstream.closed.then((info) => {
      // Every in-flight request gets an error now, not at the client's timeout.
      router.failAll(info.description);
      this.end(`MCP server ${info.description}`);
    });
    if (!this.isOpen) void upstream.stop(); // ended before it had a process: nothing may keep it
    return this.bound;
  }

  private async answerFromWarm(message: JsonRpcRequest, initialized: NonNullable<TakenProcess['initialized']>, reply: ReplyTarget): Promise<void> {
    const result = await initialized;
    if (result === undefined) {
      reply.complete(errorResponse(message.id, ErrorCodes.upstreamClosed, 'MCP server unavailable: its warm initialize failed'));
      this.end('warm initialize failed');
      return;
    }
    reply.complete({ jsonrpc: '2.0', id: message.id, result });
    if (this.bound !== undefined) this.onServerReady(this.bound.upstream);
  }

  /**
   * stdio carries no "related request" field, so in per-session mode (one client, one process) any of
   * the client's streams is correct: prefer the only request in flight (most likely the cause), then
   * the session's event stream, then the latest request. A server request with nowhere to go gets an
   * error at once (ping is answered here: the bridge is alive) so the server never waits in vain.
   */
  private deliverUnrelated(message: JSONRPCMessage): void {
    const router = this.bound?.router;
    if (router === undefined) return;
    const sole = router.soleReplyOf(this);
    if (sole !== undefined) return sole.deliver(message);
    if (this.eventStream?.isOpen === true && this.eventStream.send(message)) return;
    const latest = router.latestReplyOf(this);
    if (latest !== undefined) return latest.deliver(message);
    if (isRequest(message)) {
      const reply = message.method === 'ping'
        ? ({ jsonrpc: '2.0', id: message.id, result: {} } as JSONRPCMessage)
        : errorResponse(message.id, ErrorCodes.internalError, `no client stream is open to deliver ${message.method} to`);
      router.respond(reply);
    }
  }
}
