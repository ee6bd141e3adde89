// Where 2026-07-28 requests are served: on initialized legacy processes the bridge holds. Shared mode
// uses the one shared process (shared-backend.ts); per-session mode a pool of initialized worker
// processes, one request at a time each (worker-pool.ts).
import type { JsonRpcRequest } from '../jsonrpc.js';
import { stripEnvelope } from './envelope.js';
import type { InitializeResult } from '../sessions/initialize.js';
import type { Discovered } from './probe.js';
import type { ModernExchange } from './exchange.js';
import type { ListenStream } from './listen.js';

/** What the bridge knows of the server behind it: its era and what it said about itself. */
export interface Identity {
  /** legacy: initialized by the bridge (requests are downgraded); modern: answered server/discover (passed through). */
  readonly era: 'legacy' | 'modern';
  /** The initialize result (legacy), or one made from the DiscoverResult (modern) for 2025-era clients. */
  readonly init: InitializeResult;
  readonly discovered?: Discovered;
}

export interface ModernBackend {
  /** The identity of a ready process (waits, bounded); undefined when none comes up. */
  identity(): Promise<Identity | undefined>;
  /** The last known identity, without waiting (for serverInfo in results). */
  readonly knownIdentity: Identity | undefined;
  /**
   * Sends one exchange's request upstream (as the client sent it: a legacy child gets it without
   * the envelope, a modern one with it); the exchange's onEnd is set here.
   */
  serve(exchange: ModernExchange, request: JsonRpcRequest): void;
  /** An open subscriptions/listen stream (already acknowledged): fed until it closes. */
  listen(stream: ListenStream, onClose: (handler: () => void) => void): void;
  /** Requests in flight upstream (shutdown waits for them). */
  readonly inFlight: number;
  /** Ends every listen stream gracefully (shutdown). */
  closeListeners(): void;
}

/** The request as the child gets it: a legacy child without the 2026-07-28 envelope, a modern one as sent. */
export function forChild(request: JsonRpcRequest, era: Identity['era'] | undefined): JsonRpcRequest {
  if (era === 'modern') return request;
  const params = stripEnvelope(request.params);
  return { jsonrpc: '2.0', id: request.id, method: request.method, ...(params !== undefined ? { params } : {}) };
}
