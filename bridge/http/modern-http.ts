// 2026-07-28 requests on /mcp (no session, no initialize): the revision's validation ladder, then
// server/discover and subscriptions/listen answered by the bridge, MRTR retries resumed (or relayed to
// the replica holding their continuation), and everything else served on an initialized legacy
// process as one ModernExchange. Any replica serves any of these; only an MRTR retry has an owner.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, SUPPORTED_PROTOCOL_VERSIONS, errorResponse, type JsonRpcRequest } from '../jsonrpc.js';
import type { OperationScope } from '../telemetry/operations.js';
import { headerTrace } from '../telemetry/trace-context.js';
import { MODERN_VERSIONS, ModernErrorCodes, checkVersion, readEnvelope, targetOf, validateStandardHeaders, type StandardHeaders } from '../modern/envelope.js';
import { ModernExchange, type ExchangeDeps } from '../modern/exchange.js';
import { ListenStream, honouredFilter, requestedFilter } from '../modern/listen.js';
import { discoverResult, statusForModernResponse } from '../modern/results.js';
import { gateRequest } from '../policy/request-gate.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import { sendAuthRefusal, sendUnavailable, sseLimits, throttled, type Caller, type HttpContext } from './context.js';
import { forwardToOwner, isForwarded } from './forward.js';
import { PostReply } from './post-reply.js';
import { sendError, sendJson } from './respond.js';
import { SseStream } from './sse-stream.js';

/** Methods of earlier revisions that 2026-07-28 removed: never passed to the legacy child. */
const REMOVED_METHODS = new Set(['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']);

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function standardHeaders(req: IncomingMessage): StandardHeaders {
  return { protocolVersion: header(req, 'mcp-protocol-version'), method: header(req, 'mcp-method'), name: header(req, 'mcp-name') };
}

function exchangeDeps(ctx: HttpContext): ExchangeDeps {
  return {
    continuations: ctx.hub.continuations,
    codec: ctx.hub.codec,
    self: ctx.hub.ids.self,
    serverInfo: () => ctx.hub.modern.knownIdentity?.init.serverInfo,
    metrics: ctx.metrics,
    log: ctx.log,
  };
}

export async function handleModernRequest(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  received: JsonRpcRequest,
  version: string | undefined,
  body: string,
  caller: Caller,
): Promise<void> {
  let request = received;
  ctx.metrics.httpRequests.inc({ era: 'modern' });
  const refusal = checkVersion(version, SUPPORTED_PROTOCOL_VERSIONS) ?? validateStandardHeaders(standardHeaders(req), request);
  if (refusal !== undefined) return sendError(res, refusal.status, refusal.code, refusal.message, {}, request.id, refusal.data);
  if (!ctx.hub.acceptingWork) return sendUnavailable(res, 'draining');
  if (REMOVED_METHODS.has(request.method)) {
    return sendError(res, 404, ErrorCodes.methodNotFound, `Method not found: ${request.method} is not part of protocol 2026-07-28`, {}, request.id);
  }
  const scope = { protocolVersion: version, ...(ctx.ops.tracing ? { headerTrace: headerTrace(req.headers) } : {}) };
  if (request.method === 'server/discover') return discover(ctx, res, request, scope);
  // The tool policy, for first requests and MRTR retries alike (a retry names its tool again).
  let wrap: ((target: ReplyTarget) => ReplyTarget) | undefined;
  if (ctx.gate !== undefined) {
    const gated = gateRequest(ctx.gate, caller, request);
    if (gated.kind === 'step-up') return sendAuthRefusal(res, ctx.auth.insufficientScope(gated.scopes), request.id);
    if (gated.kind === 'throttle') return throttled(ctx, res, gated, request.id);
    if (gated.kind === 'refuse') return sendJson(res, 200, gated.response);
    request = gated.request;
    wrap = gated.wrap;
  }
  // What the bridge does itself for a legacy child (MRTR, listen) a modern child does on its own.
  const legacyChild = (ctx.hub.modern.knownIdentity ?? (await ctx.hub.modern.identity()))?.era !== 'modern';
  const state = request.params?.requestState;
  if (state !== undefined && legacyChild) return resume(ctx, req, res, request, state, body, scope);
  if (request.method === 'subscriptions/listen' && legacyChild) return listen(ctx, res, request);

  const reply = new PostReply(res, {}, false, sseLimits(ctx), statusForModernResponse);
  const plain = reply.target();
  const target = ctx.ops.track(request, scope, wrap !== undefined ? wrap(plain) : plain);
  const progressToken = request.params?._meta?.progressToken as string | number | undefined;
  const exchange = new ModernExchange(request.method, targetOf(request.params), readEnvelope(request.params), { id: request.id, reply: target, progressToken }, exchangeDeps(ctx));
  // Closing the response stream is the revision's cancellation: the child gets notifications/cancelled.
  res.once('close', () => exchange.cancel(target));
  ctx.ops.withActive(target, () => ctx.hub.modern.serve(exchange, request));
}

