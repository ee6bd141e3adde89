// Level-triggered reconcile: a key in, the world read from the informer caches, desired children built by
// pure functions and server-side applied, status computed from what is observed and written on change.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Deployment, Pod, Secret, Service } from '../api/kube-types.js';
import type { Logger } from 'pino';
import { ANNOTATION_CONFIG_HASH, KEDA_API_VERSION, KIND, SCALED_OBJECT_KIND, kedaHpaName, sessionKeySecretName } from '../api/constants.js';
import { parseMcpServer, type McpServer, type McpServerStatus } from '../api/mcp-server.js';
import type { BuildOptions } from '../builders/build-options.js';
import { canonicalJson, contentHash } from '../builders/canonical-json.js';
import { buildAutoscaler, buildDisruptionBudget } from '../builders/autoscaler.js';
import { chooseAutoscaler, type AutoscalerChoice, type AutoscalingEnvironment } from '../builders/autoscaler-choice.js';
import { buildScaledObject } from '../builders/scaled-object.js';
import { buildDeployment } from '../builders/deployment.js';
import { buildNetworkPolicy } from '../builders/network-policy.js';
import { planReplicas, writableClaims, type ClaimModes, type ReplicaPlan } from '../builders/replica-plan.js';
import { topologyOf, wantsPeers } from '../builders/pod-template.js';
import { buildPeerService, buildService } from '../builders/service.js';
import { peerServiceName } from '../builders/labels.js';
import { buildSessionKeySecret } from '../builders/session-key-secret.js';
import type { ServerObserver } from '../probe/prober.js';
import { planProbe } from '../probe/probe-target.js';
import type { AutoscalerBlocked, HpaView } from '../status/scaling-status.js';
import type { ServerObservation } from '../status/server-status.js';
import {
  computeStatus,
  invalidSpecStatus,
  withTransitionTimes,
  type DesiredStatus,
  type ReconcileOutcome,
} from '../status/compute-status.js';
import type { ApplyMemo } from './apply-memo.js';

/** Read access to the caches (informers). */
export interface Caches {
  mcpServer(namespace: string, name: string): KubernetesObject | undefined;
  deployment(namespace: string, name: string): Deployment | undefined;
  service(namespace: string, name: string): Service | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** The McpServer's pods (for the MCP probe). */
  pods(namespace: string, name: string): readonly Pod[];
  autoscaler(namespace: string, name: string): HpaView | undefined;
  /** Our KEDA ScaledObjects (always undefined where KEDA is not installed). */
  scaledObject(namespace: string, name: string): KubernetesObject | undefined;
  disruptionBudget(namespace: string, name: string): KubernetesObject | undefined;
  networkPolicy(namespace: string, name: string): KubernetesObject | undefined;
  /** A PersistentVolumeClaim's access modes (bound: the volume's; else as asked); undefined = no such claim. */
  claimAccessModes(namespace: string, name: string): readonly string[] | undefined;
}

/** Identifies a child to delete. */
export interface ChildRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** The writes a reconcile may make. */
export interface Writer {
  apply<T extends KubernetesObject>(obj: T): Promise<T>;
  applyMcpServerStatus(namespace: string, name: string, status: McpServerStatus): Promise<void>;
  createSecretIfAbsent(secret: Secret): Promise<boolean>;
  /** Deletes a child we no longer want (an HPA after autoscaling was turned off); absent is fine. */
  deleteIfPresent(ref: ChildRef): Promise<void>;
}

export interface ReconcilerDeps {
  caches: Caches;
  writer: Writer;
  memo: ApplyMemo;
  /** MCP probes of available servers (status.server, ServerVerified); undefined = probing is off. */
  servers?: ServerObserver;
  buildOptions: BuildOptions;
  /** KEDA and Prometheus, as far as autoscaling needs them (KEDA's availability is known once the operator started). */
  autoscaling: () => AutoscalingEnvironment;
  /** I/O kept out of the builders. */
  randomKey: () => Buffer;
  now: () => Date;
  log: Logger;
}

