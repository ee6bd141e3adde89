// Streamable HTTP on /mcp: 2025-era sessions (protocol 2025-11-25, also 2025-06-18 and 2025-03-26)
// here, 2026-07-28 requests (no session) in modern-http.ts; the body decides which.
// Every refusal is answered here, promptly, with a JSON-RPC error body; nothing malformed, and no
// request of an unknown session, ever reaches a server process.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, checkProtocolVersionHeader, isRequest, parseJson, validateMessages, type JSONRPCMessage, type RequestId } from '../jsonrpc.js';
import { classifyPost } from '../modern/envelope.js';
import { adoptionOf } from '../sessions/adoption.js';
import type { SessionBase as Session } from '../sessions/session-base.js';
import { findSession, readRequestBody, sendAuthRefusal, sendUnavailable, sseLimits, throttled, type Caller, type HttpContext } from './context.js';
import { gateMessages } from './gated-delivery.js';
import { handleModernRequest, standardHeaders } from './modern-http.js';
import { PostReply } from './post-reply.js';
import { sendError } from './respond.js';
import { receiveTracked } from './tracked.js';
import { SseStream } from './sse-stream.js';

function accepts(req: IncomingMessage, type: string): boolean {
  const accept = req.headers.accept ?? '';
  const [major] = type.split('/');
  return accept.includes(type) || accept.includes('*/*') || accept.includes(`${major}/*`);
}

function isJsonContentType(req: IncomingMessage): boolean {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return ct === 'application/json';
}

function sessionHeader(req: IncomingMessage): string | undefined {
  const value = req.headers['mcp-session-id'];
  return Array.isArray(value) ? value[0] : value;
}

/** Protocol version check for requests after initialize; answers 400 itself when unsupported. */
function versionOk(req: IncomingMessage, res: ServerResponse): boolean {
  const check = checkProtocolVersionHeader(req.headers['mcp-protocol-version']);
  if (!check.ok) sendError(res, 400, ErrorCodes.serverError, check.message);
  return check.ok;
}

/** `body`: the POST body when it was already read (a request of an adopted session, see adopt.ts). */
export async function handleStreamableHttp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, caller: Caller, body?: string): Promise<void> {
  switch (req.method) {
    case 'POST':
      return handlePost(ctx, req, res, caller, body);
    case 'GET':
      return handleGet(ctx, req, res, caller);
    case 'DELETE':
      return handleDelete(ctx, req, res, caller);
    default:
      return sendError(res, 405, ErrorCodes.serverError, `Method Not Allowed: ${req.method ?? ''} /mcp takes POST (and GET, DELETE with an Mcp-Session-Id)`, { allow: 'GET, POST, DELETE' });
  }
}

async function handlePost(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, caller: Caller, preread?: string): Promise<void> {
  if (!accepts(req, 'application/json') || !accepts(req, 'text/event-stream')) {
    return sendError(res, 406, ErrorCodes.serverError, 'Not Acceptable: Accept must list both application/json and text/event-stream');
  }
  if (!isJsonContentType(req)) return sendError(res, 415, ErrorCodes.serverError, 'Unsupported Media Type: POST /mcp takes a JSON-RPC message with Content-Type: application/json');

  // The era is decided by the body (2026-07-28's rule), so the body is read before any session lookup.
  const text = preread ?? (await readRequestBody(ctx, req, res));
  if (text === undefined) return;
  const json = parseJson(text);
  if (!json.ok) return sendError(res, 400, json.code, json.message);
  const era = classifyPost(standardHeaders(req), json.value);
  if (era.kind === 'refused') return sendError(res, era.refusal.status, era.refusal.code, era.refusal.message, {}, requestIdOf(json.value), era.refusal.data);
  if (era.kind === 'modern-request') return handleModernRequest(ctx, req, res, era.request, era.version, text, caller);
  if (era.kind === 'modern-notification') {
    // 2026-07-28 defines no client notifications over HTTP (closing a stream is the cancellation):
    // accepted and dropped, as the revision's reference server does.
    ctx.metrics.httpRequests.inc({ era: 'modern' });
    res.writeHead(202).end();
    return;
  }
  ctx.metrics.httpRequests.inc({ era: 'legacy' });
  return handleLegacyPost(ctx, req, res, json.value, caller);
}

