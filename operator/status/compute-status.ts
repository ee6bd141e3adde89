// McpServer status from OBSERVED state (the Deployment as the cache shows it), never from intent.
// Pure: the clock enters only through `now` in withTransitionTimes.
import type { Deployment } from '../api/kube-types.js';
import type { Condition, McpServer, McpServerStatus } from '../api/mcp-server.js';
import { selectorString } from '../builders/labels.js';
import { serverUrls } from '../builders/urls.js';
import type { ReplicaPlan } from '../builders/replica-plan.js';
import { planReplicas } from '../builders/replica-plan.js';
import { scalingPart, type AutoscalerBlocked, type HpaView } from './scaling-status.js';
import { serverPart, type ServerObservation } from './server-status.js';

export type ConditionStatus = Condition['status'];
export type DesiredCondition = Omit<Condition, 'lastTransitionTime'>;

/** What the reconciler did this time, for the Reconciled condition. */
export type ReconcileOutcome = { ok: true } | { ok: false; reason: string; message: string };

export const CONDITION_READY = 'Ready';
export const CONDITION_RECONCILED = 'Reconciled';
export const CONDITION_AVAILABLE = 'Available';

function cond(type: string, status: ConditionStatus, reason: string, message: string, generation: number): DesiredCondition {
  return { type, status, reason, message, observedGeneration: generation };
}

interface DeploymentView {
  current: boolean; // the Deployment controller has seen the Deployment's latest spec
  desired: number;
  replicas: number;
  updated: number;
  ready: number;
  available?: { status: string; reason: string; message: string };
  progressDeadlineExceeded: boolean;
}

function viewOf(dep: Deployment): DeploymentView {
  const st = dep.status ?? {};
  const generation = dep.metadata?.generation ?? 0;
  const find = (type: string) => (st.conditions ?? []).find((c) => c.type === type);
  const available = find('Available');
  const progressing = find('Progressing');
  return {
    current: (st.observedGeneration ?? -1) >= generation,
    desired: dep.spec?.replicas ?? 1,
    replicas: st.replicas ?? 0,
    updated: st.updatedReplicas ?? 0,
    ready: st.readyReplicas ?? 0,
    ...(available === undefined
      ? {}
      : { available: { status: available.status, reason: available.reason ?? '', message: available.message ?? '' } }),
    progressDeadlineExceeded: progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded',
  };
}

function availableCondition(view: DeploymentView | undefined, gen: number): DesiredCondition {
  if (view === undefined) return cond(CONDITION_AVAILABLE, 'Unknown', 'DeploymentNotFound', 'The Deployment does not exist yet', gen);
  if (view.available === undefined) {
    return cond(CONDITION_AVAILABLE, 'Unknown', 'DeploymentPending', 'The Deployment controller has not reported availability yet', gen);
  }
  const status: ConditionStatus = view.available.status === 'True' ? 'True' : view.available.status === 'False' ? 'False' : 'Unknown';
  return cond(CONDITION_AVAILABLE, status, view.available.reason || 'Unknown', view.available.message, gen);
}

function readyCondition(want: number, view: DeploymentView | undefined, outcome: ReconcileOutcome, gen: number): DesiredCondition {
  if (!outcome.ok) return cond(CONDITION_READY, 'False', 'ReconcileFailed', outcome.message, gen);
  if (view === undefined) return cond(CONDITION_READY, 'False', 'DeploymentNotFound', 'The Deployment does not exist yet', gen);
  if (!view.current || view.desired !== want) {
    return cond(CONDITION_READY, 'False', 'RolloutPending', 'The Deployment controller has not observed the latest spec yet', gen);
  }
  if (view.progressDeadlineExceeded) {
    return cond(CONDITION_READY, 'False', 'ProgressDeadlineExceeded', 'The rollout did not progress within its deadline', gen);
  }
  if (want === 0) return cond(CONDITION_READY, 'False', 'ScaledToZero', 'replicas is 0', gen);
  // Old pods still around (a template change or a scale-down under way): a rollout, not just slow pods.
  if (view.replicas > view.updated || view.replicas > want) {
    return cond(CONDITION_READY, 'False', 'RolloutInProgress', `${view.updated}/${want} replicas updated, ${view.replicas} running`, gen);
  }
  if (view.ready < want) return cond(CONDITION_READY, 'False', 'ReplicasNotReady', `${view.ready}/${want} replicas ready`, gen);
  return cond(CONDITION_READY, 'True', 'AllReplicasReady', `${view.ready}/${want} replicas ready`, gen);
}

function reconciledCondition(outcome: ReconcileOutcome, gen: number): DesiredCondition {
  if (outcome.ok) return cond(CONDITION_RECONCILED, 'True', 'Applied', 'All children are applied', gen);
  return cond(CONDITION_RECONCILED, 'False', outcome.reason, outcome.message, gen);
}

export interface DesiredStatus extends Omit<McpServerStatus, 'conditions'> {
  conditions: DesiredCondition[];
}

/** Replicas as planned and the HPA as observed; by default: no claims known, no HPA. */
export interface Scaling {
  plan: ReplicaPlan;
  autoscaler?: HpaView;
  blocked?: AutoscalerBlocked;
}

/**
 * @param server what the MCP probe observed (status.server, ServerVerified); `mcp.status` supplies the
 *   last reported result while none exists for the current configuration.
 */
export function computeStatus(
  mcp: McpServer,
  deployment: Deployment | undefined,
  outcome: ReconcileOutcome,
  server: ServerObservation = { kind: 'off' },
  scaling: Scaling = { plan: planReplicas(mcp.spec, new Map()) },
): DesiredStatus {
  const gen = mcp.metadata.generation;
  const view = deployment === undefined ? undefined : viewOf(deployment);
  const urls = serverUrls(mcp);
  const probed = serverPart(server, mcp.status, gen);
  const scaled = scalingPart(mcp, scaling.plan, scaling.autoscaler, scaling.blocked);
  return {
    observedGeneration: gen,
    replicas: view?.replicas ?? 0,
    readyReplicas: view?.ready ?? 0,
    selector: selectorString(mcp.metadata.name),
    ...urls,
    ...(probed.server === undefined ? {} : { server: probed.server }),
    ...(scaled.autoscaling === undefined ? {} : { autoscaling: scaled.autoscaling }),
    conditions: [
      readyCondition(scaling.plan.replicas, view, outcome, gen),
      reconciledCondition(outcome, gen),
      availableCondition(view, gen),
      ...(probed.condition === undefined ? [] : [probed.condition]),
      ...scaled.conditions,
    ],
  };
}

/**
 * Stamps lastTransitionTime: kept from the previous condition of the same type when its status did not
 * change, `now` otherwise (the Kubernetes API conventions).
 */
export function withTransitionTimes(desired: DesiredStatus, previous: Condition[] | undefined, now: string): McpServerStatus {
  const conditions = desired.conditions.map((c): Condition => {
    const prev = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = prev !== undefined && prev.status === c.status ? prev.lastTransitionTime : now;
    return { ...c, lastTransitionTime };
  });
  return { ...desired, conditions };
}

/** Status for an object whose spec does not parse (e.g. written before a CRD upgrade): nothing can be built. */
export function invalidSpecStatus(generation: number, message: string): DesiredStatus {
  return {
    observedGeneration: generation,
    conditions: [
      cond(CONDITION_READY, 'False', 'InvalidSpec', message, generation),
      cond(CONDITION_RECONCILED, 'False', 'InvalidSpec', message, generation),
    ],
  };
}
