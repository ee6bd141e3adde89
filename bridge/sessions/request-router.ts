// Routes JSON-RPC between client sessions and one upstream server process.
// Every client request gets a bridge-unique upstream id, and its progress token a bridge-unique
// token, so responses and progress go back to exactly the session and HTTP request that asked, with
// the client's own id restored (same JSON type and value) — even when a client reuses an id while the
// first is still in flight, or when many clients share one process and all count from 0.
import { ErrorCodes, errorResponse, isNotification, isRequest, isResponse, type JSONRPCMessage, type JsonRpcParams, type JsonRpcRequest, type RequestId } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import { withTraceContext } from '../telemetry/trace-context.js';
import type { Upstream } from '../upstream/upstream.js';
import type { ReplyTarget } from './reply-target.js';

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

/** What the router needs to know of a client session: only its identity. */
export interface RouterClient {
  readonly id: string;
}

interface Pending {
  readonly client: RouterClient;
  readonly originalId: RequestId;
  readonly method: string;
  readonly reply: ReplyTarget;
  /** performance.now() when sent (a double: no BigInt per request as with hrtime.bigint). */
  readonly startedAt: number;
  readonly progressToken: string | number | undefined;
}


function withProgressToken(params: JsonRpcParams | undefined, token: string | number): JsonRpcParams | undefined {
  if (params?._meta === undefined) return params;
  return { ...params, _meta: { ...params._meta, progressToken: token } };
}

