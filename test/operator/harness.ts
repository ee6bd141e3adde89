/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- the tests send plain JSON objects through client-node's class-typed signatures, as the library itself does. */
// Shared helpers for the operator tests against a real kube-apiserver (KUBECONFIG from the environment,
// e.g. `eval "$(hack/cluster-up.sh | tail -1)"`). The tests talk to the API with client-node directly,
// independently of the operator's own adapter.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { parseConfig } from '../../operator/config.js';
import { Operator } from '../../operator/operator.js';
import { installCrds } from '../lib/control-plane/crds.js';
import { waitFor as poll } from '../lib/wait-for.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const CRD_FILE = join(ROOT, 'crds/mcp.sidecar.dev_mcpservers.yaml');
export const GROUP = 'mcp.sidecar.dev';
export const VERSION = 'v1alpha1';
export const PLURAL = 'mcpservers';
/** An image the test cluster has locally, for pods that must really become Ready (node + http). */
export const NODE_IMAGE = process.env.MCP_TEST_NODE_IMAGE ?? 'localhost/mcp-node:local';

export function kubeConfig(): KubeConfig {
  if (process.env.KUBECONFIG === undefined || process.env.KUBECONFIG === '') {
    throw new Error('KUBECONFIG is not set: run `eval "$(hack/cluster-up.sh | tail -1)"` first');
  }
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export interface Api {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
}

export function api(): Api {
  const kc = kubeConfig();
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

export const codeOf = (err: unknown): number | undefined => (err instanceof ApiException ? (err as ApiException<unknown>).code : undefined);

/** A read that may find nothing: undefined on 404, any other error thrown. */
export async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (codeOf(err) === 404) return undefined;
    throw err;
  }
}

/** kubectl scale mcp <name> --replicas=n (what an HPA does too: the scale subresource). */
export async function scaleMcpServer(a: Api, namespace: string, name: string, replicas: number): Promise<void> {
  await a.custom.patchNamespacedCustomObjectScale(
    { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec: { replicas } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** test/lib/wait-for.ts with the operator tests' argument order. */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  return poll(what, probe, { timeoutMs });
}

/** Installs (server-side applies) the CRD and waits until McpServers can be listed. */
export async function installCrd(a: Api): Promise<void> {
  await installCrds(a.kc, [CRD_FILE]);
}

/**
 * A fresh namespace. With `noPods`, a ResourceQuota of zero pods keeps the Deployments from starting any
 * (no load on the shared machine, and Deployment status settles at once: 0 of N available).
 */
export async function createNamespace(a: Api, prefix: string, opts: { noPods?: boolean } = {}): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await a.core.createNamespace({ body: { metadata: { name, labels: { 'mcp.sidecar.dev/test': 'operator' } } } });
  if (opts.noPods === true) {
    await a.core.createNamespacedResourceQuota({ namespace: name, body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } } });
  }
  return name;
}

export async function deleteNamespace(a: Api, name: string): Promise<void> {
  if (name === '') return;
  try {
    await a.core.deleteNamespace({ name });
  } catch (err) {
    if (codeOf(err) !== 404) throw err;
  }
}

export interface McpServerObject extends KubernetesObject {
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    selector?: string;
    url?: string;
    sseUrl?: string;
    server?: { name?: string; version?: string; protocolVersions?: string[]; eras?: string[] };
    autoscaling?: { currentReplicas?: number; desiredReplicas?: number; lastScaleTime?: string };
    conditions?: { type: string; status: string; reason: string; message: string; lastTransitionTime: string; observedGeneration?: number }[];
  };
}

export function mcpServer(namespace: string, name: string, spec: Record<string, unknown>): McpServerObject {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'McpServer', metadata: { name, namespace }, spec };
}

export async function createMcpServer(a: Api, obj: McpServerObject, dryRun?: 'All'): Promise<McpServerObject> {
  const namespace = obj.metadata?.namespace ?? 'default';
  return (await a.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: obj, dryRun })) as McpServerObject;
}

export async function getMcpServer(a: Api, namespace: string, name: string): Promise<McpServerObject> {
  return (await a.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as McpServerObject;
}

/** JSON merge patch of an McpServer's spec (as a user with kubectl edit would). */
export async function patchMcpServerSpec(a: Api, namespace: string, name: string, spec: Record<string, unknown>): Promise<McpServerObject> {
  return (await a.custom.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as McpServerObject;
}

export function condition(
  obj: McpServerObject | undefined,
  type: string,
): { status: string; reason: string; message: string; observedGeneration?: number } | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

export interface RunningOperator {
  operator: Operator;
  stop: () => Promise<void>;
}

/** Runs the operator in-process, port 0, watching one namespace. */
export async function startOperator(namespace: string, extraArgs: string[] = [], identity = 'test'): Promise<RunningOperator> {
  const config = parseConfig(
    ['--port=0', '--bind-address=127.0.0.1', '--namespace', namespace, '--leader-elect=false', '--resync-seconds=0', ...extraArgs],
    {},
    { identity, leaderElectionNamespace: namespace },
  );
  const log = pino({ level: process.env.MCP_TEST_LOG_LEVEL ?? 'silent' });
  const operator = new Operator(config, kubeConfig(), log.child({ identity }));
  await operator.start();
  return { operator, stop: () => operator.stop() };
}

/** The sum of a counter's values whose labels match `labels`. */
export async function counterValue(operator: Operator, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = operator.metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Waits until the operator has done at least `n` more reconciles than `before` and has nothing left to do. */
export async function waitSettled(operator: Operator, before: number, n = 1, timeoutMs = 30_000): Promise<number> {
  return waitFor(
    'the operator to settle',
    async () => {
      const done = await counterValue(operator, 'mcp_operator_reconciles_total');
      return done >= before + n && operator.idle() ? done : undefined;
    },
    timeoutMs,
  );
}

export interface ChildVersions {
  deployment?: string;
  service?: string;
  secret?: string;
  mcpServer?: string;
}

export async function versionsOf(a: Api, namespace: string, name: string): Promise<ChildVersions> {
  const rv = async (read: () => Promise<KubernetesObject>): Promise<string | undefined> => {
    try {
      return (await read()).metadata?.resourceVersion;
    } catch (err) {
      if (codeOf(err) === 404) return undefined;
      throw err;
    }
  };
  return {
    deployment: await rv(() => a.apps.readNamespacedDeployment({ namespace, name })),
    service: await rv(() => a.core.readNamespacedService({ namespace, name })),
    secret: await rv(() => a.core.readNamespacedSecret({ namespace, name: `${name}-session-key` })),
    mcpServer: await rv(() => getMcpServer(a, namespace, name)),
  };
}

/**
 * Waits until the operator is idle and none of the objects' resourceVersions moved for `quietMs`
 * (the controller-manager also writes Deployment status, and we mirror it into McpServer status).
 */
export async function waitStable(a: Api, operator: Operator, namespace: string, names: string[], quietMs = 1500, timeoutMs = 60_000): Promise<ChildVersions[]> {
  let last = '';
  let since = Date.now();
  return waitFor(
    'resourceVersions to settle',
    async () => {
      const now = await Promise.all(names.map((n) => versionsOf(a, namespace, n)));
      const text = JSON.stringify(now);
      if (text !== last || !operator.idle()) {
        last = text;
        since = Date.now();
        return undefined;
      }
      return Date.now() - since >= quietMs ? now : undefined;
    },
    timeoutMs,
  );
}
