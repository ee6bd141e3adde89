// The bridge's HTTP front: routes, guards, health, readiness and metrics.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ErrorCodes } from '../jsonrpc.js';
import { isMetadataPath } from '../auth/protected-resource.js';
import { DISCARD_LIMIT, discardUnread } from './body.js';
import { sendAuthRefusal, type HttpContext } from './context.js';
import { decodeAdoption } from '../sessions/adoption.js';
import type { ParsedSessionId } from '../sessions/session-ids.js';
import { relayOrAdopt } from './adopt.js';
import { forwardToOwner, isForwarded, sendOwnerGone } from './forward.js';
import { checkRequest, type GuardConfig } from './guards.js';
import { handleSseMessage, handleSseOpen } from './legacy-sse.js';
import { HANDOFF_PATH, serveHandoff } from './peer-handoff.js';
import { sendError, sendJson, sendText } from './respond.js';
import { handleStreamableHttp } from './streamable-http.js';

/** Attaches the bridge's routes to a (listening) server. */
export function serveBridge(server: Server, ctx: HttpContext, guard: GuardConfig): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Shutting down: no keep-alive. A client's pooled connection is pinned to this pod (conntrack), so
    // without this its next request, even a new session, keeps coming here after the Service has
    // dropped the pod (503 once the drain delay is over); with it, the client reconnects and is routed
    // to a replica that stays. Found by the e2e rolling-update test (LiteLLM-style sessions).
    if (ctx.hub.stopping) res.setHeader('connection', 'close');
    // A body larger than the bridge would ever drain: if it is refused early, the connection cannot be kept.
    if (Number(req.headers['content-length'] ?? 0) > DISCARD_LIMIT) res.setHeader('connection', 'close');
    route(ctx, guard, req, res).then(
      // Answered without reading the body (an early refusal): drain what is still coming, bounded.
      () => {
        if (res.writableEnded) discardUnread(req);
      },
      (err: unknown) => {
        ctx.log.error({ err }, 'request handler failed');
        sendError(res, 500, ErrorCodes.internalError, 'Internal error in the bridge');
      },
    );
  });
  // --keep-alive-timeout (config.ts says why it is not longer than --drain-delay by default). Node times
  // headers from a request's first byte, so --headers-timeout may be shorter than this.
  server.keepAliveTimeout = ctx.config.keepAliveTimeout * 1000;
}

async function route(ctx: HttpContext, guard: GuardConfig, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  switch (path) {
    case '/healthz':
    case '/health': // the name other MCP gateways' health checks use
      return sendText(res, 200, 'ok\n');
    case '/readyz': {
      const ready = ctx.hub.ready;
      const body = JSON.stringify({ ready, sessions: ctx.hub.size, maxSessions: ctx.hub.capacity.max, full: ctx.hub.full });
      return sendText(res, ready ? 200 : 503, body, 'application/json');
    }
    case '/metrics':
      return sendText(res, 200, await ctx.metrics.registry.metrics(), ctx.metrics.registry.contentType);
    case HANDOFF_PATH: // from a stopping peer replica: signed with the session key, no client credentials
      return serveHandoff(ctx.hub, req, res, new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
    case '/mcp':
    case '/sse':
    case '/message': {
      const verdict = checkRequest(req, guard);
      if (!verdict.ok) return sendError(res, verdict.status, ErrorCodes.serverError, verdict.message, verdict.headers);
      // Before any relay: an unauthenticated request never crosses to another replica (which checks again).
      const auth = await ctx.auth.authenticate(req);
      if (!auth.ok) return sendAuthRefusal(res, auth.refusal);
      const caller = { identity: auth.identity, address: req.socket.remoteAddress ?? '' };
      // A relayed request reaching a replica whose drain is over: its sessions are ended, and a 404 from
      // here would end the client's session although the relaying replica could adopt it (forward.ts).
      if (isForwarded(req) && !ctx.hub.acceptingWork) return sendOwnerGone(res);
      // Only /message carries its session in the query string.
      const query = path === '/message' ? new URLSearchParams(q === -1 ? '' : url.slice(q + 1)) : undefined;
      const sessionId = query !== undefined ? query.get('sessionId') : req.headers['mcp-session-id'];
      const foreign = foreignSession(ctx, req, sessionId);
      if (foreign !== undefined) {
        ctx.metrics.relayed.inc({ reason: 'session' });
        // A shared-mode Streamable HTTP session outlives its owner: adopted here if the owner is gone.
        const state = path === '/mcp' && ctx.hub.adopts && foreign.state !== undefined ? decodeAdoption(foreign.state) : undefined;
        if (state !== undefined && typeof sessionId === 'string') return relayOrAdopt(ctx, req, res, foreign.owner, sessionId, state, caller);
        return forwardToOwner(req, res, foreign.owner, ctx.log, ctx.relays);
      }
      if (path === '/mcp') {
        if (typeof sessionId === 'string') adoptFromEarlierRun(ctx, sessionId);
        return handleStreamableHttp(ctx, req, res, caller);
      }
      if (query === undefined) return handleSseOpen(ctx, req, res, caller);
      return handleSseMessage(ctx, req, res, query, caller);
    }
    default:
      if (isMetadataPath(path) && ctx.auth.metadata !== undefined) {
        // Public by design (RFC 9728): clients read it before they have a token, browsers from any origin.
        res.setHeader('access-control-allow-origin', '*');
        return sendJson(res, 200, ctx.auth.metadata);
      }
      return sendError(res, 404, ErrorCodes.serverError, `Not Found: ${path}. MCP is served on /mcp (Streamable HTTP) and /sse + /message (legacy SSE); health on /healthz (or /health) and /readyz; metrics on /metrics`);
  }
}

/**
 * A shared-mode session this replica's address minted but this process does not hold: an earlier run of
 * the same bridge made it (the container restarted after a crash or an OOM kill; the pod, its IP and its
 * key stayed). Nobody else would adopt it (its owner answers), so it is adopted here, as another replica
 * adopts the sessions of a vanished owner.
 */
function adoptFromEarlierRun(ctx: HttpContext, sessionId: string): void {
  if (!ctx.hub.adopts || ctx.hub.get(sessionId) !== undefined) return;
  const parsed = ctx.hub.ids.parse(sessionId);
  if (parsed?.owner !== ctx.hub.ids.self || parsed.state === undefined) return;
  const state = decodeAdoption(parsed.state);
  if (state !== undefined && ctx.hub.adopt(sessionId, state) !== undefined) {
    ctx.log.info({ sessionId }, 'session of an earlier run of this replica adopted');
  }
}

/** A genuine session id minted by another replica (owner, state); undefined when it is ours, forged, or already relayed once. */
function foreignSession(ctx: HttpContext, req: IncomingMessage, sessionId: string | string[] | null | undefined): ParsedSessionId | undefined {
  // A session of this replica is found by exact key: no need to check the signature (an HMAC per
  // request was ~8% of the bridge's CPU on the echo path). Only unknown ids are verified.
  if (typeof sessionId !== 'string' || ctx.hub.get(sessionId) !== undefined || isForwarded(req)) return undefined;
  const parsed = ctx.hub.ids.parse(sessionId);
  return parsed !== undefined && parsed.owner !== ctx.hub.ids.self ? parsed : undefined;
}
