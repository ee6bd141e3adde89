// Hands the requests of one HTTP request to a 2025-era session as operations (telemetry/operations.ts):
// one per JSON-RPC request, created before the session sees them, so the first one's span is active
// while the session routes them (log lines carry it) and every reply target is known up front.
import type { IncomingMessage } from 'node:http';
import { isRequest, type JSONRPCMessage } from '../jsonrpc.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import type { SessionBase as Session } from '../sessions/session-base.js';
import { headerTrace } from '../telemetry/trace-context.js';
import type { HttpContext } from './context.js';

/** initialize names its version in params; later requests use the session's. */
function versionFor(session: Session, message: JSONRPCMessage & { method: string; params?: Record<string, unknown> }): string | undefined {
  const asked = message.method === 'initialize' ? message.params?.protocolVersion : undefined;
  return typeof asked === 'string' ? asked : session.protocolVersion;
}

/**
 * @param wrap the tool policy's wrapper of a request's target (filtering its answer), inside the
 *   operation's: the operation sees the answer as the server gave it.
 */
export function receiveTracked(
  ctx: HttpContext,
  req: IncomingMessage,
  session: Session,
  messages: readonly JSONRPCMessage[],
  newTarget: () => ReplyTarget,
  wrap: (message: JSONRPCMessage, target: ReplyTarget) => ReplyTarget = (_m, t) => t,
): void {
  const fromHeaders = ctx.ops.tracing ? headerTrace(req.headers) : undefined;
  const targets = new Map<JSONRPCMessage, ReplyTarget>();
  for (const message of messages) {
    if (!isRequest(message)) continue;
    targets.set(message, ctx.ops.track(message, { sessionId: session.id, protocolVersion: versionFor(session, message), ...(fromHeaders !== undefined ? { headerTrace: fromHeaders } : {}) }, wrap(message, newTarget())));
  }
  const first = targets.values().next().value;
  ctx.ops.withActive(first, () => session.receive(messages, (message) => targets.get(message) ?? wrap(message, newTarget())));
}