/** 2025-era traffic: initialize opens a session; everything else names one in Mcp-Session-Id. */
function handleLegacyPost(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, value: unknown, caller: Caller): void {
  const sessionId = sessionHeader(req);
  let session: Session | undefined;
  if (sessionId !== undefined) {
    session = findSession(ctx, res, sessionId, 'streamable-http', caller);
    if (session === undefined || !versionOk(req, res)) return;
  }
  const parsed = validateMessages(value);
  if (!parsed.ok) return sendError(res, 400, parsed.code, parsed.message);
  const { messages, batch } = parsed;
  const initialize = messages.find((m) => isRequest(m) && m.method === 'initialize');

  if (session === undefined) {
    if (initialize === undefined) {
      return sendError(
        res,
        400,
        ErrorCodes.serverError,
        'Bad Request: Mcp-Session-Id header is required (send initialize to start a session, or use protocol 2026-07-28: no session, the per-request _meta envelope and the MCP-Protocol-Version, Mcp-Method headers)',
      );
    }
    if (batch) return sendError(res, 400, ErrorCodes.invalidRequest, 'Invalid Request: initialize must be sent alone, not in a batch');
    const opened = ctx.hub.open('streamable-http', isRequest(initialize) ? adoptionOf(initialize.params, caller.identity?.subject) : undefined);
    if (!opened.ok) return sendUnavailable(res, opened.reason);
    session = opened.session;
    session.principal = caller.identity?.subject;
  } else {
    if (initialize !== undefined) return sendError(res, 400, ErrorCodes.invalidRequest, 'Invalid Request: this session is already initialized');
    if (batch && session.protocolVersion !== '2025-03-26') {
      return sendError(res, 400, ErrorCodes.invalidRequest, `Invalid Request: batches are only allowed in protocol 2025-03-26 (this session uses ${session.protocolVersion ?? 'unknown'})`);
    }
  }

  deliver(ctx, req, session, messages, batch, res, caller);
}

function requestIdOf(value: unknown): RequestId | null {
  const id = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function deliver(ctx: HttpContext, req: IncomingMessage, session: Session, messages: JSONRPCMessage[], batch: boolean, res: ServerResponse, caller: Caller): void {
  const headers = { 'mcp-session-id': session.id };
  if (!messages.some(isRequest)) {
    session.receive(messages, () => {
      throw new Error('unreachable: no requests in this POST');
    });
    res.writeHead(202, headers).end();
    return;
  }
  const gated = gateMessages(ctx.gate, caller, messages);
  if (gated.kind === 'step-up') return sendAuthRefusal(res, ctx.auth.insufficientScope(gated.scopes), batch ? null : requestIdOf(messages[0]));
  if (gated.kind === 'throttle') return throttled(ctx, res, gated, batch ? null : requestIdOf(messages[0]));
  const reply = new PostReply(res, headers, batch, sseLimits(ctx));
  // Targets for the refused requests exist before the forwarded ones are handed over, and are completed
  // only after: the reply must not finish while requests of this POST still wait for targets.
  const refused = gated.refused.map((answer) => [reply.target(), answer] as const);
  receiveTracked(ctx, req, session, gated.forward, () => reply.target(), gated.targetFor);
  for (const [target, answer] of refused) target.complete(answer);
}

/**
 * Without a session, GET and DELETE belong to 2026-07-28, which has neither (no GET stream, no
 * session to end): 405, as the revision says a server answers them.
 */
function notWithoutSession(res: ServerResponse, method: string): void {
  sendError(res, 405, ErrorCodes.serverError, `Method Not Allowed: ${method} /mcp needs an Mcp-Session-Id (2025 sessions); protocol 2026-07-28 uses POST only (subscriptions/listen for notifications)`, { allow: 'POST' });
}

function handleGet(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, caller: Caller): void {
  const sessionId = sessionHeader(req);
  if (sessionId === undefined) return notWithoutSession(res, 'GET');
  if (!accepts(req, 'text/event-stream')) return sendError(res, 406, ErrorCodes.serverError, 'Not Acceptable: Accept must list text/event-stream');
  const session = findSession(ctx, res, sessionId, 'streamable-http', caller);
  if (session === undefined || !versionOk(req, res)) return;
  if (session.hasOpenStream()) return sendError(res, 409, ErrorCodes.serverError, 'Conflict: this session already has an open GET stream');
  const stream = new SseStream(res, sseLimits(ctx), { 'mcp-session-id': session.id });
  session.attachStream(stream);
  stream.onClose(() => session.detachStream(stream));
}

function handleDelete(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, caller: Caller): void {
  const sessionId = sessionHeader(req);
  if (sessionId === undefined) return notWithoutSession(res, 'DELETE');
  const session = findSession(ctx, res, sessionId, 'streamable-http', caller);
  if (session === undefined || !versionOk(req, res)) return;
  session.end('client sent DELETE');
  res.writeHead(200).end();
}
