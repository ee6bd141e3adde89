// A client session in per-session mode: one MCP server process of its own, reached through a
// RequestRouter. Its initialize goes to that process, so capabilities are truly per client.
import type { Logger } from 'pino';
import { ErrorCodes, errorResponse, isNotification, isRequest, isResponse, type JSONRPCMessage } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Upstream } from '../upstream/upstream.js';
import type { ReplyTarget } from './reply-target.js';
import { RequestRouter } from './request-router.js';
import { SessionBase, type TransportKind } from './session-base.js';

export class IsolatedSession extends SessionBase {
  private readonly router: RequestRouter;

  constructor(
    id: string,
    transport: TransportKind,
    private readonly upstream: Upstream,
    metrics: BridgeMetrics,
    log: Logger,
    onEnd: (session: SessionBase, reason: string) => void,
  ) {
    super(id, transport, log, onEnd);
    upstream.bindSession(id);
    this.router = new RequestRouter(upstream, metrics);
    this.router.onUnrelated = (message) => this.deliverUnrelated(message);
    void upstream.closed.then((info) => {
      // Every in-flight request gets an error now, not at the client's timeout.
      this.router.failAll(info.description);
      this.end(`MCP server ${info.description}`);
    });
  }

  get stopped(): Promise<unknown> {
    return this.upstream.closed;
  }

  get inFlight(): number {
    return this.router.inFlight;
  }

  receive(messages: readonly JSONRPCMessage[], replyFor: (message: JSONRPCMessage) => ReplyTarget): void {
    this.touch();
    for (const message of messages) {
      if (isRequest(message)) {
        if (message.method === 'initialize') this.rememberVersion(message);
        this.router.request(this, message, replyFor(message));
      } else if (isNotification(message)) this.router.notify(this, message);
      else if (isResponse(message)) this.router.respond(message);
    }
  }

  protected released(): void {
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
