// The pod template for each topology (docs/design.md §3). Pure: same McpServer + options → same template.
import type { Container, EnvVar, PodSpec, Probe, ResourceRequirements, Volume, VolumeMount } from '../api/kube-types.js';
import {
  AGENT_PATH,
  AGENT_SOCKET,
  DRAIN_SOCKET,
  AUTH_TOKEN_DIR,
  BRIDGE_TERMINATION_GRACE_SECONDS,
  DATA_LOCK_DIR,
  SESSION_KEY_DIR,
  SHARED_DIR,
  TMP_DIR,
  sessionKeySecretName,
} from '../api/constants.js';
import type { McpServerSpec } from '../api/mcp-server.js';
import type { BuildOptions } from './build-options.js';
import { embeddedBridgeArgs, sidecarBridgeArgs } from './bridge-args.js';
import { advertiseAddressEnv, collectorEnv, identityEnv, mergeEnv, peersEnv, runtimeDefaults, telemetryEnv, userEnv } from './env.js';
import { containerSecurityContext, podSecurityContext } from './security.js';

export type Topology = 'embedded' | 'sidecar' | 'streamable-http';

export function topologyOf(spec: McpServerSpec): Topology {
  if (spec.transport === 'streamable-http') return 'streamable-http';
  return spec.image === undefined ? 'embedded' : 'sidecar';
}

/**
 * Shared mode behind a bridge: a stopping replica hands its sessions' subscriptions and log levels to
 * the others (--peers, the headless Service; docs/reliability.md). Per-session sessions are processes.
 */
export function wantsPeers(spec: McpServerSpec): boolean {
  return topologyOf(spec) !== 'streamable-http' && spec.sessions.mode === 'shared';
}

function bridgePeersEnv(name: string, spec: McpServerSpec): EnvVar[] {
  return wantsPeers(spec) ? peersEnv(name, spec.bridge.port) : [];
}

/** The port the Service exposes and the pod listens on. */
export function servingPort(spec: McpServerSpec): number {
  return spec.transport === 'streamable-http' ? (spec.port ?? 8080) : spec.bridge.port;
}

const VOLUME_TMP = 'tmp';
const VOLUME_SHARED = 'mcp';
const VOLUME_SESSION_KEY = 'session-key';
const VOLUME_AUTH_TOKEN = 'auth-token';

/** Small fixed resources for the bridge when it is a sidecar (the user's resources go to the server). */
const SIDECAR_BRIDGE_RESOURCES: ResourceRequirements = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { memory: '256Mi' },
};

function httpProbe(path: string, port: number, periodSeconds: number, failureThreshold: number): Probe {
  return { httpGet: { path, port, scheme: 'HTTP' }, periodSeconds, timeoutSeconds: 2, failureThreshold };
}

function bridgeProbes(port: number): Pick<Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  return {
    // Startup gates everything else (in the sidecar topology, the server container starts after it).
    startupProbe: httpProbe('/healthz', port, 1, 120),
    livenessProbe: httpProbe('/healthz', port, 10, 3),
    readinessProbe: httpProbe('/readyz', port, 5, 2),
  };
}

function bridgeMounts(spec: McpServerSpec): VolumeMount[] {
  const mounts: VolumeMount[] = [
    { name: VOLUME_TMP, mountPath: TMP_DIR },
    { name: VOLUME_SESSION_KEY, mountPath: SESSION_KEY_DIR, readOnly: true },
  ];
  if (spec.bridge.authTokenSecretRef !== undefined) {
    mounts.push({ name: VOLUME_AUTH_TOKEN, mountPath: AUTH_TOKEN_DIR, readOnly: true });
  }
  return mounts;
}

/**
 * The bridge's read-only mount of each single-writer volume and the directory it locks there: one volume
 * per claim (the first that names it), in the bridge container whatever the topology, because the bridge
 * starts the server (itself or through the agent) only once it holds the lock.
 */
