// Container environments. The user's env wins over our defaults of the same name (env is a list keyed by
// name under server-side apply, so duplicates would be rejected). MCP_BRIDGE_* names are reserved (CRD).
import { envVarName } from '../../common/bridge-options.js';
import type { EnvVar } from '../api/kube-types.js';
import type { McpServerSpec } from '../api/mcp-server.js';
import { TMP_DIR } from '../api/constants.js';
import { peerServiceName } from './labels.js';

/** npx/uvx need a writable HOME and caches; the root filesystem is read-only. */
export function runtimeDefaults(): EnvVar[] {
  return [
    { name: 'HOME', value: `${TMP_DIR}/home` },
    { name: 'npm_config_cache', value: `${TMP_DIR}/npm` },
    { name: 'XDG_CACHE_HOME', value: `${TMP_DIR}/cache` },
    { name: 'UV_CACHE_DIR', value: `${TMP_DIR}/uv` },
  ];
}

/**
 * The pod's own host:port, so a bridge can put its address into the session ids it mints and other
 * replicas can forward to it. Kubernetes expands $(POD_IP) from the entry defined before it.
 */
export function advertiseAddressEnv(port: number): EnvVar[] {
  return [
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: envVarName('advertiseAddress'), value: `$(POD_IP):${port}` },
  ];
}

/**
 * Where a stopping bridge finds the other replicas (--peers): the headless Service's name, which the
 * pod's DNS search path resolves in its own namespace to every ready replica.
 */
export function peersEnv(name: string, port: number): EnvVar[] {
  return [{ name: envVarName('peers'), value: `${peerServiceName(name)}:${port}` }];
}

/**
 * Which McpServer the bridge serves, for its logs (mcpServer, namespace fields) and traces (service.name,
 * k8s.namespace.name). The namespace comes from the downward API: the builder is given only the name.
 */
export function identityEnv(name: string): EnvVar[] {
  return [
    { name: envVarName('mcpServerName'), value: name },
    { name: envVarName('mcpServerNamespace'), valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];
}

/**
 * The OpenTelemetry env of spec.env (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ...), which the
 * bridge container needs to export traces. In the embedded topology it gets all of spec.env anyway;
 * in the sidecar topology spec.env is the server container's, so these names are given to both.
 */
export function telemetryEnv(spec: McpServerSpec): EnvVar[] {
  return userEnv(spec).filter((e) => e.name.startsWith('OTEL_'));
}

/**
 * Where every bridge sends its traces (--bridge-otlp-endpoint), before the user's env so that an
 * McpServer's own OTEL_EXPORTER_OTLP_ENDPOINT in spec.env wins (mergeEnv).
 */
export function collectorEnv(endpoint: string | undefined): EnvVar[] {
  return endpoint === undefined || endpoint === '' ? [] : [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: endpoint }];
}

export function userEnv(spec: McpServerSpec): EnvVar[] {
  return spec.env.map((e) => {
    const out: EnvVar = { name: e.name };
    if (e.value !== undefined) out.value = e.value;
    if (e.valueFrom !== undefined) out.valueFrom = e.valueFrom as EnvVar['valueFrom'];
    return out;
  });
}

/** `base` entries, minus any name `override` redefines, followed by `override`. */
export function mergeEnv(base: EnvVar[], override: EnvVar[]): EnvVar[] {
  const overridden = new Set(override.map((e) => e.name));
  return [...base.filter((e) => !overridden.has(e.name)), ...override];
}
