// Shared mode in front of a 2026-07-28 child (found by the server/discover probe): 2025-era
// sessions' requests are upgraded for it, and its input_required answers become ordinary 2025 server
// requests to the session that asked, whose answers go back in a retry (MRTR the other way).
import { ErrorCodes, errorResponse, type JSONRPCMessage, type JsonRpcRequest, type RequestId } from '../jsonrpc.js';
import { META, capabilityFor } from '../modern/envelope.js';
import { bridgeEnvelope } from '../modern/probe.js';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';
import type { ReplyTarget } from './reply-target.js';
import type { RequestRouter } from './request-router.js';
import type { SharedClient } from './shared-upstream.js';

export class SessionUpgrade {
  /** Server requests the bridge sent a session on the child's behalf, by the id the session got. */
  private readonly asks = new Map<string, { client: SharedClient; answer: (response: JSONRPCMessage) => void }>();
  private next = 1;

  /**
   * A 2025-era session's request to a 2026-07-28 server: the per-request envelope is added (the
   * session's capabilities and log level). What 2026-07-28 removed is answered here: setLevel is
   * remembered for the envelope; resource subscriptions are not relayed (the server only offers them
   * on listen streams). An input_required answer becomes server requests to the session (sampling,
   * elicitation, roots, as 2025 sessions get them), answered in a retry.
   */
  request(client: SharedClient, message: JsonRpcRequest, reply: ReplyTarget, router: RequestRouter): void {
    if (message.method === 'logging/setLevel') {
      const level = (message.params as { level?: unknown } | undefined)?.level;
      if (typeof level === 'string' && (LOG_LEVELS as readonly string[]).includes(level)) client.logLevel = level as LogLevel;
      return reply.complete({ jsonrpc: '2.0', id: message.id, result: {} });
    }
    if (message.method === 'ping') return reply.complete({ jsonrpc: '2.0', id: message.id, result: {} });
    if (message.method === 'resources/subscribe' || message.method === 'resources/unsubscribe') {
      return reply.complete(errorResponse(message.id, ErrorCodes.methodNotFound, `${message.method} is not relayed to this server: it speaks 2026-07-28 (use that revision's subscriptions/listen)`));
    }
    const meta = { ...(message.params?._meta ?? {}), ...bridgeEnvelope(client.capabilities ?? {}), ...(client.logLevel !== undefined ? { [META.logLevel]: client.logLevel } : {}) };
    const send = (params: Record<string, unknown>): void => {
      router.request(client, { ...message, params: { ...params, _meta: meta } }, {
        traceContext: reply.traceContext,
        deliver: (m) => reply.deliver(m),
        complete: (response) => {
          const result = (response as { result?: { resultType?: unknown; inputRequests?: unknown; requestState?: unknown } }).result;
          if (result?.resultType !== 'input_required') return reply.complete(response);
          // MRTR the other way: the child's input requests become this session's server requests;
          // their answers go back in a retry of the same request.
          void this.ask(client, result.inputRequests, router).then((inputResponses) => {
            if (!client.isOpen) return reply.abandon();
            if (inputResponses === undefined) {
              return reply.complete(errorResponse(message.id, ErrorCodes.internalError, 'the server asked for client input this session could not give'));
            }
            const retry: Record<string, unknown> = { ...(message.params ?? {}), inputResponses };
            if (typeof result.requestState === 'string') retry.requestState = result.requestState;
            send(retry);
          });
        },
        abandon: () => reply.abandon(),
      });
    };
    send(message.params ?? {});
  }

  /** Asks a 2025 session what a 2026-07-28 child's input requests want; undefined if it cannot answer. */
  private async ask(client: SharedClient, inputRequests: unknown, router: RequestRouter): Promise<Record<string, unknown> | undefined> {
    if (typeof inputRequests !== 'object' || inputRequests === null) return {};
    const asks = Object.entries(inputRequests as Record<string, { method?: unknown; params?: unknown }>).map(([key, request]) => {
      const method = typeof request.method === 'string' ? request.method : '';
      const capability = capabilityFor(method);
      if (capability === undefined || (client.capabilities !== undefined && !(capability in client.capabilities))) return Promise.resolve(undefined);
      return new Promise<[string, unknown] | undefined>((resolve) => {
        const id = `ask-${this.next++}`;
        this.asks.set(id, { client, answer: (response) => resolve('result' in response ? [key, response.result] : undefined) });
        if (!client.deliverUnrelated({ jsonrpc: '2.0', id, method, params: request.params ?? {} } as JSONRPCMessage, router)) {
          this.asks.delete(id);
          resolve(undefined);
        }
      });
    });
    const answers = await Promise.all(asks);
    if (answers.some((a) => a === undefined)) return undefined;
    return Object.fromEntries(answers as [string, unknown][]);
  }

  /** A session's answer to one of its asks; false when the message is not one. */
  answered(client: SharedClient, message: JSONRPCMessage & { id: RequestId }): boolean {
    const key = String(message.id);
    const asked = this.asks.get(key);
    if (asked === undefined) return false;
    if (asked.client === client) {
      this.asks.delete(key);
      asked.answer(message);
    }
    return true;
  }

  /** A session left: its open asks fail (the call gets an error, not a hang). */
  forget(client: SharedClient): void {
    for (const [key, asked] of this.asks) {
      if (asked.client !== client) continue;
      this.asks.delete(key);
      asked.answer({ jsonrpc: '2.0', id: key, error: { code: ErrorCodes.internalError, message: 'the client session ended' } });
    }
  }
}
