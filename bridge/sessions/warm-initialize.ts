// --warm-pool-initialize: a pooled process is initialized by the bridge before any client comes, so
// a new session does not wait for the server's first initialize (cold code paths: ~7-15 ms for a
// small Node server here, more for big ones). It is only correct to hand such a process to a client
// whose own initialize would have told the server the same thing: same protocol version, no
// capabilities (so the server can never use roots, sampling or elicitation toward a client that did
// not offer them), no other parameters. Only clientInfo differs: the server sees the bridge's. Any
// other client gets a process that sees its own initialize (see WarmPool.take).
import type { Logger } from 'pino';
import { ErrorCodes, errorResponse, isRequest, isResponse, type JsonRpcRequest } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Upstream } from '../upstream/upstream.js';
import { BRIDGE_PROTOCOL_VERSION, bridgeInitialize, parseInitializeResult, type InitializeResult } from './initialize.js';

const WARM_ID = 'bridge-warm-initialize';
export const WARM_PROTOCOL_VERSION = BRIDGE_PROTOCOL_VERSION;

/** Whether this client initialize tells a server nothing the bridge's warm initialize did not (clientInfo aside). */
export function matchesWarmInitialize(initialize: JsonRpcRequest): boolean {
  const params = initialize.params;
  if (params === undefined) return false;
  for (const key of Object.keys(params)) if (key !== 'protocolVersion' && key !== 'capabilities' && key !== 'clientInfo') return false;
  const capabilities = params.capabilities;
  return (
    params.protocolVersion === WARM_PROTOCOL_VERSION &&
    typeof capabilities === 'object' &&
    capabilities !== null &&
    Object.keys(capabilities).length === 0
  );
}

/**
 * Initializes a fresh process on the bridge's behalf and sends notifications/initialized. Until a
 * session takes the process, nobody is there to answer it: ping is answered, other server requests
 * get an error, notifications are dropped (a client that arrives later lists tools etc. itself).
 * Resolves the result, or undefined (and stops the process) when the server refuses, answers with
 * something that is not an InitializeResult, exits, or takes longer than timeoutMs.
 */
export function warmInitialize(
  upstream: Upstream,
  metrics: BridgeMetrics,
  log: Logger,
  timeoutMs: number,
  capabilities: Readonly<Record<string, unknown>> = {},
): Promise<InitializeResult | undefined> {
  return new Promise((resolve) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      log.warn({ why }, 'warm initialize failed; stopping that process');
      void upstream.stop();
      resolve(undefined);
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    timer.unref();
    void upstream.closed.then((info) => {
      clearTimeout(timer);
      resolve(undefined);
      return info;
    });
    // The answer is intercepted, not taken through onMessage: a session may take this process before
    // it arrives (its RequestRouter then owns onMessage) and still needs the result.
    const stopIntercepting = upstream.intercept((message) => {
      if (!isResponse(message) || message.id !== WARM_ID) return false;
      stopIntercepting();
      const result = parseInitializeResult(message.result);
      if (result === undefined) {
        fail(message.error !== undefined ? `server refused: ${message.error.message}` : 'answer is not an InitializeResult');
        return true;
      }
      clearTimeout(timer);
      metrics.countMessage('to_server', 'notifications/initialized');
      upstream.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      resolve(result);
      return true;
    });
    // Until a session takes the process (and replaces this), nobody is there to answer it.
    upstream.onMessage = (message) => {
      if (isRequest(message)) {
        upstream.send(message.method === 'ping' ? { jsonrpc: '2.0', id: message.id, result: {} } : errorResponse(message.id, ErrorCodes.internalError, 'no client session has taken this process yet'));
      }
    };
    metrics.countMessage('to_server', 'initialize');
    upstream.send(bridgeInitialize(WARM_ID, capabilities));
  });
}
