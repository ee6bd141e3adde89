// What every HTTP handler of one bridge shares.
import type { Logger } from 'pino';
import type { Authenticator, AuthRefusal } from '../auth/authenticator.js';
import type { Identity } from '../auth/identity.js';
import { RATE_LIMITED_CODE, type GateOptions } from '../policy/request-gate.js';
import type { BridgeConfig } from '../config.js';
import type { BridgeMetrics } from '../metrics.js';
import type { SessionHub } from '../sessions/session-hub.js';
import type { SessionBase as Session } from '../sessions/session-base.js';
import { ErrorCodes, type RequestId } from '../jsonrpc.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import type { RelayTracker } from './forward.js';
import { sendError, sendStalled, sendTooLarge } from './respond.js';
import type { SseLimits } from './sse-stream.js';
import type { Operations } from '../telemetry/operations.js';

export interface HttpContext {
  readonly config: BridgeConfig;
  readonly relays: RelayTracker;
  readonly hub: SessionHub;
  readonly metrics: BridgeMetrics;
  readonly log: Logger;
  readonly auth: Authenticator;
  /** The tool policy and identity forwarding; undefined when neither is configured (nothing to do). */
  readonly gate: GateOptions | undefined;
  /** Every client request passes here as an operation (metrics, spans). */
  readonly ops: Operations;
}

/** The validated caller of one HTTP request (undefined without OAuth). */
export interface Caller {
  readonly identity: Identity | undefined;
  /** The connecting address: the rate-limit subject of a caller without a token identity. */
  readonly address: string;
}

/** 429 with Retry-After and a JSON-RPC error: the caller used its --rate-limit for this tool. */
export function throttled(ctx: HttpContext, res: ServerResponse, throttle: { retryAfterSeconds: number; message: string }, id: RequestId | null = null): void {
  ctx.metrics.rateLimited.inc();
  sendError(res, 429, RATE_LIMITED_CODE, throttle.message, { 'retry-after': String(throttle.retryAfterSeconds) }, id);
}

export function sendAuthRefusal(res: ServerResponse, refusal: AuthRefusal, id: RequestId | null = null): void {
  sendError(res, refusal.status, refusal.code, refusal.message, refusal.headers, id);
}

export function sseLimits(ctx: HttpContext): SseLimits {
  return { maxQueue: ctx.config.maxQueue, onOverflow: () => ctx.metrics.queueDrops.inc() };
}

/**
 * Looks up a session by id; answers 404 itself (and returns undefined) for unknown, forged or ended ids,
 * and for a session another subject opened (a session is bound to its caller: a leaked id is no use
 * to anyone else; 404 rather than 403 so it does not even confirm the id).
 */
export function findSession(ctx: HttpContext, res: ServerResponse, id: string, transport: Session['transport'], caller: Caller): Session | undefined {
  const session = ctx.hub.get(id);
  if (session?.isOpen !== true || session.transport !== transport || session.principal !== caller.identity?.subject) {
    sendError(res, 404, ErrorCodes.sessionNotFound, 'Session not found: it ended or never existed; start a new one with initialize');
    return undefined;
  }
  return session;
}

/**
 * A request's body under --max-body and --body-timeout, for every transport; undefined when it was refused
 * (413 or 408, sent here) or the client went away mid-body (nobody to answer).
 */
export async function readRequestBody(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
  const body = await readBody(req, ctx.config.maxBody, ctx.config.bodyTimeout * 1000);
  if (body.ok) return body.text;
  if (body.reason === 'too-large') sendTooLarge(res, req, ctx.config.maxBody);
  else if (body.reason === 'stalled') sendStalled(res, ctx.config.bodyTimeout);
  return undefined;
}

export function sendUnavailable(res: ServerResponse, reason: 'capacity' | 'draining'): void {
  const message = reason === 'capacity' ? 'Service Unavailable: the bridge is at its session cap (--max-sessions) and every session has a request in flight; retry later' : 'Service Unavailable: the bridge is shutting down';
  sendError(res, 503, ErrorCodes.unavailable, message, { 'retry-after': '1' });
}
