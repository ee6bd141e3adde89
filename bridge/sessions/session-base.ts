// What every client session has, whatever the process model: an id, a transport, an optional event
// stream for messages no request claims, activity tracking, and a single end.
import type { Logger } from 'pino';
import type { JSONRPCMessage } from '../jsonrpc.js';
import type { EventStream, ReplyTarget } from './reply-target.js';
import type { RouterClient } from './request-router.js';

export type TransportKind = 'streamable-http' | 'sse';

export abstract class SessionBase implements RouterClient {
  lastActivity = Date.now();
  /** performance.now() at creation (mcp_server_session_duration_seconds). */
  readonly startedAt = performance.now();
  /** Protocol version the client asked for in initialize (decides e.g. whether batches are allowed). */
  protocolVersion: string | undefined;
  /** The validated subject that opened the session (OAuth mode); every later request must be theirs. */
  principal: string | undefined;
  protected eventStream: EventStream | undefined;
  private ended = false;

  constructor(
    readonly id: string,
    readonly transport: TransportKind,
    protected readonly log: Logger,
    private readonly onEnd: (session: SessionBase, reason: string) => void,
  ) {}

  get isOpen(): boolean {
    return !this.ended;
  }

  abstract get inFlight(): number;
  /** Resolves when whatever this session alone holds (its own process, if any) is released. */
  abstract get stopped(): Promise<unknown>;
  /** Messages from one HTTP request; `replyFor` gives the target for each request's answer. */
  abstract receive(messages: readonly JSONRPCMessage[], replyFor: (message: JSONRPCMessage) => ReplyTarget): void;
  protected abstract released(): void;

  /** GET /mcp or GET /sse: the stream for messages no request claims. One at a time. */
  attachStream(stream: EventStream): boolean {
    if (this.eventStream?.isOpen === true) return false;
    this.eventStream = stream;
    return true;
  }

  detachStream(stream: EventStream): void {
    if (this.eventStream !== stream) return;
    this.eventStream = undefined;
    // The grace for a vanished client (--vanished-after) counts from here.
    this.touch();
  }

  hasOpenStream(): boolean {
    return this.eventStream?.isOpen === true;
  }

  /** Legacy SSE: every message, replies included, goes on the session's one stream. */
  sendOnStream(message: JSONRPCMessage): boolean {
    return this.eventStream?.send(message) ?? false;
  }

  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.log.info({ reason }, 'session ended');
    this.eventStream?.close();
    this.onEnd(this, reason);
    this.released();
  }

  protected touch(): void {
    this.lastActivity = Date.now();
  }

  protected rememberVersion(message: JSONRPCMessage): void {
    const version = (message as { params?: { protocolVersion?: unknown } }).params?.protocolVersion;
    if (typeof version === 'string') this.protocolVersion = version;
  }
}
