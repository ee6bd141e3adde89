// Legacy HTTP+SSE transport (protocol 2024-11-05): GET /sse opens the event stream, whose first event
// names the endpoint to POST to; POST /message?sessionId=... answers 202 and the reply comes on the
// stream. Kept for older clients (e.g. LiteLLM with transport: sse). The session lives exactly as
// long as its stream: when the client disconnects, its server process is stopped.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, parseBody } from '../jsonrpc.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import { findSession, readRequestBody, sendAuthRefusal, sendUnavailable, sseLimits, throttled, type Caller, type HttpContext } from './context.js';
import { gateMessages } from './gated-delivery.js';
import { sendError, sendText } from './respond.js';
import { SseStream } from './sse-stream.js';
import { receiveTracked } from './tracked.js';

export function handleSseOpen(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, caller: Caller): void {
  if (req.method !== 'GET') {
    return sendError(res, 405, ErrorCodes.serverError, `Method Not Allowed: ${req.method ?? ''} /sse. The legacy SSE transport opens its stream with GET /sse and posts to /message?sessionId=…; Streamable HTTP clients POST to /mcp`, { allow: 'GET' });
  }
  const opened = ctx.hub.open('sse');
  if (!opened.ok) return sendUnavailable(res, opened.reason);
  const session = opened.session;
  session.principal = caller.identity?.subject;
  const stream = new SseStream(res, sseLimits(ctx));
  session.attachStream(stream);
  stream.onClose(() => session.end('SSE stream closed by the client'));
  // Relative to the /sse URL, so it works behind a path prefix and never names an internal host
  // (the SDK client rejects an endpoint whose origin differs from the stream's).
  stream.event('endpoint', `message?sessionId=${encodeURIComponent(session.id)}`);
}

export async function handleSseMessage(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, caller: Caller): Promise<void> {
  if (req.method !== 'POST') {
    return sendError(res, 405, ErrorCodes.serverError, `Method Not Allowed: ${req.method ?? ''} /message. POST JSON-RPC messages here (with the sessionId GET /sse announced); the stream is GET /sse`, { allow: 'POST' });
  }
  const sessionId = query.get('sessionId');
  if (sessionId === null || sessionId === '') return sendError(res, 400, ErrorCodes.serverError, 'Bad Request: the sessionId query parameter is required');
  const session = findSession(ctx, res, sessionId, 'sse', caller);
  if (session === undefined) return;
  const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (ct !== 'application/json') return sendError(res, 415, ErrorCodes.serverError, 'Unsupported Media Type: POST /message takes one JSON-RPC message with Content-Type: application/json');
  const body = await readRequestBody(ctx, req, res);
  if (body === undefined) return;
  const parsed = parseBody(body);
  if (!parsed.ok) return sendError(res, 400, parsed.code, parsed.message);
  if (parsed.batch) return sendError(res, 400, ErrorCodes.invalidRequest, 'Invalid Request: batches are not supported on the legacy SSE transport');
  const streamTarget: ReplyTarget = {
    deliver: (m) => session.sendOnStream(m),
    complete: (m) => session.sendOnStream(m),
    abandon: () => undefined,
  };
  const gated = gateMessages(ctx.gate, caller, parsed.messages);
  if (gated.kind === 'step-up') return sendAuthRefusal(res, ctx.auth.insufficientScope(gated.scopes));
  // The POST is refused (429): the call never reaches the server, and nothing goes on the stream.
  if (gated.kind === 'throttle') return throttled(ctx, res, gated);
  receiveTracked(ctx, req, session, gated.forward, () => streamTarget, gated.targetFor);
  for (const answer of gated.refused) session.sendOnStream(answer);
  sendText(res, 202, 'Accepted');
}
