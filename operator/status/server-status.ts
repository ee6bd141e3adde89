// status.server and the ServerVerified condition, from what the MCP probe observed. Pure. A probe result
// is an observation like the Deployment's status: until there is one for the current configuration, the
// last reported result stays (so an operator restart or a rollout does not flip the condition back and
// forth, and nothing is written until something new is known).
import type { Condition, Era, McpServerStatus, ServerStatus } from '../api/mcp-server.js';
import type { ProbeResult } from '../probe/probe-result.js';

export const CONDITION_SERVER_VERIFIED = 'ServerVerified';

/** The first protocol revision of the modern era (no initialize; server/discover). */
export const FIRST_MODERN_VERSION = '2026-07-28';

/** Bounds that keep a self-reported answer within the CRD's status schema. */
export const LIMITS = { text: 256, version: 64, versions: 16, message: 1024 } as const;

export type ServerObservation =
  /** Probing is switched off (--probe-servers=false): no status.server, no condition. */
  | { kind: 'off' }
  /** Nothing to probe yet (no available, fully rolled-out Deployment). */
  | { kind: 'waiting'; message: string }
  /** A probe of the current configuration is due or under way; no result for it yet. */
  | { kind: 'probing'; url: string }
  | { kind: 'observed'; result: ProbeResult };

type DesiredCondition = Omit<Condition, 'lastTransitionTime'>;

export interface ServerPart {
  server?: ServerStatus;
  condition?: DesiredCondition;
}

const DATE_VERSION = /^\d{4}-\d{2}-\d{2}$/;

/** modern when any version is 2026-07-28 or later, legacy when any is an earlier dated revision. */
export function erasOf(versions: readonly string[]): Era[] {
  const dated = versions.filter((v) => DATE_VERSION.test(v));
  const eras: Era[] = [];
  if (dated.some((v) => v >= FIRST_MODERN_VERSION)) eras.push('modern');
  if (dated.some((v) => v < FIRST_MODERN_VERSION)) eras.push('legacy');
  return eras;
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Distinct, newest first, bounded (the versions are self-reported). */
export function normalizeVersions(versions: readonly string[]): string[] {
  const distinct = [...new Set(versions.map((v) => clip(v, LIMITS.version)))];
  return distinct.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)).slice(0, LIMITS.versions);
}

function observedPart(result: ProbeResult, generation: number): ServerPart {
  const cond = (status: Condition['status'], reason: string, message: string): DesiredCondition => ({
    type: CONDITION_SERVER_VERIFIED,
    status,
    reason,
    message: clip(message, LIMITS.message),
    observedGeneration: generation,
  });
  if (!result.ok) return { condition: cond('False', result.reason, result.message) };
  const protocolVersions = normalizeVersions(result.protocolVersions);
  const server: ServerStatus = {
    ...(result.name === undefined ? {} : { name: clip(result.name, LIMITS.text) }),
    ...(result.version === undefined ? {} : { version: clip(result.version, LIMITS.text) }),
    protocolVersions,
    eras: erasOf(protocolVersions),
  };
  const list = protocolVersions.join(', ') || 'none';
  if (result.method === 'discover') {
    return { server, condition: cond('True', 'Discovered', `server/discover answered; protocol versions: ${list}`) };
  }
  return { server, condition: cond('True', 'Initialized', `initialize answered (server/discover was not); protocol version: ${list}`) };
}

/**
 * @param previous the status as last written (carried while no result for the current configuration exists)
 * @param generation the McpServer generation the current configuration belongs to
 */
export function serverPart(observation: ServerObservation, previous: McpServerStatus | undefined, generation: number): ServerPart {
  if (observation.kind === 'off') return {};
  if (observation.kind === 'observed') return observedPart(observation.result, generation);
  const last = previous?.conditions?.find((c) => c.type === CONDITION_SERVER_VERIFIED);
  if (last !== undefined && last.status !== 'Unknown') {
    const condition: DesiredCondition = { type: last.type, status: last.status, reason: last.reason, message: last.message };
    if (last.observedGeneration !== undefined) condition.observedGeneration = last.observedGeneration;
    return { ...(previous?.server === undefined ? {} : { server: previous.server }), condition };
  }
  const [reason, message] =
    observation.kind === 'waiting' ? ['AwaitingAvailability', observation.message] : ['Probing', `Probing ${observation.url}`];
  return { condition: { type: CONDITION_SERVER_VERIFIED, status: 'Unknown', reason, message, observedGeneration: generation } };
}
