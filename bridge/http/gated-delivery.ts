// The tool policy at the HTTP edge: one POST's messages are split into what goes on to the session
// (requests possibly rewritten, tools/list answers filtered on the way back) and what the bridge
// answers itself (calls of hidden tools). A call that needs a scope the token lacks turns the whole
// POST into a 403 (step-up), as the MCP authorization spec's runtime insufficient-scope rule asks.
import { isRequest, type JSONRPCMessage } from '../jsonrpc.js';
import { gateRequest, type GateCaller, type GateOptions } from '../policy/request-gate.js';
import type { ReplyTarget } from '../sessions/reply-target.js';

export type GatedMessages =
  | { readonly kind: 'step-up'; readonly scopes: readonly string[] }
  /** A call of this POST is over its rate: the whole POST is answered 429, nothing is forwarded. */
  | { readonly kind: 'throttle'; readonly retryAfterSeconds: number; readonly message: string }
  | {
      readonly kind: 'ok';
      readonly forward: readonly JSONRPCMessage[];
      /** The bridge's own answers (same ids), to complete after the forwarded requests got their targets. */
      readonly refused: readonly JSONRPCMessage[];
      /** The reply target for a forwarded request (tools/list answers are filtered for this caller). */
      readonly targetFor: (message: JSONRPCMessage, target: ReplyTarget) => ReplyTarget;
    };

const asIs = (_m: JSONRPCMessage, target: ReplyTarget): ReplyTarget => target;

export function gateMessages(gate: GateOptions | undefined, caller: GateCaller, messages: readonly JSONRPCMessage[]): GatedMessages {
  if (gate === undefined) return { kind: 'ok', forward: messages, refused: [], targetFor: asIs };
  const forward: JSONRPCMessage[] = [];
  const refused: JSONRPCMessage[] = [];
  const wraps = new Map<JSONRPCMessage, (target: ReplyTarget) => ReplyTarget>();
  const steps: string[] = [];
  for (const message of messages) {
    if (!isRequest(message)) {
      forward.push(message);
      continue;
    }
    const result = gateRequest(gate, caller, message);
    if (result.kind === 'throttle') return result;
    if (result.kind === 'step-up') steps.push(...result.scopes);
    else if (result.kind === 'refuse') refused.push(result.response);
    else {
      const sent = result.request as JSONRPCMessage;
      forward.push(sent);
      if (result.wrap !== undefined) wraps.set(sent, result.wrap);
    }
  }
  if (steps.length > 0) return { kind: 'step-up', scopes: [...new Set(steps)] };
  return { kind: 'ok', forward, refused, targetFor: (m, target) => wraps.get(m)?.(target) ?? target };
}
