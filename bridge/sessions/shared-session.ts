// A client session in shared mode: its own id, streams and log level; the process is the
// SharedUpstream's. initialize is answered by the bridge; everything else goes through the upstream's
// routing, which guarantees that nothing reaches a session that did not ask for it.
import type { Logger } from 'pino';
import { ErrorCodes, errorResponse, isNotification, isRequest, isResponse, type JSONRPCMessage, type RequestId } from '../jsonrpc.js';
import type { AdoptionState } from './adoption.js';
import type { LogLevel } from './log-levels.js';
import type { ReplyTarget } from './reply-target.js';
import type { RequestRouter } from './request-router.js';
import { SessionBase, type TransportKind } from './session-base.js';
import type { SharedClient, SharedUpstream } from './shared-upstream.js';

export class SharedSession extends SessionBase implements SharedClient {
  logLevel: LogLevel | undefined;
  capabilities: Readonly<Record<string, unknown>> | undefined;

  constructor(
    id: string,
    transport: TransportKind,
    private readonly shared: SharedUpstream,
    log: Logger,
    onEnd: (session: SessionBase, reason: string) => void,
  ) {
    super(id, transport, log, onEnd);
    shared.add(this);
  }

  /** An adopted session (session-hub adopt): as if its client's initialize had reached this replica. */
  restore(state: AdoptionState): void {
    this.protocolVersion = state.protocolVersion;
    this.capabilities = state.capabilities;
    this.principal = state.principal;
  }

  get inFlight(): number {
    return this.shared.inFlightFor(this);
  }

  get stopped(): Promise<unknown> {
    return Promise.resolve();
  }

  receive(messages: readonly JSONRPCMessage[], replyFor: (message: JSONRPCMessage) => ReplyTarget): void {
    this.touch();
    for (const message of messages) {
      if (isRequest(message)) {
        const reply = replyFor(message);
        if (message.method === 'initialize') {
          this.rememberVersion(message);
          const declared = message.params?.capabilities;
          this.capabilities = typeof declared === 'object' && declared !== null ? (declared as Record<string, unknown>) : {};
          void this.answerInitialize(message.id, reply);
        } else this.shared.request(this, message, reply);
      } else if (isNotification(message)) this.shared.notify(this, message);
      else if (isResponse(message)) this.shared.respond(this, message);
    }
  }

  /** Stream if open, else a request of this session in flight (same client), else nothing. */
  deliverUnrelated(message: JSONRPCMessage, router: RequestRouter): boolean {
    if (!this.isOpen) return false;
    if (this.eventStream?.isOpen === true && this.eventStream.send(message)) return true;
    const target = router.soleReplyOf(this) ?? router.latestReplyOf(this);
    if (target === undefined) return false;
    target.deliver(message);
    return true;
  }

  protected released(): void {
    this.shared.remove(this);
  }

  private async answerInitialize(id: RequestId, reply: ReplyTarget): Promise<void> {
    const ready = await this.shared.whenReady();
    const result = ready ? this.shared.initializeResult(this.protocolVersion) : undefined;
    if (result === undefined) {
      reply.complete(errorResponse(id, ErrorCodes.upstreamClosed, 'MCP server unavailable: the shared process did not become ready'));
      return;
    }
    reply.complete({ jsonrpc: '2.0', id, result } as unknown as JSONRPCMessage);
  }
}
