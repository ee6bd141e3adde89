// What every HTTP handler of one bridge shares.
import type { Logger } from 'pino';
import type { BridgeConfig } from '../config.js';
import type { BridgeMetrics } from '../metrics.js';
import type { SessionHub } from '../sessions/session-hub.js';
import type { SessionBase as Session } from '../sessions/session-base.js';
import { ErrorCodes } from '../jsonrpc.js';
import type { ServerResponse } from 'node:http';
import type { RelayTracker } from './forward.js';
import { sendError } from './respond.js';
import type { SseLimits } from './sse-stream.js';
import type { Operations } from '../telemetry/operations.js';

export interface HttpContext {
  readonly config: BridgeConfig;
  readonly relays: RelayTracker;
  readonly hub: SessionHub;
  readonly metrics: BridgeMetrics;
  readonly log: Logger;
  /** Every client request passes here as an operation (metrics, spans). */
  readonly ops: Operations;
}

export function sseLimits(ctx: HttpContext): SseLimits {
  return { maxQueue: ctx.config.maxQueue, onOverflow: () => ctx.metrics.queueDrops.inc() };
}

/** Looks up a session by id; answers 404 itself (and returns undefined) for unknown, forged or ended ids. */
export function findSession(ctx: HttpContext, res: ServerResponse, id: string, transport: Session['transport']): Session | undefined {
  const session = ctx.hub.get(id);
  if (session?.isOpen !== true || session.transport !== transport) {
    sendError(res, 404, ErrorCodes.sessionNotFound, 'Session not found: it ended or never existed; start a new one with initialize');
    return undefined;
  }
  return session;
}

export function sendUnavailable(res: ServerResponse, reason: 'capacity' | 'draining'): void {
  const message = reason === 'capacity' ? 'Service Unavailable: the bridge is at --max-sessions; retry later' : 'Service Unavailable: the bridge is shutting down';
  sendError(res, 503, ErrorCodes.unavailable, message, { 'retry-after': '1' });
}
