// One 2026-07-28 request served by a legacy (2025-era) stdio process, from its first POST to its
// final result, across any number of MRTR rounds.
//
// The legacy process sees one ordinary request (one upstream id, kept by the RequestRouter) for the
// whole life of the exchange. When it asks the client for something mid-call (sampling/createMessage,
// elicitation/create, roots/list), the modern client cannot be asked directly: the exchange answers
// the current POST with an `input_required` result (the child's request as an input request, and a
// signed requestState naming this continuation), keeps the upstream request pending, and waits. The
// client's retry (a new POST, a new id, the same method, with inputResponses + requestState) resumes
// the exchange: the answers go to the child under the ids it used, and whatever the child sends next
// (progress, logs, another request, the final result) goes to the retry's response.
import type { Logger } from 'pino';
import { ErrorCodes, errorResponse, type JSONRPCMessage, type JsonRpcRequest, type RequestId } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import { atLeast, type LogLevel } from '../sessions/log-levels.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import type { Continuations } from './continuations.js';
import { ModernErrorCodes, capabilityFor, type Envelope } from './envelope.js';
import type { RequestStateCodec } from './request-state.js';
import { modernResponse, type ServerInfo } from './results.js';

export interface ExchangeDeps {
  readonly continuations: Continuations<ModernExchange>;
  readonly codec: RequestStateCodec;
  /** host:port of this replica (goes into requestState). */
  readonly self: string;
  readonly serverInfo: () => ServerInfo | undefined;
  readonly metrics: BridgeMetrics;
  readonly log: Logger;
}

/** The client side of the exchange right now: the POST whose response is still open. */
interface Current {
  readonly id: RequestId;
  readonly reply: ReplyTarget;
  readonly progressToken: string | number | undefined;
}

interface PendingInput {
  readonly method: string;
  readonly params: unknown;
  /** Answers the child's request (the id it used is the caller's business). */
  readonly answer: (response: { result: unknown } | { error: { code: number; message: string } }) => void;
}

let counter = 0;
/** How long the first server request of a round waits for the child's next ones. */
export const GATHER_MS = 10;

export class ModernExchange {
  readonly id = `modern-${(++counter).toString(36)}-${Date.now().toString(36)}`;
  readonly modern = true;
  logLevel: LogLevel | undefined;
  private current: Current | undefined;
  /** The child's final response when it came while no POST was open (answered on the retry). */
  private finalResponse: JSONRPCMessage | undefined;
  private readonly inputs = new Map<string, PendingInput>();
  private nextInput = 1;
  private ended = false;
  private gathering: NodeJS.Timeout | undefined;
  /** A capability the child asked for that the client did not declare (its request was refused). */
  private refusedCapability: 'sampling' | 'elicitation' | 'roots' | undefined;
  /** Set by the backend: called when the call parks (per-session mode frees a worker slot then). */
  onParked: () => void = () => undefined;
  /** Set by the backend: releases what the exchange holds (and cancels the upstream request if still pending). */
  onEnd: (reason: string) => void = () => undefined;

