// kubectl / helm through their CLIs (argv arrays, no shell), JSON reads, and waiting with deadlines.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor as poll } from '../../lib/wait-for.js';

const run = promisify(execFile);
// hack/lib/common.sh's BIN_CACHE/current (MCP_CACHE_DIR, default /var/cache/mcp-sidecar).
const LOCAL_BIN = `${process.env.MCP_CACHE_DIR ?? '/var/cache/mcp-sidecar'}/bin/current`;

function tool(name: string, envName: string): string {
  const fromEnv = process.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const local = join(LOCAL_BIN, name);
  return existsSync(local) ? local : name;
}

export const KUBECTL = tool('kubectl', 'KUBECTL');
export const HELM = tool('helm', 'HELM');
export const NAMESPACE = process.env.E2E_NAMESPACE ?? 'mcp-e2e';
export const SYSTEM_NAMESPACE = process.env.E2E_SYSTEM_NAMESPACE ?? 'mcp-system';
export const RELEASE = process.env.E2E_RELEASE ?? 'mcp-sidecar-operator';

export async function sh(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  try {
    const child = run(cmd, [...args], { maxBuffer: 64 << 20, timeout: opts.timeoutMs ?? 120_000 });
    if (opts.input !== undefined) {
      child.child.stdin?.end(opts.input);
    }
    const { stdout } = await child;
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const detail = (e.stderr ?? '').trim() || e.message;
    // kubectl echoes whole objects in some errors (a CRD is ~30 kB); the cause is at the end.
    const short = detail.length > 1500 ? `${detail.slice(0, 300)} [...] ${detail.slice(-700)}` : detail;
    throw new Error(`${cmd.split('/').pop() ?? cmd} ${args.join(' ')}: ${short}`);
  }
}

export const kubectl = (args: readonly string[], opts?: { input?: string; timeoutMs?: number }) => sh(KUBECTL, args, opts);
export const helm = (args: readonly string[], opts?: { timeoutMs?: number }) => sh(HELM, args, opts);

export async function getJson<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
}

/** Whether `kubectl get` finds the object (NotFound → false; other errors throw). */
export async function exists(args: readonly string[]): Promise<boolean> {
  try {
    await kubectl(['get', ...args, '-o', 'name']);
    return true;
  } catch (err) {
    if (err instanceof Error && /NotFound|not found/.test(err.message)) return false;
    throw err;
  }
}

/** test/lib/wait-for.ts with the e2e's argument order and a 500 ms interval (cluster state moves slowly). */
export function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
  return poll(what, probe, { timeoutMs, intervalMs });
}

export interface Condition { type: string; status: string; reason?: string; message?: string; observedGeneration?: number }
export interface McpServerObj {
  metadata: { name: string; generation?: number; uid?: string };
  spec: Record<string, unknown> & { replicas?: number };
  status?: {
    observedGeneration?: number; replicas?: number; readyReplicas?: number; url?: string; sseUrl?: string; selector?: string;
    server?: { name?: string; version?: string; protocolVersions?: string[]; eras?: string[] };
    conditions?: Condition[];
  };
}
export interface PodObj {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

export const condition = (o: { status?: { conditions?: Condition[] } }, type: string): Condition | undefined =>
  o.status?.conditions?.find((c) => c.type === type);

export const mcpServer = (name: string, ns = NAMESPACE) => getJson<McpServerObj>(['get', 'mcpserver', name, '-n', ns]);

export async function podsOf(name: string, ns = NAMESPACE): Promise<PodObj[]> {
  const list = await getJson<{ items: PodObj[] }>(['get', 'pods', '-n', ns, '-l', `app.kubernetes.io/instance=${name},app.kubernetes.io/name=mcp-server`]);
  return list.items;
}

export const podReady = (p: PodObj) =>
  p.metadata.deletionTimestamp === undefined && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Waits until the McpServer's Ready condition is True for its current generation. */
export async function waitReady(name: string, timeoutMs: number, ns = NAMESPACE): Promise<McpServerObj> {
  return waitFor(`McpServer ${ns}/${name} Ready`, timeoutMs, async () => {
    const o = await mcpServer(name, ns);
    const ready = condition(o, 'Ready');
    if (ready?.status !== 'True') throw new Error(`Ready=${ready?.status ?? 'none'} ${ready?.reason ?? ''} ${ready?.message ?? ''}`);
    return o.status?.observedGeneration === o.metadata.generation ? o : undefined;
  }, 1000);
}

/** http://<ClusterIP>:<port><path> of a Service (the local cluster routes host → ClusterIP). */
export async function serviceUrl(name: string, path: string, ns = NAMESPACE): Promise<string> {
  const svc = await getJson<{ spec: { clusterIP: string; ports: { port: number }[] } }>(['get', 'service', name, '-n', ns]);
  const port = svc.spec.ports[0]?.port;
  if (port === undefined) throw new Error(`service ${ns}/${name} has no port`);
  return `http://${svc.spec.clusterIP}:${port}${path}`;
}

/**
 * Waits until a Service answers (GET <base>/healthz, or any HTTP answer for servers without one): a Ready
 * McpServer can precede kube-proxy's rules for its endpoints by a moment (ECONNREFUSED until then).
 */
export async function waitServing(baseUrl: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${baseUrl} to accept connections`, timeoutMs, async () => {
    const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    return true;
  });
}

/**
 * Waits until the McpServer has `replicas` ready pods and its Service's ready endpoints are exactly their
 * IPs (kube-proxy routes only to pods it has endpoints for); returns those pods.
 */
export async function endpointsSettled(name: string, replicas: number, timeoutMs = 120_000, ns = NAMESPACE): Promise<PodObj[]> {
  return waitFor(`${ns}/${name}: ${String(replicas)} ready pods, all of them Service endpoints`, timeoutMs, async () => {
    const pods = (await podsOf(name, ns)).filter(podReady);
    const ready = pods.map((p) => p.status?.podIP ?? '').sort();
    if (ready.length !== replicas) return undefined;
    const slices = await getJson<{ items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] }>(
      ['get', 'endpointslices', '-n', ns, '-l', `kubernetes.io/service-name=${name}`]);
    const ips = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).flatMap((e) => e.addresses)).sort();
    return JSON.stringify(ips) === JSON.stringify(ready) ? pods : undefined;
  }, 1000);
}
