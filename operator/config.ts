// Operator configuration: flags (win) and MCP_OPERATOR_* env, parsed and validated once, then passed down.
import { parseArgs } from 'node:util';
import { z } from 'zod';

const intFrom = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

const schema = z.object({
  bridgeImage: z.string().min(1).default('localhost/mcp-bridge:local'),
  bridgeImagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
  /** prometheus.io/scrape|port|path on every bridged pod, for annotation-based Prometheus scrape configs. */
  bridgeMetricsAnnotations: bool.default(false),
  /** OTEL_EXPORTER_OTLP_ENDPOINT of every bridge (a collector's OTLP/HTTP base URL); empty = none set. */
  bridgeOtlpEndpoint: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  /**
   * Prometheus as KEDA's operator reaches it, for the ScaledObjects of McpServers autoscaled on bridge
   * metrics (in-flight requests, sessions); empty = those report Autoscaling=False PrometheusNotConfigured.
   */
  autoscalingPrometheusUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  /** The operator's own namespace (POD_NAMESPACE in cluster; '' out of cluster): NetworkPolicies let its probe in. */
  operatorNamespace: z.string().default(''),
  /** Watch one namespace only; empty = all namespaces. */
  namespace: z.string().default(''),
  /** Port of /healthz, /readyz, /metrics; 0 picks a free port (tests). */
  port: intFrom(0, 65535).default(8081),
  bindAddress: z.string().default('0.0.0.0'),
  workers: intFrom(1, 256).default(8),
  resyncSeconds: intFrom(0).default(300),
  backoffBaseMs: intFrom(1).default(200),
  backoffMaxMs: intFrom(1).default(300_000),
  leaderElect: bool.default(true),
  leaderElectionNamespace: z.string().min(1).default('default'),
  leaderElectionId: z.string().min(1).default('mcp-sidecar-operator'),
  leaseDurationSeconds: intFrom(1).default(15),
  renewDeadlineSeconds: intFrom(1).default(10),
  retryPeriodSeconds: intFrom(1).default(2),
  identity: z.string().min(1),
  /** Probe each available McpServer over MCP (status.server, ServerVerified). */
  probeServers: bool.default(true),
  /** A successful probe is repeated this often (0 = only when the pod template or URL changes). */
  probeIntervalSeconds: intFrom(0).default(600),
  probeTimeoutSeconds: intFrom(1, 300).default(10),
  probeConcurrency: intFrom(1, 64).default(4),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});
export type OperatorConfig = z.infer<typeof schema>;

/** flag name → [config key, env var] */
const FLAGS = {
  'bridge-image': ['bridgeImage', 'MCP_OPERATOR_BRIDGE_IMAGE'],
  'bridge-image-pull-policy': ['bridgeImagePullPolicy', 'MCP_OPERATOR_BRIDGE_IMAGE_PULL_POLICY'],
  'bridge-metrics-annotations': ['bridgeMetricsAnnotations', 'MCP_OPERATOR_BRIDGE_METRICS_ANNOTATIONS'],
  'bridge-otlp-endpoint': ['bridgeOtlpEndpoint', 'MCP_OPERATOR_BRIDGE_OTLP_ENDPOINT'],
  'autoscaling-prometheus-url': ['autoscalingPrometheusUrl', 'MCP_OPERATOR_AUTOSCALING_PROMETHEUS_URL'],
  namespace: ['namespace', 'MCP_OPERATOR_NAMESPACE'],
  port: ['port', 'MCP_OPERATOR_PORT'],
  'bind-address': ['bindAddress', 'MCP_OPERATOR_BIND_ADDRESS'],
  workers: ['workers', 'MCP_OPERATOR_WORKERS'],
  'resync-seconds': ['resyncSeconds', 'MCP_OPERATOR_RESYNC_SECONDS'],
  'backoff-base-ms': ['backoffBaseMs', 'MCP_OPERATOR_BACKOFF_BASE_MS'],
  'backoff-max-ms': ['backoffMaxMs', 'MCP_OPERATOR_BACKOFF_MAX_MS'],
  'leader-elect': ['leaderElect', 'MCP_OPERATOR_LEADER_ELECT'],
  'leader-election-namespace': ['leaderElectionNamespace', 'MCP_OPERATOR_LEADER_ELECTION_NAMESPACE'],
  'leader-election-id': ['leaderElectionId', 'MCP_OPERATOR_LEADER_ELECTION_ID'],
  'lease-duration-seconds': ['leaseDurationSeconds', 'MCP_OPERATOR_LEASE_DURATION_SECONDS'],
  'renew-deadline-seconds': ['renewDeadlineSeconds', 'MCP_OPERATOR_RENEW_DEADLINE_SECONDS'],
  'retry-period-seconds': ['retryPeriodSeconds', 'MCP_OPERATOR_RETRY_PERIOD_SECONDS'],
  identity: ['identity', 'MCP_OPERATOR_IDENTITY'],
  'probe-servers': ['probeServers', 'MCP_OPERATOR_PROBE_SERVERS'],
  'probe-interval-seconds': ['probeIntervalSeconds', 'MCP_OPERATOR_PROBE_INTERVAL_SECONDS'],
  'probe-timeout-seconds': ['probeTimeoutSeconds', 'MCP_OPERATOR_PROBE_TIMEOUT_SECONDS'],
  'probe-concurrency': ['probeConcurrency', 'MCP_OPERATOR_PROBE_CONCURRENCY'],
  'log-level': ['logLevel', 'MCP_OPERATOR_LOG_LEVEL'],
} as const satisfies Record<string, readonly [keyof OperatorConfig, string]>;

export const USAGE = `mcp-operator [flags]
${Object.entries(FLAGS)
  .map(([flag, [, env]]) => `  --${flag.padEnd(28)} (env ${env})`)
  .join('\n')}
Kubernetes credentials: KUBECONFIG (or ~/.kube/config) out of cluster, the ServiceAccount in cluster.`;

export class ConfigError extends Error {}

/**
 * @param defaults values computed by the caller from the environment that has no flag
 *   (identity: POD_NAME or hostname; leaderElectionNamespace and operatorNamespace: POD_NAMESPACE).
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: { identity: string; leaderElectionNamespace?: string; operatorNamespace?: string },
): OperatorConfig {
  const options = Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
  const raw: Record<string, unknown> = {
    identity: defaults.identity,
    ...(defaults.leaderElectionNamespace === undefined ? {} : { leaderElectionNamespace: defaults.leaderElectionNamespace }),
    ...(defaults.operatorNamespace === undefined ? {} : { operatorNamespace: defaults.operatorNamespace }),
  };
  for (const [flag, [key, envName]] of Object.entries(FLAGS)) {
    const v = values[flag] ?? env[envName];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const cfg = parsed.data;
  if (cfg.renewDeadlineSeconds >= cfg.leaseDurationSeconds) {
    throw new ConfigError('invalid configuration: --renew-deadline-seconds must be less than --lease-duration-seconds');
  }
  if (cfg.retryPeriodSeconds >= cfg.renewDeadlineSeconds) {
    throw new ConfigError('invalid configuration: --retry-period-seconds must be less than --renew-deadline-seconds');
  }
  return cfg;
}
