// Prometheus metrics of one bridge. A registry per instance (not the global one), so several bridges
// can run in one process (tests) without clashing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Known MCP methods get their own label value; anything else is "other" (bounded cardinality). */
const KNOWN_METHODS = new Set([
  'initialize', 'ping', 'tools/list', 'tools/call', 'resources/list', 'resources/read', 'resources/templates/list',
  'resources/subscribe', 'resources/unsubscribe', 'prompts/list', 'prompts/get', 'completion/complete',
  'logging/setLevel', 'sampling/createMessage', 'elicitation/create', 'roots/list', 'tasks/get', 'tasks/list',
  'tasks/cancel', 'tasks/result', 'notifications/initialized', 'notifications/cancelled', 'notifications/progress',
  'notifications/message', 'notifications/tools/list_changed', 'notifications/resources/list_changed',
  'notifications/prompts/list_changed', 'notifications/resources/updated', 'notifications/roots/list_changed',
]);

export function methodLabel(method: string | undefined): string {
  if (method === undefined) return 'response';
  return KNOWN_METHODS.has(method) ? method : 'other';
}

export class BridgeMetrics {
  readonly registry = new Registry();
  readonly sessionsActive = new Gauge({ name: 'mcp_bridge_sessions_active', help: 'Client sessions open now', labelNames: ['transport'], registers: [this.registry] });
  readonly sessionsCreated = new Counter({ name: 'mcp_bridge_sessions_created_total', help: 'Client sessions created', labelNames: ['transport'], registers: [this.registry] });
  readonly sessionsRejected = new Counter({ name: 'mcp_bridge_sessions_rejected_total', help: 'Sessions refused (capacity, shutdown, upstream failure)', labelNames: ['reason'], registers: [this.registry] });
  readonly messages = new Counter({ name: 'mcp_bridge_messages_total', help: 'JSON-RPC messages relayed', labelNames: ['direction', 'method'], registers: [this.registry] });
  readonly bytes = new Counter({ name: 'mcp_bridge_bytes_total', help: 'Bytes of JSON-RPC relayed', labelNames: ['direction'], registers: [this.registry] });
  readonly requestDuration = new Histogram({
    name: 'mcp_bridge_request_duration_seconds',
    help: 'Time from a client request reaching the bridge to its response leaving it',
    labelNames: ['method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly childSpawns = new Counter({ name: 'mcp_bridge_child_spawns_total', help: 'Server processes (or agent connections) started', registers: [this.registry] });
  readonly childExits = new Counter({ name: 'mcp_bridge_child_exits_total', help: 'Server processes ended', labelNames: ['cause'], registers: [this.registry] });
  readonly upstreamRestarts = new Counter({ name: 'mcp_bridge_upstream_restarts_total', help: 'Shared-mode server restarts after a crash', registers: [this.registry] });
  readonly noiseLines = new Counter({ name: 'mcp_bridge_stdout_noise_lines_total', help: 'Server stdout lines that were not JSON-RPC (dropped)', registers: [this.registry] });
  readonly queueDrops = new Counter({ name: 'mcp_bridge_queue_drops_total', help: 'Client streams closed because their reader was too slow (--max-queue)', registers: [this.registry] });
  readonly inFlight = new Gauge({ name: 'mcp_bridge_requests_in_flight', help: 'Client requests waiting for the server', registers: [this.registry] });

  // Label children bound once and reused: building label objects per message showed up in the
  // profile (docs/benchmarks.md), and the label sets are small and bounded (methodLabel).
  private readonly messageChildren = new Map<string, Counter.Internal>();
  private readonly durationChildren = new Map<string, Histogram.Internal<'method'>>();
  private readonly bytesTo = this.bytes.labels({ direction: 'to_server' });
  private readonly bytesFrom = this.bytes.labels({ direction: 'from_server' });

  /** One JSON-RPC message relayed; `method` undefined for responses. */
  countMessage(direction: 'to_server' | 'from_server', method: string | undefined): void {
    const label = methodLabel(method);
    const key = `${direction}|${label}`;
    let child = this.messageChildren.get(key);
    if (child === undefined) {
      child = this.messages.labels({ direction, method: label });
      this.messageChildren.set(key, child);
    }
    child.inc();
  }

  countBytes(direction: 'to_server' | 'from_server', bytes: number): void {
    (direction === 'to_server' ? this.bytesTo : this.bytesFrom).inc(bytes);
  }

  observeRequest(method: string, seconds: number): void {
    const label = methodLabel(method);
    let child = this.durationChildren.get(label);
    if (child === undefined) {
      child = this.requestDuration.labels({ method: label });
      this.durationChildren.set(label, child);
    }
    child.observe(seconds);
  }

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'mcp_bridge_' });
  }
}
