// How many pods an McpServer runs and who decides it: spec.replicas, the HorizontalPodAutoscaler
// (spec.autoscaling), or the single-writer guard of a ReadWriteOnce data volume. Pure: the claims' access
// modes are read by the reconciler and passed in.
//
// Hand-off (ADR 0105): with spec.autoscaling the HPA targets the McpServer's scale subresource, so it is the
// HPA that writes spec.replicas; the operator copies it into the Deployment, clamped to [min, max] (a
// hand-written replicas outside the bounds never reaches the pods). Turning autoscaling off deletes the HPA
// and spec.replicas, as the HPA last left it, is the user's again.
import type { McpServerSpec } from '../api/mcp-server.js';

/** A claim's access modes as the apiserver reports them; undefined = the claim does not exist (yet). */
export type ClaimModes = ReadonlyMap<string, readonly string[] | undefined>;

export interface ReplicaPlan {
  /** The Deployment's spec.replicas. */
  replicas: number;
  /** Recreate when the data has a single writer: a rolling update would run the old and the new pod at once. */
  strategy: 'RollingUpdate' | 'Recreate';
  /** An HPA is wanted (spec.autoscaling, and no single-writer claim). */
  autoscale: boolean;
  /** A PodDisruptionBudget (maxUnavailable 1) is wanted: more than one pod can run. */
  disruptionBudget: boolean;
  /**
   * The writable claims that allow one writer only. The bridge holds a lock on each (--data-lock), so a
   * replacement pod (a deleted or evicted pod is replaced at once, Recreate or not) waits for the old one.
   */
  singleWriterClaims: string[];
  /** Claims that allow one writer only, when they held the McpServer below what it asked for. */
  limitedBy?: { claims: string[]; asked: number };
}

/** The claims the server can write to: a volume from a claim, mounted at least once without readOnly. */
export function writableClaims(spec: McpServerSpec): string[] {
  const claims: string[] = [];
  for (const v of spec.volumes) {
    const pvc = (v as { persistentVolumeClaim?: { claimName?: unknown; readOnly?: unknown } }).persistentVolumeClaim;
    if (pvc === undefined || typeof pvc.claimName !== 'string' || pvc.readOnly === true) continue;
    const mounts = spec.volumeMounts.filter((m) => m.name === v.name);
    if (mounts.length === 0 || mounts.some((m) => m.readOnly !== true)) claims.push(pvc.claimName);
  }
  return claims;
}

/**
 * A claim allows several writers only when it is ReadWriteMany. ReadWriteOnce is per NODE, so on one
 * node two pods would both mount it and write the same file (the memory sample's knowledge graph); an
 * unknown claim counts as single-writer until it exists.
 */
const singleWriter = (modes: readonly string[] | undefined): boolean => modes === undefined || !modes.includes('ReadWriteMany');

export function planReplicas(spec: McpServerSpec, claimModes: ClaimModes): ReplicaPlan {
  const single = writableClaims(spec).filter((c) => singleWriter(claimModes.get(c)));
  const auto = spec.autoscaling;
  if (single.length > 0) {
    const asked = auto === undefined ? spec.replicas : auto.maxReplicas;
    const replicas = Math.min(spec.replicas, 1);
    return {
      replicas: auto === undefined ? replicas : 1,
      strategy: 'Recreate',
      singleWriterClaims: single,
      autoscale: false,
      disruptionBudget: false,
      ...(asked > 1 ? { limitedBy: { claims: single, asked } } : {}),
    };
  }
  if (auto !== undefined) {
    const replicas = Math.max(auto.minReplicas, Math.min(auto.maxReplicas, spec.replicas));
    return { replicas, strategy: 'RollingUpdate', singleWriterClaims: [], autoscale: true, disruptionBudget: auto.maxReplicas > 1 };
  }
  return { replicas: spec.replicas, strategy: 'RollingUpdate', singleWriterClaims: [], autoscale: false, disruptionBudget: spec.replicas > 1 };
}