function dataLocks(spec: McpServerSpec, singleWriterClaims: readonly string[]): { mounts: VolumeMount[]; dirs: string[] } {
  const mounts: VolumeMount[] = [];
  for (const claim of singleWriterClaims) {
    const volume = spec.volumes.find((v) => (v as { persistentVolumeClaim?: { claimName?: unknown } }).persistentVolumeClaim?.claimName === claim);
    if (volume !== undefined) mounts.push({ name: volume.name, mountPath: `${DATA_LOCK_DIR}/${volume.name}`, readOnly: true });
  }
  return { mounts, dirs: mounts.map((m) => m.mountPath) };
}

function userMounts(spec: McpServerSpec): VolumeMount[] {
  return spec.volumeMounts.map((m) => ({ ...m }));
}

function resources(spec: McpServerSpec): ResourceRequirements | undefined {
  return spec.resources === undefined ? undefined : ({ ...spec.resources } as ResourceRequirements);
}

function withOptional<T extends object>(obj: T, extra: Partial<T>): T {
  const out = { ...obj };
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

function embeddedContainers(name: string, spec: McpServerSpec, opts: BuildOptions, serviceUrl: string, singleWriterClaims: readonly string[]): Pick<PodSpec, 'containers'> {
  const port = spec.bridge.port;
  const locks = dataLocks(spec, singleWriterClaims);
  const bridge: Container = withOptional<Container>(
    {
      name: 'bridge',
      image: opts.bridgeImage,
      imagePullPolicy: opts.bridgeImagePullPolicy,
      args: embeddedBridgeArgs(
        spec,
        serviceUrl,
        runtimeDefaults().map((e) => e.name),
        locks.dirs,
      ),
      env: mergeEnv([...runtimeDefaults(), ...advertiseAddressEnv(port), ...bridgePeersEnv(name, spec), ...identityEnv(name), ...collectorEnv(opts.bridgeOtlpEndpoint)], userEnv(spec)),
      ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
      ...bridgeProbes(port),
      volumeMounts: [...bridgeMounts(spec), ...userMounts(spec), ...locks.mounts],
      securityContext: containerSecurityContext(),
    },
    { envFrom: spec.envFrom.length > 0 ? spec.envFrom : undefined, resources: resources(spec) },
  );
  return { containers: [bridge] };
}

function sidecarContainers(name: string, spec: McpServerSpec, opts: BuildOptions, image: string, serviceUrl: string, singleWriterClaims: readonly string[]): Pick<PodSpec, 'containers' | 'initContainers'> {
  const port = spec.bridge.port;
  const locks = dataLocks(spec, singleWriterClaims);
  const shared: VolumeMount = { name: VOLUME_SHARED, mountPath: SHARED_DIR };
  const bridge: Container = {
    name: 'bridge',
    image: opts.bridgeImage,
    imagePullPolicy: opts.bridgeImagePullPolicy,
    // A native sidecar: starts before the server, stops after it.
    restartPolicy: 'Always',
    args: sidecarBridgeArgs(spec, serviceUrl, AGENT_SOCKET, AGENT_PATH, locks.dirs, DRAIN_SOCKET),
    env: mergeEnv([...runtimeDefaults(), ...advertiseAddressEnv(port), ...bridgePeersEnv(name, spec), ...identityEnv(name), ...collectorEnv(opts.bridgeOtlpEndpoint)], telemetryEnv(spec)),
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
    ...bridgeProbes(port),
    resources: SIDECAR_BRIDGE_RESOURCES,
    volumeMounts: [shared, ...bridgeMounts(spec), ...locks.mounts],
    securityContext: containerSecurityContext(),
  };
  const server: Container = withOptional<Container>(
    {
      name: 'server',
      image,
      command: [AGENT_PATH],
      args: ['--socket', AGENT_SOCKET, '--', ...spec.command, ...spec.args],
      env: mergeEnv(runtimeDefaults(), userEnv(spec)),
      // Kubernetes stops this container before the bridge sidecar: the hook lets the bridge drain first,
      // so the calls in flight are answered by server processes that still run (bridge/drain-socket.ts).
      lifecycle: { preStop: { exec: { command: [AGENT_PATH, '--drain', DRAIN_SOCKET] } } },
      volumeMounts: [shared, { name: VOLUME_TMP, mountPath: TMP_DIR }, ...userMounts(spec)],
      securityContext: containerSecurityContext(),
    },
    {
      imagePullPolicy: spec.imagePullPolicy,
      envFrom: spec.envFrom.length > 0 ? spec.envFrom : undefined,
      resources: resources(spec),
    },
  );
  return { initContainers: [bridge], containers: [server] };
}

function httpServerContainers(spec: McpServerSpec, opts: BuildOptions): Pick<PodSpec, 'containers'> {
  const port = servingPort(spec);
  const tcp = (periodSeconds: number, failureThreshold: number): Probe => ({
    tcpSocket: { port },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  });
  const server: Container = withOptional<Container>(
    {
      name: 'server',
      image: spec.image ?? opts.bridgeImage,
      ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
      env: mergeEnv(runtimeDefaults(), userEnv(spec)),
      startupProbe: tcp(1, 120),
      livenessProbe: tcp(10, 3),
      readinessProbe: tcp(5, 2),
      volumeMounts: [{ name: VOLUME_TMP, mountPath: TMP_DIR }, ...userMounts(spec)],
      securityContext: containerSecurityContext(),
    },
    {
      imagePullPolicy: spec.image === undefined ? opts.bridgeImagePullPolicy : spec.imagePullPolicy,
      command: spec.command.length > 0 ? spec.command : undefined,
      args: spec.args.length > 0 ? spec.args : undefined,
      envFrom: spec.envFrom.length > 0 ? spec.envFrom : undefined,
      resources: resources(spec),
    },
  );
  return { containers: [server] };
}

function volumes(name: string, spec: McpServerSpec, topology: Topology): Volume[] {
  const out: Volume[] = [{ name: VOLUME_TMP, emptyDir: {} }];
  if (topology === 'sidecar') out.push({ name: VOLUME_SHARED, emptyDir: { sizeLimit: '64Mi' } });
  if (topology !== 'streamable-http') {
    out.push({ name: VOLUME_SESSION_KEY, secret: { secretName: sessionKeySecretName(name), defaultMode: 0o440 } });
    const auth = spec.bridge.authTokenSecretRef;
    if (auth !== undefined) {
      out.push({
        name: VOLUME_AUTH_TOKEN,
        secret: { secretName: auth.name, items: [{ key: auth.key, path: 'token' }], defaultMode: 0o440 },
      });
    }
  }
  return [...out, ...(spec.volumes as Volume[])];
}

/** `serviceUrl`: the in-cluster base URL of the Service (the bridge's default OAuth resource). */
/**
 * @param singleWriterClaims claims the bridge must hold a --data-lock on (ReplicaPlan.singleWriterClaims);
 *   none for Compose, which never runs two containers of one service at once.
 */
export function buildPodSpec(name: string, spec: McpServerSpec, opts: BuildOptions, serviceUrl: string, singleWriterClaims: readonly string[] = []): PodSpec {
  const topology = topologyOf(spec);
  const containers =
    topology === 'embedded'
      ? embeddedContainers(name, spec, opts, serviceUrl, singleWriterClaims)
      : topology === 'sidecar'
        ? sidecarContainers(name, spec, opts, spec.image ?? opts.bridgeImage, serviceUrl, singleWriterClaims)
        : httpServerContainers(spec, opts);
  return withOptional<PodSpec>(
    {
      ...containers,
      volumes: volumes(name, spec, topology),
      securityContext: podSecurityContext(),
      // MCP servers rarely need the Kubernetes API; mount a token only for an explicit ServiceAccount.
      automountServiceAccountToken: spec.serviceAccountName !== undefined,
      enableServiceLinks: false,
    },
    {
      // A bridge drains before it stops (BRIDGE_DRAIN_DELAY_SECONDS); the default 30 s would cut it short.
      terminationGracePeriodSeconds: topology === 'streamable-http' ? undefined : BRIDGE_TERMINATION_GRACE_SECONDS,
      serviceAccountName: spec.serviceAccountName,
      nodeSelector: spec.nodeSelector,
      tolerations: spec.tolerations,
      affinity: spec.affinity,
    },
  );
}
