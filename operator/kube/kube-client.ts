// The kube adapter: the ONLY module that imports values from @kubernetes/client-node. Everything else
// talks to Kubernetes through the small interfaces exported here (type-only imports are fine elsewhere).
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- the adapter is the one boundary where our plain JSON objects meet client-node's class-typed signatures; the library itself serializes them as plain JSON. */
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  PolicyV1Api,
  V1MicroTime,
  dumpYaml,
  loadAllYaml,
  loadYaml,
  makeInformer,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type {
  Informer,
  KubernetesListObject,
  KubernetesObject,
  ObjectCache,
  V1Deployment,
  V1Lease,
  V1NetworkPolicy,
  V1PersistentVolumeClaim,
  V1PodDisruptionBudget,
  V2HorizontalPodAutoscaler,
  V1Pod,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { FIELD_MANAGER, GROUP, KEDA_GROUP, KEDA_VERSION, PLURAL, SCALED_OBJECT_PLURAL, VERSION } from '../api/constants.js';
import type { McpServerStatus } from '../api/mcp-server.js';
import { MANAGED_SELECTOR } from '../builders/labels.js';

export type { KubeConfig };

/** KUBECONFIG (or ~/.kube/config) out of cluster; the ServiceAccount in cluster. */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return (err as ApiException<unknown>).code;
  return undefined;
}
export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;

/** A started informer plus its cache. */
export type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

function nsPath(prefix: string, namespace: string, plural: string): string {
  return namespace === '' ? `${prefix}/${plural}` : `${prefix}/namespaces/${namespace}/${plural}`;
}

/** Counts every mutating request we send, by kind and verb (for metrics and the benchmarks). */
export type WriteListener = (kind: string, verb: 'apply' | 'create' | 'status' | 'lease' | 'delete') => void;

