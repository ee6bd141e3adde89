// Every MCP request a client sends the bridge becomes one operation here, whichever era, transport
// or session mode: it starts when the HTTP layer hands the request on (streamable-http.ts,
// legacy-sse.ts, modern-http.ts) and ends when the reply target it wraps gets the response (or is
// abandoned). So the response path needs no instrumentation of its own: every way a response can
// reach a client (the router relaying the child's, the bridge answering itself, an MRTR round ending
// in input_required, an upstream failure) goes through ReplyTarget.complete.
//
// Each operation feeds mcp_server_operation_duration_seconds and, when tracing is on, is one SERVER
// span whose context the RequestRouter hands to the stdio server (ReplyTarget.traceContext).
import type { Logger } from 'pino';
import type { JSONRPCMessage, JsonRpcRequest } from '../jsonrpc.js';
import type { BridgeMetrics, OperationLabels } from '../metrics.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import { KnownNames } from './known-names.js';
import { ATTR, CANCELLED, NETWORK_TRANSPORT, listedNames, methodName, outcomeOf, protocolVersionLabel, spanName, targetOf, type Outcome, type Target } from './semconv.js';
import { incomingTrace, type TraceCarrier } from './trace-context.js';
import type { ServerSpan, Tracing } from './tracing.js';

export interface OperationScope {
  readonly sessionId?: string;
  readonly protocolVersion?: string;
  /** The HTTP request's own trace context (headers), if it had one. */
  readonly headerTrace?: TraceCarrier;
}

/** Long-lived streams, not operations: their "duration" is how long a client listens. */
const NOT_OPERATIONS = new Set(['subscriptions/listen']);

class TrackedReply implements ReplyTarget {
  readonly traceContext: TraceCarrier | undefined;
  private done = false;
  private readonly startedAt = performance.now();

  constructor(
    private readonly owner: Operations,
    private readonly inner: ReplyTarget,
    readonly request: JsonRpcRequest,
    readonly target: Target | undefined,
    readonly scope: OperationScope,
    readonly span: ServerSpan | undefined,
  ) {
    this.traceContext = span?.carrier;
  }

  deliver(message: JSONRPCMessage): void {
    this.inner.deliver(message);
  }

  complete(response: JSONRPCMessage): void {
    this.end(outcomeOf(response), response);
    this.inner.complete(response);
  }

  abandon(): void {
    this.end(CANCELLED, undefined);
    this.inner.abandon();
  }

  private end(outcome: Outcome, response: JSONRPCMessage | undefined): void {
    if (this.done) return;
    this.done = true;
    this.owner.ended(this, outcome, response, (performance.now() - this.startedAt) / 1000);
  }
}

export class Operations {
  readonly names = new KnownNames();

  constructor(
    private readonly metrics: BridgeMetrics,
    private readonly tracer: Tracing | undefined,
    private readonly log: Logger,
    /** Protocol versions that may become label values (the bridge's own list). */
    private readonly versions: readonly string[],
  ) {}

  /** Tracing is on: callers read trace headers only then. */
  get tracing(): boolean {
    return this.tracer !== undefined;
  }

  /** Starts the operation of one client request; the returned target ends it (hand it on instead of `reply`). */
  track(request: JsonRpcRequest, scope: OperationScope, reply: ReplyTarget): ReplyTarget {
    if (NOT_OPERATIONS.has(request.method)) return reply;
    const target = targetOf(request.method, request.params);
    const span = this.tracer?.startServerSpan(spanName(request.method, target), spanAttributes(request, target, scope), incomingTrace(request.params, scope.headerTrace));
    return new TrackedReply(this, reply, request, target, scope, span);
  }

  /** Runs fn with the operation's span active, so log lines emitted meanwhile carry trace_id/span_id. */
  withActive<T>(reply: ReplyTarget | undefined, fn: () => T): T {
    if (this.tracer === undefined || !(reply instanceof TrackedReply) || reply.span === undefined) return fn();
    return this.tracer.withActive(reply.span, fn);
  }

  /** @internal Called once per operation by its TrackedReply. */
  ended(op: TrackedReply, outcome: Outcome, response: JSONRPCMessage | undefined, seconds: number): void {
    const method = op.request.method;
    if (response !== undefined) this.learn(method, op.target, response, outcome);
    this.metrics.observeOperation(this.labels(method, op.target, outcome, op.scope), seconds);
    op.span?.end(outcome);
    if (this.log.isLevelEnabled('debug')) {
      this.log.debug({
        method,
        ...(op.target !== undefined ? { target: op.target.name } : {}),
        ...(op.scope.sessionId !== undefined ? { sessionId: op.scope.sessionId } : {}),
        ...(op.span !== undefined ? { trace_id: op.span.traceId, span_id: op.span.spanId } : {}),
        durationMs: Math.round(seconds * 1e6) / 1e3,
        ...(outcome.errorType !== undefined ? { errorType: outcome.errorType } : {}),
      }, 'mcp operation');
    }
  }

  private learn(method: string, target: Target | undefined, response: JSONRPCMessage, outcome: Outcome): void {
    const listed = listedNames(method, response);
    if (listed !== undefined) return this.names.learn(listed.kind, listed.names);
    // A successful call proves the name exists (the client may have listed on another replica).
    if (target !== undefined && target.kind !== 'resource' && outcome.errorType === undefined) this.names.learn(target.kind, [target.name]);
  }

  labels(method: string, target: Target | undefined, outcome: Outcome, scope: OperationScope): OperationLabels {
    const folded = target === undefined ? '' : this.names.label(target.kind, target.name);
    return {
      mcp_method_name: methodName(method),
      gen_ai_tool_name: target?.kind === 'tool' ? folded : '',
      gen_ai_prompt_name: target?.kind === 'prompt' ? folded : '',
      mcp_resource_uri: target?.kind === 'resource' ? folded : '',
      error_type: outcome.errorType ?? '',
      mcp_protocol_version: protocolVersionLabel(scope.protocolVersion, this.versions),
      network_transport: NETWORK_TRANSPORT,
    };
  }
}

/** Span attributes known at the start (semconv span.mcp.server). */
export function spanAttributes(request: JsonRpcRequest, target: Target | undefined, scope: OperationScope): Record<string, string> {
  const attributes: Record<string, string> = {
    [ATTR.methodName]: request.method,
    [ATTR.networkTransport]: NETWORK_TRANSPORT,
    [ATTR.networkProtocolName]: 'http',
    [ATTR.requestId]: String(request.id),
  };
  if (scope.protocolVersion !== undefined) attributes[ATTR.protocolVersion] = scope.protocolVersion;
  if (scope.sessionId !== undefined) attributes[ATTR.sessionId] = scope.sessionId;
  if (target?.kind === 'tool') {
    attributes[ATTR.toolName] = target.name;
    attributes[ATTR.operationName] = 'execute_tool';
  } else if (target?.kind === 'prompt') attributes[ATTR.promptName] = target.name;
  else if (target?.kind === 'resource') attributes[ATTR.resourceUri] = target.name;
  return attributes;
}
