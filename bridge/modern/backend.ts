// Where 2026-07-28 requests are served: on initialized legacy processes the bridge holds. Shared mode
// uses the one shared process (shared-backend.ts); per-session mode a pool of initialized worker
// processes, one request at a time each (worker-pool.ts).
import type { JsonRpcRequest } from '../jsonrpc.js';
import type { InitializeResult } from '../sessions/shared-upstream.js';
import type { ModernExchange } from './exchange.js';
import type { ListenStream } from './listen.js';

export interface ModernBackend {
  /** The initialize result of a ready process (waits, bounded); undefined when none comes up. */
  identity(): Promise<InitializeResult | undefined>;
  /** The last known identity, without waiting (for serverInfo in results). */
  readonly knownIdentity: InitializeResult | undefined;
  /** Sends one exchange's request upstream; the exchange's onEnd is set here. */
  serve(exchange: ModernExchange, request: JsonRpcRequest): void;
  /** An open subscriptions/listen stream (already acknowledged): fed until it closes. */
  listen(stream: ListenStream, onClose: (handler: () => void) => void): void;
  /** Requests in flight upstream (shutdown waits for them). */
  readonly inFlight: number;
  /** Ends every listen stream gracefully (shutdown). */
  closeListeners(): void;
}
