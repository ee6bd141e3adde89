// Streamable HTTP (protocol 2025-11-25, also 2025-06-18 and 2025-03-26 clients) on /mcp.
// Every refusal is answered here, promptly, with a JSON-RPC error body; nothing malformed, and no
// request of an unknown session, ever reaches a server process.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, MODERN_PROTOCOL_VERSION, checkProtocolVersionHeader, isRequest, parseBody, type JSONRPCMessage } from '../jsonrpc.js';
import type { SessionBase as Session } from '../sessions/session-base.js';
import { readBody } from './body.js';
import { findSession, sendUnavailable, sseLimits, type HttpContext } from './context.js';
import { PostReply } from './post-reply.js';
import { sendError } from './respond.js';
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

export async function handleStreamableHttp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  switch (req.method) {
    case 'POST':
      return handlePost(ctx, req, res);
    case 'GET':
      return handleGet(ctx, req, res);
    case 'DELETE':
      return handleDelete(ctx, req, res);
    default:
      return sendError(res, 405, ErrorCodes.serverError, `Method Not Allowed: ${req.method ?? ''}`, { allow: 'GET, POST, DELETE' });
  }
}

async function handlePost(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!accepts(req, 'application/json') || !accepts(req, 'text/event-stream')) {
    return sendError(res, 406, ErrorCodes.serverError, 'Not Acceptable: Accept must list both application/json and text/event-stream');
  }
  if (!isJsonContentType(req)) return sendError(res, 415, ErrorCodes.serverError, 'Unsupported Media Type: Content-Type must be application/json');

  const sessionId = sessionHeader(req);
  let session: Session | undefined;
  if (sessionId !== undefined) {
    session = findSession(ctx, res, sessionId, 'streamable-http');
    if (session === undefined || !versionOk(req, res)) return;
  }

  const body = await readBody(req, ctx.config.maxBody);
  if (!body.ok) {
    if (body.reason === 'too-large') return sendError(res, 413, ErrorCodes.serverError, `Payload Too Large: the body exceeds ${ctx.config.maxBody} bytes (--max-body)`, { connection: 'close' });
    return; // client went away mid-body: nobody to answer
  }
  const parsed = parseBody(body.text);
  if (!parsed.ok) return sendError(res, 400, parsed.code, parsed.message);
  const { messages, batch } = parsed;
  const initialize = messages.find((m) => isRequest(m) && m.method === 'initialize');

  if (session === undefined && initialize === undefined && isModern(req)) return handleSessionless(ctx, messages, batch, res);
  if (session === undefined) {
    if (initialize === undefined) {
      // Also what a 2026-07-28 client's sessionless probe (e.g. server/discover) gets: a prompt 400,
      // on which it falls back to initialize. It never reaches a server process.
      return sendError(res, 400, ErrorCodes.serverError, 'Bad Request: Mcp-Session-Id header is required (or send initialize to start a session)');
    }
    if (batch) return sendError(res, 400, ErrorCodes.invalidRequest, 'Invalid Request: initialize must be sent alone, not in a batch');
    const opened = ctx.hub.open('streamable-http');
    if (!opened.ok) return sendUnavailable(res, opened.reason);
    session = opened.session;
  } else {
    if (initialize !== undefined) return sendError(res, 400, ErrorCodes.invalidRequest, 'Invalid Request: this session is already initialized');
    if (batch && session.protocolVersion !== '2025-03-26') {
      return sendError(res, 400, ErrorCodes.invalidRequest, `Invalid Request: batches are only allowed in protocol 2025-03-26 (this session uses ${session.protocolVersion ?? 'unknown'})`);
    }
  }

  deliver(ctx, session, messages, batch, res);
}

function deliver(ctx: HttpContext, session: Session, messages: JSONRPCMessage[], batch: boolean, res: ServerResponse): void {
  const headers = { 'mcp-session-id': session.id };
  if (!messages.some(isRequest)) {
    session.receive(messages, () => {
      throw new Error('unreachable: no requests in this POST');
    });
    res.writeHead(202, headers).end();
    return;
  }
  const reply = new PostReply(res, headers, batch, sseLimits(ctx));
  session.receive(messages, () => reply.target());
}

function handleGet(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): void {
  if (!accepts(req, 'text/event-stream')) return sendError(res, 406, ErrorCodes.serverError, 'Not Acceptable: Accept must list text/event-stream');
  const sessionId = sessionHeader(req);
  if (sessionId === undefined) return sendError(res, 400, ErrorCodes.serverError, 'Bad Request: Mcp-Session-Id header is required');
  const session = findSession(ctx, res, sessionId, 'streamable-http');
  if (session === undefined || !versionOk(req, res)) return;
  if (session.hasOpenStream()) return sendError(res, 409, ErrorCodes.serverError, 'Conflict: this session already has an open GET stream');
  const stream = new SseStream(res, sseLimits(ctx), { 'mcp-session-id': session.id });
  session.attachStream(stream);
  stream.onClose(() => session.detachStream(stream));
}

function handleDelete(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): void {
  const sessionId = sessionHeader(req);
  if (sessionId === undefined) return sendError(res, 400, ErrorCodes.serverError, 'Bad Request: Mcp-Session-Id header is required');
  const session = findSession(ctx, res, sessionId, 'streamable-http');
  if (session === undefined || !versionOk(req, res)) return;
  session.end('client sent DELETE');
  res.writeHead(200).end();
}

/** A 2026-07-28 client: no initialize, no session; the version travels on every request. */
function isModern(req: IncomingMessage): boolean {
  return req.headers['mcp-protocol-version'] === MODERN_PROTOCOL_VERSION;
}

/**
 * 2026-07-28 sessionless requests, mapped onto the shared, already-initialized process, so modern
 * clients work against old stdio servers. Each request is its own short-lived session; closing the
 * response stream cancels the request (as that revision specifies). In per-session mode there is no
 * warm process to map onto: the client gets the 400 it falls back to initialize on.
 */
async function handleSessionless(ctx: HttpContext, messages: JSONRPCMessage[], batch: boolean, res: ServerResponse): Promise<void> {
  const transient = ctx.hub.transient();
  if (transient === undefined && ctx.hub.shared !== undefined) return sendUnavailable(res, 'draining');
  if (transient === undefined) {
    return sendError(res, 400, ErrorCodes.serverError, 'Bad Request: sessionless (2026-07-28) requests need --session-mode shared; send initialize to start a session');
  }
  const message = messages[0];
  if (batch || message === undefined) return sendError(res, 400, ErrorCodes.invalidRequest, 'Invalid Request: batches are not part of protocol 2026-07-28');
  res.once('close', () => transient.end('sessionless request finished'));
  if (isRequest(message) && message.method === 'server/discover') {
    const discovered = (await ctx.hub.shared?.whenReady()) === true ? ctx.hub.shared?.discoverResult() : undefined;
    if (discovered === undefined) return sendError(res, 503, ErrorCodes.upstreamClosed, 'MCP server unavailable: the shared process is not ready', { 'retry-after': '1' });
    const body = JSON.stringify({ jsonrpc: '2.0', id: message.id, result: discovered });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    return;
  }
  if (!isRequest(message)) {
    transient.receive(messages, () => {
      throw new Error('unreachable: no requests in this POST');
    });
    res.writeHead(202).end();
    return;
  }
  const reply = new PostReply(res, {}, false, sseLimits(ctx));
  transient.receive(messages, () => reply.target());
}