  constructor(
    readonly method: string,
    /** What the request names (tool, prompt, resource URI): the requestState is bound to it. */
    private readonly target: string | undefined,
    private readonly envelope: Envelope,
    first: { id: RequestId; reply: ReplyTarget; progressToken: string | number | undefined },
    private readonly deps: ExchangeDeps,
  ) {
    this.logLevel = envelope.logLevel;
    this.current = first;
    this.upstreamReply = {
      traceContext: first.reply.traceContext,
      deliver: (message) => this.deliver(message),
      complete: (response) => this.complete(response),
      abandon: () => this.finish('abandoned'),
    };
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /** Parked: its POST was answered input_required and it waits for the retry (the child waits too). */
  get awaitingClient(): boolean {
    return !this.ended && this.current === undefined;
  }

  /**
   * The target the router answers the upstream request to. It carries the first round's trace
   * context: the child's one request belongs to the operation that started it; later rounds are
   * operations (spans) of their own in the same trace when the client continues it.
   */
  readonly upstreamReply: ReplyTarget;

  /** The client closed the response stream of `reply`: the revision's cancellation signal (if it is still the open one). */
  cancel(reply: ReplyTarget): void {
    if (this.ended || this.current?.reply !== reply) return;
    this.current = undefined;
    reply.abandon(); // nobody to answer; the operation ends as cancelled
    this.failInputs('the client cancelled the request');
    this.finish('cancelled by the client (response stream closed)');
  }

  /**
   * A message from the process not tied to a request id (stdio has none): while this exchange is the
   * only one that can have caused it, logs come here. Only at or above the request's own log level,
   * and none at all when it set none (2026-07-28: the server MUST NOT send them then).
   */
  deliverUnrelated(message: JSONRPCMessage): boolean {
    if (this.ended || this.current === undefined || !('method' in message)) return false;
    if (message.method !== 'notifications/message') return false; // list changes go to listen streams
    const level = (message as { params?: { level?: unknown } }).params?.level;
    if (this.logLevel === undefined || (typeof level === 'string' && !atLeast(level, this.logLevel))) return false;
    this.current.reply.deliver(message);
    return true;
  }

  /** A request the child sends while this exchange is its only possible cause. */
  serverRequest(message: JsonRpcRequest, answer: PendingInput['answer']): void {
    if (message.method === 'ping') return answer({ result: {} });
    const capability = capabilityFor(message.method);
    if (capability === undefined) return answer({ error: { code: ErrorCodes.methodNotFound, message: `${message.method} cannot be relayed to a 2026-07-28 client` } });
    if (this.ended) return answer({ error: { code: ErrorCodes.internalError, message: 'the client request this belonged to has ended' } });
    if (!(capability in this.envelope.capabilities)) {
      // Never asked of a client that did not declare it (MRTR rule). The child gets an error for its
      // request and decides: a server that can do without goes on (and may ask for what the client
      // does offer); if the call then fails, it needed the capability, and the client gets the
      // revision's -32021 naming it (see complete()).
      this.refusedCapability ??= capability;
      answer({ error: { code: ErrorCodes.methodNotFound, message: `the client did not declare the ${capability} capability` } });
      return;
    }
    this.inputs.set(`input-${this.nextInput++}`, { method: message.method, params: message.params ?? {}, answer });
    // A server often asks several things at once (elicitation, sampling, roots): requests arriving
    // within GATHER_MS go into one round instead of one round each.
    if (this.current !== undefined && this.gathering === undefined) {
      this.gathering = setTimeout(() => {
        this.gathering = undefined;
        this.askClient();
      }, GATHER_MS);
    }
  }

  /**
   * The client's retry (already verified to carry this exchange's requestState). Answers the child's
   * waiting requests from inputResponses; asks again for any still missing; else waits for the child.
   */
  resume(retry: JsonRpcRequest, reply: ReplyTarget): void {
    const progressToken = retry.params?._meta?.progressToken as string | number | undefined;
    this.current = { id: retry.id, reply, progressToken };
    this.deps.metrics.mrtr.inc({ outcome: 'resumed' });
    const responses = retry.params?.inputResponses;
    const given = typeof responses === 'object' && responses !== null ? (responses as Record<string, unknown>) : {};
    for (const [key, input] of [...this.inputs]) {
      if (!Object.hasOwn(given, key)) continue;
      this.inputs.delete(key);
      input.answer({ result: withoutResultType(given[key]) });
    }
    if (this.inputs.size > 0) return this.askClient();
    if (this.finalResponse !== undefined) {
      const response = this.finalResponse;
      this.finalResponse = undefined;
      this.complete(response);
    }
  }

  /** The continuation timed out or the bridge shuts down: the call is given up. */
  expire(): void {
    this.failInputs('the client did not retry in time (--mrtr-timeout)');
    this.finish('MRTR continuation expired');
  }

  private deliver(message: JSONRPCMessage): void {
    const current = this.current;
    if (current === undefined) return; // between rounds: no stream to carry it
    const params = (message as { params?: Record<string, unknown> }).params;
    if ('method' in message && message.method === 'notifications/progress' && params !== undefined && current.progressToken !== undefined) {
      current.reply.deliver({ ...message, params: { ...params, progressToken: current.progressToken } });
      return;
    }
    current.reply.deliver(message);
  }

  private complete(response: JSONRPCMessage): void {
    const current = this.current;
    if (current === undefined) {
      // Between rounds (the child answered without waiting for its input): kept for the retry.
      this.finalResponse = response;
      return;
    }
    this.current = undefined;
    const failed = 'error' in response || (response as { result?: { isError?: unknown } }).result?.isError === true;
    if (failed && this.refusedCapability !== undefined) {
      current.reply.complete({
        jsonrpc: '2.0',
        id: current.id,
        error: { code: ModernErrorCodes.missingClientCapability, message: `Missing required client capability: ${this.refusedCapability}`, data: { requiredCapabilities: { [this.refusedCapability]: {} } } },
      });
    } else {
      current.reply.complete(modernResponse(this.method, response, current.id, this.deps.serverInfo(), this.target));
    }
    this.failInputs('the call completed');
    this.finish('completed');
  }

  /** Answers the open POST with input_required for every input still missing. */
  private askClient(): void {
    const current = this.current;
    if (current === undefined) return;
    if (!this.deps.continuations.park(this)) {
      // At --mrtr-max-pending: the child's requests fail (it decides what its call does then).
      this.failInputs('too many MRTR continuations are pending on this replica (--mrtr-max-pending)');
      return;
    }
    const inputRequests: Record<string, unknown> = {};
    for (const [key, input] of this.inputs) inputRequests[key] = { method: input.method, params: input.params };
    const requestState = this.deps.codec.sign({
      owner: this.deps.self,
      continuation: this.id,
      method: this.method,
      expiresAt: Date.now() + this.deps.continuations.timeoutMs,
      ...(this.target !== undefined ? { target: this.target } : {}),
    });
    this.current = undefined;
    this.deps.metrics.mrtr.inc({ outcome: 'input_required' });
    this.onParked();
    const serverInfo = this.deps.serverInfo();
    current.reply.complete({
      jsonrpc: '2.0',
      id: current.id,
      result: { resultType: 'input_required', inputRequests, requestState, ...(serverInfo !== undefined ? { _meta: { 'io.modelcontextprotocol/serverInfo': serverInfo } } : {}) },
    });
  }

  private failInputs(why: string): void {
    for (const input of this.inputs.values()) input.answer({ error: { code: ErrorCodes.internalError, message: why } });
    this.inputs.clear();
  }

  private finish(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.gathering);
    this.deps.continuations.drop(this.id);
    const current = this.current;
    this.current = undefined;
    // A reply still open when the child will never answer (abandoned): the client gets an error.
    if (current !== undefined) current.reply.complete(errorResponse(current.id, ErrorCodes.upstreamClosed, `MCP server unavailable: ${reason}`));
    this.onEnd(reason);
  }
}

function withoutResultType(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const rest: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  delete rest.resultType;
  return rest;
}
