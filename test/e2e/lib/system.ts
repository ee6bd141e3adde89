// Brings the system under test to a known state, idempotently: the chart installed (CRDs server-side
// applied first with kubectl, as Helm never upgrades CRDs), the samples applied in a PodSecurity-restricted namespace,
// and every sample McpServer Ready. Each test file calls ensureSystem() in beforeAll, so any file can run
// alone, and the second call costs a few kubectl reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './mcp.js';
import { HELM, KUBECTL, NAMESPACE, RELEASE, SYSTEM_NAMESPACE, helm, kubectl, sh, waitFor, waitReady } from './kube.js';

export const CHART = join(ROOT, 'charts/mcp-sidecar-operator');

interface SampleServer { name: string; command: string[]; transport?: string; port?: number; path?: string; image?: string }
export const SAMPLES: SampleServer[] = (JSON.parse(readFileSync(join(ROOT, 'samples/servers.json'), 'utf8')) as { servers: SampleServer[] }).servers;

/** Extra `helm` args, e.g. image overrides on kind: E2E_HELM_ARGS="--set operator.image.repository=...". */
const helmExtra = (process.env.E2E_HELM_ARGS ?? '').split(' ').filter((a) => a !== '');

export async function installChart(): Promise<void> {
  // --validate=warn: like `helm install`, which creates CRDs with unknown fields dropped and a warning;
  // the strict check of every manifest is the server-side dry run test in 00-install.
  await kubectl(['apply', '--validate=warn', '-f', join(CHART, 'crds')]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/mcpservers.mcp.sidecar.dev']);
  await helm(['upgrade', '--install', RELEASE, CHART, '-n', SYSTEM_NAMESPACE, '--create-namespace', '--skip-crds',
    '--wait', '--timeout', '180s', ...helmExtra], { timeoutMs: 200_000 });
}

export async function operatorReady(): Promise<void> {
  await kubectl(['-n', SYSTEM_NAMESPACE, 'rollout', 'status', `deploy/${RELEASE}`, '--timeout=120s'], { timeoutMs: 130_000 });
}

export async function applySamples(): Promise<void> {
  await sh('bash', [join(ROOT, 'samples/apply.sh'), NAMESPACE], { timeoutMs: 60_000 });
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
      const status = await helm(['status', RELEASE, '-n', SYSTEM_NAMESPACE, '-o', 'json']).catch(() => '');
      if (!status.includes('"status":"deployed"')) await installChart();
      await operatorReady();
      await applySamples();
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
