// Operator metrics on a registry of its own (several operators can live in one process in tests).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  reconciles: Counter<'result'>;
  reconcileDuration: Histogram<'result'>;
  queueDepth: Gauge;
  writes: Counter<'kind' | 'verb'>;
  applyErrors: Counter;
  isLeader: Gauge;
  probes: Counter<'result'>;
}

export function createMetrics(queueDepth: () => number, withDefaults: boolean): OperatorMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    reconciles: new Counter({
      name: 'mcp_operator_reconciles_total',
      help: 'Reconciles by result (success, error, deleted, invalid)',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'mcp_operator_reconcile_duration_seconds',
      help: 'Reconcile duration by result',
      labelNames: ['result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'mcp_operator_queue_depth',
      help: 'Keys waiting in the work queue',
      registers: [registry],
      collect() {
        this.set(queueDepth());
      },
    }),
    writes: new Counter({
      name: 'mcp_operator_writes_total',
      help: 'Mutating API requests sent, by kind and verb (apply, create, status, lease, delete)',
      labelNames: ['kind', 'verb'],
      registers: [registry],
    }),
    applyErrors: new Counter({
      name: 'mcp_operator_reconcile_errors_total',
      help: 'Reconciles that failed and were requeued with backoff',
      registers: [registry],
    }),
    isLeader: new Gauge({ name: 'mcp_operator_is_leader', help: '1 while this replica holds the lease', registers: [registry] }),
    probes: new Counter({
      name: 'mcp_operator_server_probes_total',
      help: 'MCP probes of servers by result (Discovered, Initialized, Unreachable, ProbeFailed, NotAnMcpServer)',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}