async function discover(ctx: HttpContext, res: ServerResponse, request: JsonRpcRequest, scope: OperationScope): Promise<void> {
  // Answered by the bridge itself, still one operation: the reply target only sends the answer.
  const answered = ctx.ops.track(request, scope, {
    deliver: () => undefined,
    complete: (response) => {
      if ('error' in response) return sendError(res, 503, ErrorCodes.upstreamClosed, response.error.message, { 'retry-after': '1' }, request.id);
      sendJson(res, 200, response);
    },
    abandon: () => undefined,
  });
  const identity = await ctx.hub.modern.identity();
  if (identity === undefined) {
    return answered.complete(errorResponse(request.id, ErrorCodes.upstreamClosed, 'MCP server unavailable: no server process became ready'));
  }
  const modern = identity.discovered?.supportedVersions.filter((v) => MODERN_VERSIONS.includes(v)) ?? MODERN_VERSIONS;
  answered.complete({ jsonrpc: '2.0', id: request.id, result: discoverResult(identity.init, modern, SUPPORTED_PROTOCOL_VERSIONS) });
}

async function listen(ctx: HttpContext, res: ServerResponse, request: JsonRpcRequest): Promise<void> {
  const identity = await ctx.hub.modern.identity();
  if (identity === undefined) {
    return sendError(res, 503, ErrorCodes.upstreamClosed, 'MCP server unavailable: no server process became ready', { 'retry-after': '1' }, request.id);
  }
  const filter = honouredFilter(requestedFilter(request.params), identity.init.capabilities);
  const stream = new SseStream(res, sseLimits(ctx));
  const subscription = new ListenStream(request.id, filter, stream);
  subscription.acknowledge();
  ctx.hub.modern.listen(subscription, (handler) => stream.onClose(handler));
}

function refuseState(ctx: HttpContext, res: ServerResponse, request: JsonRpcRequest, reason: string): void {
  ctx.metrics.mrtr.inc({ outcome: 'refused_state' });
  sendError(res, 400, ModernErrorCodes.invalidParams, `Invalid params: ${reason}`, {}, request.id);
}

/** An MRTR retry: verified, then resumed here or relayed to the replica whose child is waiting. */
function resume(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, request: JsonRpcRequest, state: unknown, body: string, scope: OperationScope): void {
  if (typeof state !== 'string') return refuseState(ctx, res, request, 'requestState must be a string');
  const check = ctx.hub.codec.verify(state, request.method, Date.now(), targetOf(request.params));
  if (!check.ok) return refuseState(ctx, res, request, check.reason);
  const { owner, continuation } = check.claims;
  if (owner !== ctx.hub.ids.self) {
    if (isForwarded(req)) return refuseState(ctx, res, request, 'requestState names another replica than the one it was relayed to');
    ctx.metrics.relayed.inc({ reason: 'request_state' });
    return forwardToOwner(req, res, owner, ctx.log, ctx.relays, {
      body,
      unreachable: (r) => {
        ctx.metrics.mrtr.inc({ outcome: 'refused_state' });
        sendError(r, 400, ModernErrorCodes.invalidParams, 'Invalid params: the replica holding this requestState is gone; send the original request again', {}, request.id);
      },
    });
  }
  const exchange = ctx.hub.continuations.take(continuation);
  if (exchange === undefined) return refuseState(ctx, res, request, 'requestState is no longer pending (expired, completed or already used); send the original request again');
  // Each MRTR round is an operation (a span) of its own: the client sent a new request.
  const reply = new PostReply(res, {}, false, sseLimits(ctx), statusForModernResponse);
  const target = ctx.ops.track(request, scope, reply.target());
  res.once('close', () => exchange.cancel(target));
  ctx.ops.withActive(target, () => exchange.resume(request, target));
}