export class KubeClient {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly coordination: CoordinationV1Api;
  private readonly autoscaling: AutoscalingV2Api;
  private readonly policy: PolicyV1Api;
  private readonly networking: NetworkingV1Api;

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly onWrite: WriteListener = () => undefined,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.coordination = kubeConfig.makeApiClient(CoordinationV1Api);
    this.autoscaling = kubeConfig.makeApiClient(AutoscalingV2Api);
    this.policy = kubeConfig.makeApiClient(PolicyV1Api);
    this.networking = kubeConfig.makeApiClient(NetworkingV1Api);
  }

  // ---- informers (namespace '' = all namespaces); children are filtered by our managed-by label ----

  mcpServerInformer(namespace: string): Watched<KubernetesObject> {
    const path = nsPath(`/apis/${GROUP}/${VERSION}`, namespace, PLURAL);
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> =>
      (namespace === ''
        ? await this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })
        : await this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })) as KubernetesListObject<KubernetesObject>;
    return makeInformer(this.kubeConfig, path, list);
  }

  deploymentInformer(namespace: string): Watched<V1Deployment> {
    const labelSelector = MANAGED_SELECTOR;
    const list = () =>
      namespace === ''
        ? this.apps.listDeploymentForAllNamespaces({ labelSelector })
        : this.apps.listNamespacedDeployment({ namespace, labelSelector });
    return makeInformer(this.kubeConfig, nsPath('/apis/apps/v1', namespace, 'deployments'), list, labelSelector);
  }

  serviceInformer(namespace: string): Watched<V1Service> {
    const labelSelector = MANAGED_SELECTOR;
    const list = () =>
      namespace === ''
        ? this.core.listServiceForAllNamespaces({ labelSelector })
        : this.core.listNamespacedService({ namespace, labelSelector });
    return makeInformer(this.kubeConfig, nsPath('/api/v1', namespace, 'services'), list, labelSelector);
  }

  secretInformer(namespace: string): Watched<V1Secret> {
    const labelSelector = MANAGED_SELECTOR;
    const list = () =>
      namespace === ''
        ? this.core.listSecretForAllNamespaces({ labelSelector })
        : this.core.listNamespacedSecret({ namespace, labelSelector });
    return makeInformer(this.kubeConfig, nsPath('/api/v1', namespace, 'secrets'), list, labelSelector);
  }

  /** Our pods (they carry our labels from the pod template): the MCP probe talks to a ready one. */
  podInformer(namespace: string): Watched<V1Pod> {
    const labelSelector = MANAGED_SELECTOR;
    const list = () =>
      namespace === '' ? this.core.listPodForAllNamespaces({ labelSelector }) : this.core.listNamespacedPod({ namespace, labelSelector });
    return makeInformer(this.kubeConfig, nsPath('/api/v1', namespace, 'pods'), list, labelSelector);
  }

  autoscalerInformer(namespace: string): Watched<V2HorizontalPodAutoscaler> {
    const labelSelector = MANAGED_SELECTOR;
    const list = () =>
      namespace === ''
        ? this.autoscaling.listHorizontalPodAutoscalerForAllNamespaces({ labelSelector })
        : this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace, labelSelector });
    return makeInformer(this.kubeConfig, nsPath('/apis/autoscaling/v2', namespace, 'horizontalpodautoscalers'), list, labelSelector);
  }

  /** Our ScaledObjects (KEDA); started only where scaledObjectAvailability() said 'installed'. */
  scaledObjectInformer(namespace: string): Watched<KubernetesObject> {
    const labelSelector = MANAGED_SELECTOR;
    const base = { group: KEDA_GROUP, version: KEDA_VERSION, plural: SCALED_OBJECT_PLURAL, labelSelector };
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> =>
      (namespace === ''
        ? await this.custom.listClusterCustomObject(base)
        : await this.custom.listNamespacedCustomObject({ ...base, namespace })) as KubernetesListObject<KubernetesObject>;
    return makeInformer(this.kubeConfig, nsPath(`/apis/${KEDA_GROUP}/${KEDA_VERSION}`, namespace, SCALED_OBJECT_PLURAL), list, labelSelector);
  }

  /**
   * Whether the cluster serves KEDA's ScaledObject (API discovery: its CRDs are installed) and we may list
   * it where we watch (an older chart's RBAC may not allow it: the informer would then never sync).
   */
  async scaledObjectAvailability(namespace: string): Promise<'installed' | 'absent' | 'forbidden'> {
    try {
      const list = await this.custom.getAPIResources({ group: KEDA_GROUP, version: KEDA_VERSION });
      if (!list.resources.some((r) => r.name === SCALED_OBJECT_PLURAL)) return 'absent';
    } catch (err) {
      if (isNotFound(err)) return 'absent';
      throw err;
    }
    const base = { group: KEDA_GROUP, version: KEDA_VERSION, plural: SCALED_OBJECT_PLURAL, limit: 1 };
    try {
      await (namespace === '' ? this.custom.listClusterCustomObject(base) : this.custom.listNamespacedCustomObject({ ...base, namespace }));
      return 'installed';
    } catch (err) {
      if (statusCodeOf(err) === 403) return 'forbidden';
      throw err;
    }
  }

  disruptionBudgetInformer(namespace: string): Watched<V1PodDisruptionBudget> {
    const labelSelector = MANAGED_SELECTOR;
    const list = () =>
      namespace === ''
        ? this.policy.listPodDisruptionBudgetForAllNamespaces({ labelSelector })
        : this.policy.listNamespacedPodDisruptionBudget({ namespace, labelSelector });
    return makeInformer(this.kubeConfig, nsPath('/apis/policy/v1', namespace, 'poddisruptionbudgets'), list, labelSelector);
  }

  networkPolicyInformer(namespace: string): Watched<V1NetworkPolicy> {
    const labelSelector = MANAGED_SELECTOR;
    const list = () =>
      namespace === ''
        ? this.networking.listNetworkPolicyForAllNamespaces({ labelSelector })
        : this.networking.listNamespacedNetworkPolicy({ namespace, labelSelector });
    return makeInformer(this.kubeConfig, nsPath('/apis/networking.k8s.io/v1', namespace, 'networkpolicies'), list, labelSelector);
  }

  /** Every claim (the user's, unlabelled): their access modes decide whether a server may have two writers. */
  claimInformer(namespace: string): Watched<V1PersistentVolumeClaim> {
    const list = () =>
      namespace === '' ? this.core.listPersistentVolumeClaimForAllNamespaces() : this.core.listNamespacedPersistentVolumeClaim({ namespace });
    return makeInformer(this.kubeConfig, nsPath('/api/v1', namespace, 'persistentvolumeclaims'), list);
  }

  // ---- writes ----

  /** Deletes a child (foreground is not needed: HPAs and PDBs own nothing); 404 is success. */
  async deleteIfPresent(ref: { apiVersion: string; kind: string; namespace: string; name: string }): Promise<void> {
    this.onWrite(ref.kind, 'delete');
    try {
      await this.objects.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { namespace: ref.namespace, name: ref.name } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Server-side apply with our field manager and force; returns the object as stored. */
  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    this.onWrite(obj.kind ?? 'unknown', 'apply');
    return this.objects.patch(toApiModel(obj), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  /** Server-side apply of an McpServer's status subresource. */
  async applyMcpServerStatus(namespace: string, name: string, status: McpServerStatus): Promise<void> {
    this.onWrite('McpServer', 'status');
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name,
        body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'McpServer', metadata: { name, namespace }, status },
        fieldManager: FIELD_MANAGER,
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
  }

  /** Creates a Secret; returns false if it already exists (409), throws on anything else. */
  async createSecretIfAbsent(secret: V1Secret): Promise<boolean> {
    const namespace = secret.metadata?.namespace ?? '';
    this.onWrite('Secret', 'create');
    try {
      await this.core.createNamespacedSecret({ namespace, body: secret, fieldManager: FIELD_MANAGER });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  // ---- reads outside the caches ----

  /**
   * One key of a Secret, decoded; undefined when the Secret or the key does not exist. Used for the
   * bridge's auth token when probing (user Secrets carry no label of ours, so no informer sees them).
   */
  async readSecretKey(namespace: string, name: string, key: string): Promise<string | undefined> {
    let secret: V1Secret;
    try {
      secret = await this.core.readNamespacedSecret({ namespace, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const data = secret.data?.[key];
    if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
    return secret.stringData?.[key];
  }

  // ---- leases (leader election: get + optimistic-concurrency update is the protocol) ----

  async readLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    try {
      return await this.coordination.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Creates or (with resourceVersion) replaces a lease; false when someone else won the race (409). */
  async writeLease(namespace: string, name: string, record: LeaseRecord, resourceVersion: string | undefined): Promise<V1Lease | undefined> {
    const body: V1Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
      spec: {
        holderIdentity: record.holderIdentity,
        leaseDurationSeconds: record.leaseDurationSeconds,
        acquireTime: new V1MicroTime(record.acquireTimeMs),
        renewTime: new V1MicroTime(record.renewTimeMs),
        leaseTransitions: record.leaseTransitions,
      },
    };
    this.onWrite('Lease', 'lease');
    try {
      return resourceVersion === undefined
        ? await this.coordination.createNamespacedLease({ namespace, body })
        : await this.coordination.replaceNamespacedLease({ namespace, name, body });
    } catch (err) {
      if (isConflict(err)) return undefined;
      throw err;
    }
  }
}

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTimeMs: number;
  renewTimeMs: number;
  leaseTransitions: number;
}

export function yamlToObjects(text: string): unknown[] {
  return loadAllYaml(text);
}

export function objectToYaml(obj: KubernetesObject): string {
  return dumpYaml(toApiModel(obj));
}

/**
 * Our builders write plain Kubernetes JSON; client-node serializes its own model classes, whose names
 * differ where the JSON name is a reserved word (NetworkPolicy's `from` is the model's `_from`), and
 * silently drops what it does not recognise. Plain JSON goes through the library's own deserializer
 * (loadYaml: JSON is YAML) before every write, so the bytes on the wire are the JSON we built.
 */
export function toApiModel<T extends KubernetesObject>(obj: T): T {
  return loadYaml<T>(JSON.stringify(obj));
}
