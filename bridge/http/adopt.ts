// A request for a shared-mode session whose id carries its state (sessions/adoption.ts): relayed to the
// owner replica as usual, and when the owner cannot be reached (its pod is gone), served here instead on
// a session adopted under the same id; the client never notices. The POST body is read first, so that
// it is still there to serve locally after a failed relay.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '../jsonrpc.js';
import type { AdoptionState } from '../sessions/adoption.js';
import { readRequestBody, type Caller, type HttpContext } from './context.js';
import { forwardToOwner } from './forward.js';
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
      const session = ctx.hub.get(id) ?? ctx.hub.adopt(id, state);
      if (session === undefined) {
        return sendError(answer, 404, ErrorCodes.sessionNotFound, 'Session not found: the replica that held it is gone and this one cannot take it over now; start a new one with initialize');
      }
      ctx.log.info({ sessionId: id, owner }, 'owner replica unreachable: session adopted here');
      void handleStreamableHttp(ctx, req, answer, caller, body);
    },
  });
}
