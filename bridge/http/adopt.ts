// A request for a shared-mode session whose id carries its state (sessions/adoption.ts): relayed to the
// owner replica as usual, and when the owner cannot be reached (its pod is gone), served here instead on
// a session adopted under the same id; the client never notices. The POST body is read first, so that
// it is still there to serve locally after a failed relay. What the client set up later (subscriptions,
// log level) comes from the owner's handoff (peer-handoff.ts): kept here, or asked of the peers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '../jsonrpc.js';
import type { AdoptionState } from '../sessions/adoption.js';
import type { SessionHandoff } from '../sessions/handoff.js';
import type { SessionBase } from '../sessions/session-base.js';
import type { SessionHub } from '../sessions/session-hub.js';
import { readRequestBody, type Caller, type HttpContext } from './context.js';
import { forwardToOwner } from './forward.js';
import { pullHandoff } from './peer-handoff.js';
import { sendError } from './respond.js';
import { handleStreamableHttp } from './streamable-http.js';

export async function relayOrAdopt(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, owner: string, id: string, state: AdoptionState, caller: Caller): Promise<void> {
  let body: string | undefined;
  if (req.method === 'POST') {
    body = await readRequestBody(ctx, req, res);
    if (body === undefined) return;
  }
  forwardToOwner(req, res, owner, ctx.log, ctx.relays, {
    ...(body === undefined ? {} : { body }),
    unreachable: (answer) => {
      // The owner died mid-answer: what it sent cannot be taken back; the client sees a cut stream.
      if (answer.headersSent) return void answer.destroy();
      void adoptHere(ctx, id, state).then((session) => {
        if (session === undefined) {
          return sendError(answer, 404, ErrorCodes.sessionNotFound, 'Session not found: the replica that held it is gone and this one cannot take it over now; start a new one with initialize');
        }
        ctx.log.info({ sessionId: id, owner }, 'owner replica unreachable: session adopted here');
        void handleStreamableHttp(ctx, req, answer, caller, body);
      });
    },
  });
}

/** Questions to the peers in progress, per bridge and session: concurrent requests of one session ask once. */
const asking = new WeakMap<SessionHub, Map<string, Promise<SessionHandoff | undefined>>>();

/**
 * The session, adopted here unless it is already. Without a handoff of its own (this replica became ready
 * after the owner handed it over) the peers are asked first, bounded (PULL_TIMEOUT_MS).
 */
async function adoptHere(ctx: HttpContext, id: string, state: AdoptionState): Promise<SessionBase | undefined> {
  const held = ctx.hub.get(id);
  if (held !== undefined || ctx.config.peers.length === 0 || ctx.hub.holdsHandoff(id)) return held ?? ctx.hub.adopt(id, state);
  const questions = asking.get(ctx.hub) ?? new Map<string, Promise<SessionHandoff | undefined>>();
  asking.set(ctx.hub, questions);
  let question = questions.get(id);
  if (question === undefined) {
    question = pullHandoff(id, ctx.config.peers, ctx.hub.ids)
      .then((entry) => {
        if (entry !== undefined) ctx.metrics.sessionHandoffs.inc({ stage: 'pulled' });
        return entry;
      })
      .finally(() => questions.delete(id));
    questions.set(id, question);
  }
  const pulled = await question;
  return ctx.hub.get(id) ?? ctx.hub.adopt(id, state, pulled);
}
