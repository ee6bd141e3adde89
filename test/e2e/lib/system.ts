// Brings the system under test to a known state, idempotently: the chart installed (CRDs server-side
// applied first with kubectl, as Helm never upgrades CRDs), Prometheus (samples/prometheus/apply.sh) in
// its own namespace, the samples applied in a PodSecurity-restricted namespace,
// and every sample McpServer Ready. Each test file calls ensureSystem() in beforeAll, so any file can run
// alone, and the second call costs a few kubectl reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './mcp.js';
import { type Condition, HELM, KUBECTL, NAMESPACE, RELEASE, SYSTEM_NAMESPACE, condition, getJson, helm, kubectl, sh, waitFor, waitReady } from './kube.js';

export const CHART = join(ROOT, 'charts/mcp-sidecar-operator');
/** Where Prometheus runs; the `monitoring` sample is pointed at it (its servers.json URL names `monitoring`). */
export const MONITORING_NAMESPACE = process.env.E2E_MONITORING_NAMESPACE ?? 'monitoring';
export const prometheusInClusterUrl = () => `http://prometheus.${MONITORING_NAMESPACE}.svc.cluster.local:9090`;

interface SampleServer { name: string; command: string[]; transport?: string; port?: number; path?: string; image?: string; env?: Record<string, unknown> }
export const SAMPLES: SampleServer[] = (JSON.parse(readFileSync(join(ROOT, 'samples/servers.json'), 'utf8')) as { servers: SampleServer[] }).servers;

/** Extra `helm` args, e.g. image overrides on kind: E2E_HELM_ARGS="--set operator.image.repository=...". */
const helmExtra = (process.env.E2E_HELM_ARGS ?? '').split(' ').filter((a) => a !== '');

/** The OpenTelemetry Collector every bridge exports its spans to (samples/otelcol/, chart value telemetry.otlpEndpoint). */
export const collectorInClusterUrl = () => `http://otel-collector.${MONITORING_NAMESPACE}.svc.cluster.local:4318`;

export async function applyCollector(): Promise<void> {
  await sh('bash', [join(ROOT, 'samples/otelcol/apply.sh'), MONITORING_NAMESPACE], { timeoutMs: 200_000 });
}

export async function installChart(): Promise<void> {
  // --validate=warn: like `helm install`, which creates CRDs with unknown fields dropped and a warning;
  // the strict check of every manifest is the server-side dry run test in 00-install.
  await kubectl(['apply', '--validate=warn', '-f', join(CHART, 'crds')]);
  // Polled, not `kubectl wait --for=condition=Established`: on a cluster that never had the CRD (a new kind
  // cluster) its status has no conditions for a moment after the apply, and kubectl 1.34's wait fails at once
  // (".status.conditions accessor error: <nil> is of the type <nil>") instead of waiting.
  await waitFor('CRD mcpservers.mcp.sidecar.dev Established', 60_000, async () => {
    const crd = await getJson<{ status?: { conditions?: Condition[] } }>(['get', 'crd', 'mcpservers.mcp.sidecar.dev']);
    return condition(crd, 'Established')?.status === 'True' ? true : undefined;
  });
  await helm(['upgrade', '--install', RELEASE, CHART, '-n', SYSTEM_NAMESPACE, '--create-namespace', '--skip-crds',
    '--set', `telemetry.otlpEndpoint=${collectorInClusterUrl()}`, '--wait', '--timeout', '180s', ...helmExtra], { timeoutMs: 200_000 });
}

export async function operatorReady(): Promise<void> {
  await kubectl(['-n', SYSTEM_NAMESPACE, 'rollout', 'status', `deploy/${RELEASE}`, '--timeout=120s'], { timeoutMs: 130_000 });
}

export async function applySamples(): Promise<void> {
  await sh('bash', [join(ROOT, 'samples/apply.sh'), NAMESPACE], { timeoutMs: 60_000 });
}

/** Prometheus scraping every annotated pod; returns its URL from this machine (the Service's ClusterIP). */
export async function applyPrometheus(): Promise<string> {
  const out = await sh('bash', [join(ROOT, 'samples/prometheus/apply.sh'), MONITORING_NAMESPACE], { timeoutMs: 200_000 });
  return out.trim().split('\n').pop() ?? '';
}

/** The sample names Prometheus by its cluster DNS name in `monitoring`; another namespace needs its own URL. */
async function pointMonitoringSample(): Promise<void> {
  const sample = SAMPLES.find((s) => s.name === 'monitoring');
  const i = sample?.env === undefined ? -1 : Object.keys(sample.env).indexOf('PROMETHEUS_URL');
  if (i < 0) throw new Error('samples/servers.json: the monitoring sample has no env PROMETHEUS_URL');
  if (sample?.env?.PROMETHEUS_URL === prometheusInClusterUrl()) return;
  await kubectl(['patch', 'mcpserver', 'monitoring', '-n', NAMESPACE, '--type', 'json', '-p',
    JSON.stringify([{ op: 'replace', path: `/spec/env/${String(i)}/value`, value: prometheusInClusterUrl() }])]);
}

export async function samplesReady(timeoutMs = 300_000): Promise<void> {
  await kubectl(['-n', NAMESPACE, 'rollout', 'status', 'deploy/postgres-db', `--timeout=${String(timeoutMs / 1000)}s`], { timeoutMs });
  await Promise.all(SAMPLES.map((s) => waitReady(s.name, timeoutMs)));
}

let done: Promise<void> | undefined;
export function ensureSystem(): Promise<void> {
  done ??= (async () => {
    process.env.KUBECTL = KUBECTL;
    process.env.HELM = HELM;
    if (process.env.E2E_SKIP_INSTALL !== '1') {
      // Always (an upgrade of an unchanged release is quick): a release left by an older run may lack a value.
      await applyCollector();
      await installChart();
      await operatorReady();
      await applyPrometheus();
      await applySamples();
      await pointMonitoringSample();
    }
    await samplesReady();
  })();
  return done;
}

/** Applies a McpServer (YAML or JSON text) in the e2e namespace. */
export async function applyManifest(text: string): Promise<void> {
  await kubectl(['apply', '-n', NAMESPACE, '-f', '-'], { input: text });
}

/** Deletes a McpServer and waits until its children are gone (used for cleanup too). */
export async function deleteServer(name: string, timeoutMs = 120_000): Promise<void> {
  await kubectl(['delete', 'mcpserver', name, '-n', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
  await waitFor(`children of ${name} to be garbage-collected`, timeoutMs, async () => {
    const left = await kubectl(['get', 'deploy,svc,secret,pods', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${name}`, '-o', 'name']);
    return left.trim() === '' ? true : undefined;
  }, 1000);
}