export type ReconcileResult = 'success' | 'deleted' | 'invalid';

export class ReconcileError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

const childKey = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const raw = this.deps.caches.mcpServer(namespace, name);
    if (raw === undefined) {
      // Gone: garbage collection removes the children (owner references); only our memo needs cleaning.
      this.deps.memo.forget(childKey('Deployment', namespace, name));
      this.deps.memo.forget(childKey('Service', namespace, name));
      this.deps.memo.forget(childKey('HorizontalPodAutoscaler', namespace, name));
      this.deps.memo.forget(childKey(SCALED_OBJECT_KIND, namespace, name));
      this.deps.memo.forget(childKey('PodDisruptionBudget', namespace, name));
      this.deps.memo.forget(childKey('NetworkPolicy', namespace, name));
      this.deps.servers?.forget(key);
      return 'deleted';
    }
    if (raw.metadata?.deletionTimestamp !== undefined) return 'deleted';
    const parsed = parseMcpServer(raw);
    if (!parsed.ok) {
      const generation = typeof raw.metadata?.generation === 'number' ? raw.metadata.generation : 0;
      const current = (raw as { status?: McpServerStatus }).status;
      this.deps.log.warn({ err: parsed.error }, 'spec does not parse; not reconciling');
      await this.writeStatusIfChanged(namespace, name, invalidSpecStatus(generation, parsed.error), current);
      return 'invalid';
    }
    const mcp = parsed.value;

    let outcome: ReconcileOutcome = { ok: true };
    let failure: unknown;
    const plan = this.planReplicas(mcp);
    const autoscaler = chooseAutoscaler(mcp, plan, this.deps.autoscaling());
    const desired = buildDeployment(mcp, this.deps.buildOptions, plan);
    let deployment: Deployment | undefined;
    try {
      deployment = await this.reconcileChildren(mcp, desired, plan, autoscaler);
    } catch (err) {
      failure = err;
      outcome = { ok: false, reason: 'ApplyFailed', message: errorMessage(err) };
      deployment = this.deps.caches.deployment(namespace, name);
    }
    const server = this.observeServer(key, mcp, desired);
    const scaling = { plan, ...this.observeAutoscaler(mcp, autoscaler) };
    await this.writeStatusIfChanged(namespace, name, computeStatus(mcp, deployment, outcome, server, scaling), mcp.status);
    if (failure !== undefined) throw new ReconcileError(`reconcile ${key}: ${outcome.ok ? '' : outcome.message}`, failure);
    return 'success';
  }

  /** Replicas, strategy, HPA and PDB from the spec and the access modes of the claims it writes to. */
  private planReplicas(mcp: McpServer): ReplicaPlan {
    const { namespace } = mcp.metadata;
    const modes: ClaimModes = new Map(writableClaims(mcp.spec).map((c) => [c, this.deps.caches.claimAccessModes(namespace, c)]));
    return planReplicas(mcp.spec, modes);
  }

  /** The HPA that scales the McpServer (ours, or KEDA's for a ScaledObject), or why there is none. */
  private observeAutoscaler(mcp: McpServer, choice: AutoscalerChoice): { autoscaler?: HpaView; blocked?: AutoscalerBlocked } {
    const { namespace, name } = mcp.metadata;
    const hpa = (n: string): { autoscaler?: HpaView } => {
      const found = this.deps.caches.autoscaler(namespace, n);
      return found === undefined ? {} : { autoscaler: found };
    };
    switch (choice.kind) {
      case 'hpa':
        return hpa(name);
      case 'scaledObject':
        return hpa(kedaHpaName(name));
      case 'blocked':
        return { blocked: choice.blocked };
      case 'none':
        return {};
    }
  }

  /**
   * The HPA or the ScaledObject, and never both for long: switching between them (a bridge-metric target
   * added or removed) applies the new one and deletes the other in the same reconcile. Both scale the
   * McpServer's scale subresource, so spec.replicas carries over.
   */
  private async reconcileAutoscaler(mcp: McpServer, choice: AutoscalerChoice): Promise<void> {
    const { namespace, name } = mcp.metadata;
    const autoscaling = mcp.spec.autoscaling;
    if (choice.kind === 'hpa' && autoscaling !== undefined) {
      await this.applyChild<KubernetesObject>(buildAutoscaler(mcp, autoscaling), this.deps.caches.autoscaler(namespace, name));
    } else {
      await this.deleteChild('autoscaling/v2', 'HorizontalPodAutoscaler', mcp, this.deps.caches.autoscaler(namespace, name));
    }
    if (choice.kind === 'scaledObject' && autoscaling !== undefined) {
      await this.applyChild<KubernetesObject>(buildScaledObject(mcp, autoscaling, choice.prometheusUrl), this.deps.caches.scaledObject(namespace, name));
    } else {
      await this.deleteChild(KEDA_API_VERSION, SCALED_OBJECT_KIND, mcp, this.deps.caches.scaledObject(namespace, name));
    }
  }

  /** Applies every child; returns the Deployment as last observed (apply response or cache). */
  private async reconcileChildren(mcp: McpServer, desired: Deployment, plan: ReplicaPlan, autoscaler: AutoscalerChoice): Promise<Deployment | undefined> {
    const { namespace, name } = mcp.metadata;
    if (topologyOf(mcp.spec) !== 'streamable-http') await this.ensureSessionKey(mcp);
    const service = this.deps.caches.service(namespace, name);
    // `<name>` may be the peer Service of another McpServer called like this one without "-peers".
    if (ownedByAnother(service, mcp)) this.deps.log.warn({ service: name }, "the Service name is taken by another McpServer's peer Service: left alone");
    else await this.applyChild(buildService(mcp), service);
    await this.reconcilePeerService(mcp);
    const deployment = await this.applyChild(desired, this.deps.caches.deployment(namespace, name));
    await this.reconcileAutoscaler(mcp, autoscaler);
    if (plan.disruptionBudget) await this.applyChild<KubernetesObject>(buildDisruptionBudget(mcp), this.deps.caches.disruptionBudget(namespace, name));
    else await this.deleteChild('policy/v1', 'PodDisruptionBudget', mcp, this.deps.caches.disruptionBudget(namespace, name));
    const networkPolicy = buildNetworkPolicy(mcp, this.deps.buildOptions);
    if (networkPolicy !== undefined) await this.applyChild<KubernetesObject>(networkPolicy, this.deps.caches.networkPolicy(namespace, name));
    else await this.deleteChild('networking.k8s.io/v1', 'NetworkPolicy', mcp, this.deps.caches.networkPolicy(namespace, name));
    return deployment;
  }

  /**
   * The headless Service of a shared-mode server's replicas (service.ts). Its name (`<name>-peers`) can be
   * another McpServer's own Service: that one is left alone (never taken over, never deleted), and this
   * server's stopping replicas then find no peer that accepts their handoff (it is signed with this
   * server's key), which they log; nothing else changes.
   */
  private async reconcilePeerService(mcp: McpServer): Promise<void> {
    const { namespace, name } = mcp.metadata;
    const cached = this.deps.caches.service(namespace, peerServiceName(name));
    if (ownedByAnother(cached, mcp)) {
      this.deps.log.warn({ service: peerServiceName(name) }, 'the peer Service name is taken by another McpServer\'s Service: left alone');
      return;
    }
    if (wantsPeers(mcp.spec)) await this.applyChild(buildPeerService(mcp), cached);
    else await this.deleteChild('v1', 'Service', mcp, cached, peerServiceName(name));
  }

  /** Deletes a child the spec no longer asks for, when the cache still shows it. */
  private async deleteChild(apiVersion: string, kind: string, mcp: McpServer, cached: KubernetesObject | undefined, name = mcp.metadata.name): Promise<void> {
    const { namespace } = mcp.metadata;
    if (cached === undefined) return;
    await this.deps.writer.deleteIfPresent({ apiVersion, kind, namespace, name });
    this.deps.memo.forget(childKey(kind, namespace, name));
    this.deps.log.info({ child: childKey(kind, namespace, name) }, 'deleted (no longer wanted)');
  }

  /** The MCP probe's view of the server: asks the prober about a ready pod of the desired configuration (never waits). */
  private observeServer(key: string, mcp: McpServer, desired: Deployment): ServerObservation {
    if (this.deps.servers === undefined) return { kind: 'off' };
    const { namespace, name } = mcp.metadata;
    const configHash = desired.spec?.template.metadata?.annotations?.[ANNOTATION_CONFIG_HASH] ?? '';
    const plan = planProbe(mcp, configHash, this.deps.caches.pods(namespace, name));
    if (!plan.probe) return { kind: 'waiting', message: plan.message };
    const result = this.deps.servers.observe(key, plan.target);
    return result === undefined ? { kind: 'probing', url: plan.target.url } : { kind: 'observed', result };
  }

  private async applyChild<T extends KubernetesObject>(desired: T, cached: T | undefined): Promise<T | undefined> {
    const key = childKey(desired.kind ?? '', desired.metadata?.namespace ?? '', desired.metadata?.name ?? '');
    const hash = contentHash(desired);
    if (!this.deps.memo.needsApply(key, hash, cached?.metadata?.resourceVersion)) return cached;
    const stored = await this.deps.writer.apply(desired);
    this.deps.memo.record(key, hash, stored.metadata?.resourceVersion);
    this.deps.log.debug({ child: key, resourceVersion: stored.metadata?.resourceVersion }, 'applied');
    return stored;
  }

  /**
   * The session-signing key is random, so it cannot come from a pure builder, and rotating it on every
   * reconcile would invalidate every live session. This is the one child we create only if it is missing
   * (and never update): the key is generated here, once, and the Secret is owned by the McpServer.
   */
  private async ensureSessionKey(mcp: McpServer): Promise<void> {
    const { namespace, name } = mcp.metadata;
    if (this.deps.caches.secret(namespace, sessionKeySecretName(name)) !== undefined) return;
    const created = await this.deps.writer.createSecretIfAbsent(buildSessionKeySecret(mcp, this.deps.randomKey()));
    this.deps.log.info({ secret: sessionKeySecretName(name), created }, 'session key secret ensured');
  }

  private async writeStatusIfChanged(
    namespace: string,
    name: string,
    desired: DesiredStatus,
    current: McpServerStatus | undefined,
  ): Promise<void> {
    const next = withTransitionTimes(desired, current?.conditions, this.deps.now().toISOString());
    if (current !== undefined && canonicalJson(next) === canonicalJson(current)) return;
    await this.deps.writer.applyMcpServerStatus(namespace, name, next);
  }
}

/** A child of ours (the cache holds only those) that belongs to another McpServer of the namespace. */
function ownedByAnother(cached: KubernetesObject | undefined, mcp: McpServer): boolean {
  return (cached?.metadata?.ownerReferences ?? []).some((o) => o.kind === KIND && o.uid !== mcp.metadata.uid);
}

function errorMessage(err: unknown): string {
  if (err !== null && typeof err === 'object' && 'body' in err) {
    const body = (err as { body?: unknown }).body;
    if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (typeof parsed.message === 'string') return parsed.message;
      } catch {
        return body.slice(0, 500);
      }
    }
    if (body !== null && typeof body === 'object' && 'message' in body && typeof body.message === 'string') return body.message;
  }
  return err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err);
}
