// Shared mode: 2026-07-28 requests go to the one shared process, next to the 2025-era sessions. Each
// exchange (and each listen stream) is a client of the SharedUpstream like a session: its ids and
// progress tokens are rewritten, logs reach it only at its own level, and a server request reaches it
// (as MRTR) only when it is the one client with a request in flight.
import type { JsonRpcRequest } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import type { SharedUpstream } from '../sessions/shared-upstream.js';
import { forChild, type Identity, type ModernBackend } from './backend.js';
import type { ModernExchange } from './exchange.js';
import type { ListenStream } from './listen.js';

export class SharedModernBackend implements ModernBackend {
  private readonly listeners = new Set<ListenStream>();

  constructor(
    private readonly shared: SharedUpstream,
    private readonly metrics: BridgeMetrics,
  ) {}

  async identity(): Promise<Identity | undefined> {
    return (await this.shared.whenReady()) ? this.shared.identity : undefined;
  }

  get knownIdentity(): Identity | undefined {
    return this.shared.identity;
  }

  get inFlight(): number {
    return 0; // counted by the shared upstream's router, which the hub already asks
  }

  serve(exchange: ModernExchange, request: JsonRpcRequest): void {
    this.shared.add(exchange);
    exchange.onEnd = () => this.shared.remove(exchange);
    // The era is known once the process is ready; request() waits for that anyway.
    void this.shared.whenReady().then(() => {
      if (!exchange.isOpen) return;
      this.shared.request(exchange, forChild(request, this.shared.identity?.era), exchange.upstreamReply);
    });
  }

  listen(stream: ListenStream, onClose: (handler: () => void) => void): void {
    this.shared.add(stream);
    this.listeners.add(stream);
    this.metrics.listenStreams.set(this.listeners.size);
    for (const uri of stream.resourceUris) this.shared.subscribeFor(stream, uri);
    onClose(() => {
      this.listeners.delete(stream);
      this.metrics.listenStreams.set(this.listeners.size);
      this.shared.remove(stream);
    });
  }

  closeListeners(): void {
    const info = this.shared.identity?.init.serverInfo;
    for (const stream of [...this.listeners]) stream.close(info);
  }
}
