// One client session in per-session mode: one MCP server process of its own, reached through a
// RequestRouter. The session decides where server messages that belong to no request go.
import type { Logger } from 'pino';
import { ErrorCodes, errorResponse, isNotification, isRequest, isResponse, type JSONRPCMessage } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Upstream } from '../upstream/upstream.js';
import type { EventStream, ReplyTarget } from './reply-target.js';
import { RequestRouter, type RouterClient } from './request-router.js';

export type TransportKind = 'streamable-http' | 'sse';

export class Session implements RouterClient {
  lastActivity = Date.now();
  /** Protocol version the client asked for in initialize (decides e.g. whether batches are allowed). */
  protocolVersion: string | undefined;
  private eventStream: EventStream | undefined;
  private ended = false;
  private readonly router: RequestRouter;

  constructor(
    readonly id: string,
    readonly transport: TransportKind,
    private readonly upstream: Upstream,
    metrics: BridgeMetrics,
    private readonly log: Logger,
    private readonly onEnd: (session: Session, reason: string) => void,
  ) {
    this.router = new RequestRouter(upstream, metrics);
    this.router.onUnrelated = (message) => this.deliverUnrelated(message);
    void upstream.closed.then((info) => {
      // Every in-flight request gets an error now, not at the client's timeout.
      this.router.failAll(info.description);
      this.end(`MCP server ${info.description}`);
    });
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /** Resolves when this session's server process is gone. */
  get stopped(): Promise<unknown> {
    return this.upstream.closed;
  }

  get inFlight(): number {
    return this.router.inFlight;
  }

  /** Messages from one HTTP request; `replyFor` gives the target for each request's answer. */
  receive(messages: readonly JSONRPCMessage[], replyFor: (message: JSONRPCMessage) => ReplyTarget): void {
    this.lastActivity = Date.now();
    for (const message of messages) {
      if (isRequest(message)) {
        if (message.method === 'initialize') {
          const version = (message.params as { protocolVersion?: unknown } | undefined)?.protocolVersion;
          if (typeof version === 'string') this.protocolVersion = version;
        }
        this.router.request(this, message, replyFor(message));
      } else if (isNotification(message)) this.router.notify(this, message);
      else if (isResponse(message)) this.router.respond(message);
    }
  }

  /** GET /mcp or GET /sse: the stream for messages no request claims. One at a time. */
  attachStream(stream: EventStream): boolean {
    if (this.eventStream?.isOpen === true) return false;
    this.eventStream = stream;
    return true;
  }

  detachStream(stream: EventStream): void {
    if (this.eventStream === stream) this.eventStream = undefined;
  }

  /** Legacy SSE: every message, replies included, goes on the session's one stream. */
  sendOnStream(message: JSONRPCMessage): void {
    this.eventStream?.send(message);
  }

  hasOpenStream(): boolean {
    return this.eventStream?.isOpen === true;
  }

  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.log.info({ reason }, 'session ended');
    this.eventStream?.close();
    this.onEnd(this, reason);
    void this.upstream.stop();
  }

  /**
   * stdio carries no "related request" field, so in per-session mode (one client, one process) any of
   * the client's streams is correct: prefer the only request in flight (most likely the cause), then
   * the session's event stream, then the latest request. A server request with nowhere to go gets an
   * error at once (ping is answered here: the bridge is alive) so the server never waits in vain.
   */
  private deliverUnrelated(message: JSONRPCMessage): void {
    const sole = this.router.soleReplyOf(this);
    if (sole !== undefined) return sole.deliver(message);
    if (this.eventStream?.isOpen === true && this.eventStream.send(message)) return;
    const latest = this.router.latestReplyOf(this);
    if (latest !== undefined) return latest.deliver(message);
    if (isRequest(message)) {
      const reply = message.method === 'ping'
        ? ({ jsonrpc: '2.0', id: message.id, result: {} } as JSONRPCMessage)
        : errorResponse(message.id, ErrorCodes.internalError, `no client stream is open to deliver ${message.method} to`);
      this.router.respond(reply);
    }
  }
}