export class RequestRouter {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly upstream: Upstream,
    private readonly metrics: BridgeMetrics,
  ) {
    upstream.onMessage = (message) => this.fromUpstream(message);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  inFlightFor(client: RouterClient): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.client === client) n++;
    return n;
  }

  /** The reply target of the only request this client has in flight, if exactly one. */
  soleReplyOf(client: RouterClient): ReplyTarget | undefined {
    let found: ReplyTarget | undefined;
    for (const p of this.pending.values()) {
      if (p.client !== client) continue;
      if (found !== undefined) return undefined;
      found = p.reply;
    }
    return found;
  }

  /** The most recent request of this client still in flight. */
  latestReplyOf(client: RouterClient): ReplyTarget | undefined {
    let found: ReplyTarget | undefined;
    for (const p of this.pending.values()) if (p.client === client) found = p.reply;
    return found;
  }

  request(client: RouterClient, message: JsonRpcRequest, reply: ReplyTarget): void {
    this.metrics.countMessage('to_server', message.method);
    const upstreamId = this.nextId++;
    const params = message.params;
    const token = params?._meta?.progressToken as string | number | undefined;
    const entry: Pending = { client, originalId: message.id, method: message.method, reply, startedAt: performance.now(), progressToken: token };
    this.pending.set(upstreamId, entry);
    this.metrics.trackInFlight(1);
    let outParams = token !== undefined ? withProgressToken(params, upstreamId) : params;
    if (reply.traceContext !== undefined) outParams = withTraceContext(outParams, reply.traceContext);
    const outgoing = outParams === params ? { ...message, id: upstreamId } : { ...message, id: upstreamId, params: outParams };
    if (!this.upstream.send(outgoing)) this.fail(upstreamId, entry, 'the MCP server is not running');
  }

  /** A notification from the client; cancellations are rewritten to the id the server saw. */
  notify(client: RouterClient, message: JSONRPCMessage & { method: string; params?: JsonRpcParams }): void {
    this.metrics.countMessage('to_server', message.method);
    if (message.method === 'notifications/cancelled') {
      const requestId = message.params?.requestId as RequestId | undefined;
      const found = requestId === undefined ? undefined : this.findByOriginal(client, requestId);
      // Unknown ids MAY be ignored (spec); initialize MUST NOT be cancelled.
      if (found === undefined || found[1].method === 'initialize') return;
      const [upstreamId, entry] = found;
      this.settle(upstreamId, entry);
      entry.reply.abandon();
      this.upstream.send({ ...message, params: { ...message.params, requestId: upstreamId } });
      return;
    }
    this.upstream.send(message);
  }

  /** A client's response to a request the server made (sampling, roots, elicitation): passed through. */
  respond(message: JSONRPCMessage): void {
    this.metrics.countMessage('to_server', undefined);
    this.upstream.send(message);
  }

  /** Errors every request in flight at once (the server went away). */
  failAll(reason: string): void {
    for (const [upstreamId, entry] of [...this.pending]) this.fail(upstreamId, entry, reason);
  }

  /** Forgets a departed client's requests and tells the server to stop working on them. */
  dropClient(client: RouterClient): void {
    for (const [upstreamId, entry] of [...this.pending]) {
      if (entry.client !== client) continue;
      this.settle(upstreamId, entry);
      if (entry.method !== 'initialize') {
        this.upstream.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: upstreamId, reason: 'client session ended' } });
      }
    }
  }

  private findByOriginal(client: RouterClient, id: RequestId): [number, Pending] | undefined {
    let found: [number, Pending] | undefined;
    for (const item of this.pending) if (item[1].client === client && item[1].originalId === id) found = item;
    return found;
  }

  private fail(upstreamId: number, entry: Pending, reason: string): void {
    this.settle(upstreamId, entry);
    entry.reply.complete(errorResponse(entry.originalId, ErrorCodes.upstreamClosed, `MCP server unavailable: ${reason}`));
  }

  private settle(upstreamId: number, entry: Pending): void {
    this.pending.delete(upstreamId);
    this.metrics.trackInFlight(-1);
    this.metrics.observeRequest(entry.method, (performance.now() - entry.startedAt) / 1000);
  }

  private fromUpstream(message: JSONRPCMessage): void {
    if (isResponse(message)) {
      this.metrics.countMessage('from_server', undefined);
      const upstreamId = typeof message.id === 'number' ? message.id : Number.NaN;
      const entry = this.pending.get(upstreamId);
      if (entry === undefined) return; // cancelled or its client is gone: nobody to tell
      this.settle(upstreamId, entry);
      entry.reply.complete({ ...message, id: entry.originalId });
      return;
    }
    const method = 'method' in message ? message.method : undefined;
    this.metrics.countMessage('from_server', method);
    if (isNotification(message) && method === 'notifications/progress') {
      const params = message.params as { progressToken?: unknown } | undefined;
      const entry = typeof params?.progressToken === 'number' ? this.pending.get(params.progressToken) : undefined;
      if (entry?.progressToken === undefined) return; // progress for nothing we know: drop
      entry.reply.deliver({ ...message, params: { ...params, progressToken: entry.progressToken } });
      return;
    }
    if (isNotification(message)) {
      // A 2026-07-28 child tags what belongs to a subscriptions/listen stream with the listen request's
      // id (the id it saw): it goes to that request's stream, with the client's own id restored.
      const params = message.params as { _meta?: Record<string, unknown> } | undefined;
      const subscription = params?._meta?.[SUBSCRIPTION_ID];
      const entry = typeof subscription === 'number' ? this.pending.get(subscription) : undefined;
      if (entry !== undefined && params?._meta !== undefined) {
        entry.reply.deliver({ ...message, params: { ...params, _meta: { ...params._meta, [SUBSCRIPTION_ID]: entry.originalId } } });
        return;
      }
    }
    if (isRequest(message) || isNotification(message)) this.unrelated(message);
  }

  /** Server requests and notifications: stdio carries no "related request", so the session decides. */
  private unrelated(message: JSONRPCMessage): void {
    const clients = new Set<RouterClient>();
    for (const p of this.pending.values()) clients.add(p.client);
    this.onUnrelated(message, clients);
  }

  /** Set by the owner: per-session mode sends everything to its one client; shared mode decides per method. */
  onUnrelated: (message: JSONRPCMessage, clientsWithRequestsInFlight: ReadonlySet<RouterClient>) => void = () => undefined;
}
