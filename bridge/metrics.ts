// Prometheus metrics of one bridge. A registry per instance (not the global one), so several bridges
// can run in one process (tests) without clashing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SUPPORTED_PROTOCOL_VERSIONS } from './jsonrpc.js';

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

export const OPERATION_LABELS = ['mcp_method_name', 'gen_ai_tool_name', 'gen_ai_prompt_name', 'mcp_resource_uri', 'error_type', 'mcp_protocol_version', 'network_transport'] as const;
export type OperationLabel = (typeof OPERATION_LABELS)[number];
/** Every label is always set: "" where it does not apply (Prometheus treats "" as absent). */
export type OperationLabels = Readonly<Record<OperationLabel, string>>;
const SESSION_VERSIONS: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS);
export const SESSION_LABELS = ['mcp_protocol_version', 'network_transport', 'error_type'] as const;

/** Plain counts kept on the hot path; prom-client reads them only when /metrics is scraped. */
class HotCounts {
  /** `${direction}|${method label}` → messages. */
  readonly messages = new Map<string, number>();
  bytesTo = 0;
  bytesFrom = 0;
  inFlight = 0;
}

export class BridgeMetrics {
  readonly registry = new Registry();
  // Per-message figures are plain numbers bumped on the hot path and handed to prom-client in its
  // collect() at scrape time: going through prom-client for each message (label hashing, bound
  // children, gauge inc/dec) was ~3-4% of the bridge's CPU on the echo path (docs/benchmarks.md).
  private readonly hot = new HotCounts();
  readonly sessionsActive = new Gauge({ name: 'mcp_bridge_sessions_active', help: 'Client sessions open now', labelNames: ['transport'], registers: [this.registry] });
  readonly sessionsCreated = new Counter({ name: 'mcp_bridge_sessions_created_total', help: 'Client sessions created', labelNames: ['transport'], registers: [this.registry] });
  readonly sessionsAdopted = new Counter({ name: 'mcp_bridge_sessions_adopted_total', help: 'Shared-mode sessions taken over from a replica that was gone (their state rides in the session id)', registers: [this.registry] });
  readonly sessionHandoffs = new Counter({
    name: 'mcp_bridge_session_handoffs_total',
    help: "Shared-mode sessions' log levels and subscriptions handed over by a stopping replica: sent (to at least one peer), received, pulled (asked of a peer by a replica that had not got it), applied (at adoption)",
    labelNames: ['stage'],
    registers: [this.registry],
  });
  readonly sessionsRejected = new Counter({ name: 'mcp_bridge_sessions_rejected_total', help: 'Sessions refused (capacity, shutdown, upstream failure)', labelNames: ['reason'], registers: [this.registry] });
  readonly messages: Counter<'direction' | 'method'> = new Counter({
    name: 'mcp_bridge_messages_total',
    help: 'JSON-RPC messages relayed',
    labelNames: ['direction', 'method'],
    registers: [this.registry],
    collect: () => {
      this.messages.reset();
      for (const [key, count] of this.hot.messages) {
        const [direction = '', method = ''] = key.split('|');
        this.messages.inc({ direction, method }, count);
      }
    },
  });
  readonly bytes: Counter<'direction'> = new Counter({
    name: 'mcp_bridge_bytes_total',
    help: 'Bytes of JSON-RPC relayed',
    labelNames: ['direction'],
    registers: [this.registry],
    collect: () => {
      this.bytes.reset();
      this.bytes.inc({ direction: 'to_server' }, this.hot.bytesTo);
      this.bytes.inc({ direction: 'from_server' }, this.hot.bytesFrom);
    },
  });
  readonly requestDuration = new Histogram({
    name: 'mcp_bridge_request_duration_seconds',
    help: 'Time from a client request reaching the bridge to its response leaving it',
    labelNames: ['method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly evictions = new Counter({
    name: 'mcp_bridge_evictions_total',
    help: 'Sessions the bridge ended to reclaim their process: capacity (at the cap, the longest-idle one for a new session), idle (--idle-timeout), vanished (--vanished-after)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  /** Set by the session hub: the live cap, the per-server size it assumes, and whether it is full. */
  capacityProbe: () => { max: number; serverPrivateBytes: number; full: boolean } = () => ({ max: 0, serverPrivateBytes: 0, full: false });
  readonly sessionCapacity: Gauge = new Gauge({
    name: 'mcp_bridge_session_capacity',
    help: 'Sessions this bridge holds at most now (--max-sessions, or what the memory limit holds: docs/reliability.md)',
    registers: [this.registry],
    collect: () => this.sessionCapacity.set(this.capacityProbe().max),
  });
  readonly serverPrivate: Gauge = new Gauge({
    name: 'mcp_bridge_server_private_bytes',
    help: 'Private memory per session server the memory-based cap plans with (largest measured process group, or the 64 MiB assumption until one is measured)',
    registers: [this.registry],
    collect: () => this.serverPrivate.set(this.capacityProbe().serverPrivateBytes),
  });
  readonly sessionsFull: Gauge = new Gauge({
    name: 'mcp_bridge_sessions_full',
    help: '1 when at the session cap with every session busy (nothing evictable): new sessions get 503 and /readyz is 503',
    registers: [this.registry],
    collect: () => this.sessionsFull.set(this.capacityProbe().full ? 1 : 0),
  });
  readonly childSpawns = new Counter({ name: 'mcp_bridge_child_spawns_total', help: 'Server processes (or agent connections) started', registers: [this.registry] });
  readonly childExits = new Counter({ name: 'mcp_bridge_child_exits_total', help: 'Server processes ended', labelNames: ['cause'], registers: [this.registry] });
  readonly upstreamRestarts = new Counter({ name: 'mcp_bridge_upstream_restarts_total', help: 'Shared-mode server restarts after a crash', registers: [this.registry] });
  readonly noiseLines = new Counter({ name: 'mcp_bridge_stdout_noise_lines_total', help: 'Server stdout lines that were not JSON-RPC (dropped)', registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'mcp_bridge_rate_limited_total', help: 'Tool calls refused with 429 by --rate-limit', registers: [this.registry] });
  readonly queueDrops = new Counter({ name: 'mcp_bridge_queue_drops_total', help: 'Client streams closed because their reader was too slow (--max-queue)', registers: [this.registry] });
  readonly warmPoolReady = new Gauge({
    name: 'mcp_bridge_warm_pool_ready',
    help: 'Warm-pool processes waiting that a new session can take now (started; and initialized, with --warm-pool-initialize)',
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'mcp_bridge_http_requests_total',
    help: 'POSTs to /mcp by protocol era: modern (2026-07-28, no session) or legacy (initialize and sessions)',
    labelNames: ['era'],
    registers: [this.registry],
  });
  readonly relayed = new Counter({
    name: 'mcp_bridge_relayed_total',
    help: 'Requests this replica relayed to the replica that owns their state (a 2025-era session, or an MRTR continuation)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly mrtr = new Counter({
    name: 'mcp_bridge_mrtr_total',
    help: 'MRTR continuations: input_required answers, resumed retries, expired, refused (table full, bad state)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly mrtrPending = new Gauge({ name: 'mcp_bridge_mrtr_pending', help: 'MRTR continuations waiting for a retry', registers: [this.registry] });
  readonly listenStreams = new Gauge({ name: 'mcp_bridge_listen_streams', help: 'subscriptions/listen streams open now', registers: [this.registry] });
  readonly modernWorkers = new Gauge({
    name: 'mcp_bridge_modern_workers',
    help: 'Per-session mode: initialized processes serving 2026-07-28 requests, by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly inFlight: Gauge = new Gauge({
    name: 'mcp_bridge_requests_in_flight',
    help: 'Client requests waiting for the server',
    registers: [this.registry],
    collect: () => {
      this.inFlight.set(this.hot.inFlight);
    },
  });

  // The OpenTelemetry MCP semantic conventions (mcp.server.operation.duration and
  // mcp.server.session.duration, in seconds, dots become underscores). These names and labels are a
  // contract (dashboards, docs/observability.md): never rename them. Every label value is bounded by
  // construction (telemetry/semconv.ts, telemetry/known-names.ts); mcp.session.id is never a label.
  readonly operationDuration = new Histogram({
    name: 'mcp_server_operation_duration_seconds',
    help: 'MCP request duration as the bridge serves it, from the request arriving to its response leaving (OpenTelemetry mcp.server.operation.duration)',
    labelNames: OPERATION_LABELS,
    buckets: [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly sessionDuration = new Histogram({
    name: 'mcp_server_session_duration_seconds',
    help: 'Duration of 2025-era client sessions, from initialize to their end (OpenTelemetry mcp.server.session.duration)',
    labelNames: SESSION_LABELS,
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400],
    registers: [this.registry],
  });

  // Label children bound once and reused (label objects per observation showed up in the profile).
  private readonly durationChildren = new Map<string, Histogram.Internal<'method'>>();
  private readonly operationChildren = new Map<string, Histogram.Internal<OperationLabel>>();

  /** One JSON-RPC message relayed; `method` undefined for responses. */
  countMessage(direction: 'to_server' | 'from_server', method: string | undefined): void {
    const key = `${direction}|${methodLabel(method)}`;
    this.hot.messages.set(key, (this.hot.messages.get(key) ?? 0) + 1);
  }

  countBytes(direction: 'to_server' | 'from_server', bytes: number): void {
    if (direction === 'to_server') this.hot.bytesTo += bytes;
    else this.hot.bytesFrom += bytes;
  }

  /** A request was sent to a server (+1) or settled (-1). */
  trackInFlight(delta: 1 | -1): void {
    this.hot.inFlight += delta;
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

  /** One MCP operation (request → response) ended; every label value is already bounded. */
  observeOperation(labels: OperationLabels, seconds: number): void {
    const key = `${labels.mcp_method_name}\u0000${labels.gen_ai_tool_name}\u0000${labels.gen_ai_prompt_name}\u0000${labels.mcp_resource_uri}\u0000${labels.error_type}\u0000${labels.mcp_protocol_version}`;
    let child = this.operationChildren.get(key);
    if (child === undefined) {
      child = this.operationDuration.labels(labels);
      this.operationChildren.set(key, child);
    }
    child.observe(seconds);
  }

  /** A 2025-era session ended (its version label is bounded like the operations'). */
  observeSession(protocolVersion: string | undefined, errorType: string | undefined, seconds: number): void {
    const version = protocolVersion === undefined ? '' : SESSION_VERSIONS.has(protocolVersion) ? protocolVersion : '_OTHER';
    this.sessionDuration.observe({ mcp_protocol_version: version, network_transport: 'tcp', error_type: errorType ?? '' }, seconds);
  }

  constructor(withProcessMetrics = true) {
    // The event-loop lag histogram samples once a second, not prom-client's default every 10 ms: those
    // 100 wake-ups a second were most of an idle bridge's CPU (~8m of a core here, measured: 25 vs 9
    // ticks in 20 s), enough to keep an HPA on a 20m CPU request from ever scaling back down.
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'mcp_bridge_', eventLoopMonitoringPrecision: 1000 });
    // Every known label value starts at 0 (Prometheus's advice: a series that only appears at its first
    // event makes rate() and increase() empty, not 0, so a dashboard panel shows "No data" on a quiet
    // bridge; the e2e suite fails on empty panels).
    for (const reason of ['capacity', 'draining']) this.sessionsRejected.inc({ reason }, 0);
    for (const cause of ['exited', 'stopped', 'oversize_line']) this.childExits.inc({ cause }, 0);
    for (const reason of ['session', 'request_state']) this.relayed.inc({ reason }, 0);
    // Also the per-transport session series: a bridge that has served only 2026-07-28 requests (no
    // session ever) must still be listed by the dashboard's server variable (label_values of this gauge).
    for (const transport of ['streamable-http', 'sse']) {
      this.sessionsActive.inc({ transport }, 0);
      this.sessionsCreated.inc({ transport }, 0);
    }
  }
}
