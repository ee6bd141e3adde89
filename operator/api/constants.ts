// Names shared by the CRD (crds/mcp.sidecar.dev_mcpservers.yaml), the builders and the controller.
export const GROUP = 'mcp.sidecar.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'McpServer';
export const PLURAL = 'mcpservers';

/** Our server-side-apply field manager, for children and for McpServer status. */
export const FIELD_MANAGER = 'mcp-sidecar-operator';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_SERVER = `${GROUP}/server`;
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
/** The component label of the headless Service that lists a server's replicas to each other (not scraped). */
export const COMPONENT_PEERS = 'peers';
export const APP_NAME = 'mcp-server';
export const MANAGED_BY = 'mcp-sidecar-operator';

/** Hash of the pod template's content; pods roll when (and only when) it changes. */
export const ANNOTATION_CONFIG_HASH = `${GROUP}/config-hash`;
/**
 * The de-facto scrape annotations of Prometheus's kubernetes_sd pod examples (not an API: a convention
 * that the scrape config in samples/prometheus/ and docs/monitoring.md relabels on).
 */
export const ANNOTATION_PROMETHEUS_SCRAPE = 'prometheus.io/scrape';
export const ANNOTATION_PROMETHEUS_PORT = 'prometheus.io/port';
export const ANNOTATION_PROMETHEUS_PATH = 'prometheus.io/path';

/** Paths inside the pod. */
export const SHARED_DIR = '/mcp';
export const AGENT_PATH = '/mcp/agent';
export const AGENT_SOCKET = '/mcp/agent.sock';
/** The bridge's drain socket (--drain-socket): the server container's preStop hook asks it to drain first. */
export const DRAIN_SOCKET = '/mcp/bridge-drain.sock';
export const SESSION_KEY_DIR = '/var/run/mcp/session-key';
export const SESSION_KEY_FILE = `${SESSION_KEY_DIR}/key`;
export const SESSION_KEY_SECRET_KEY = 'key';
export const AUTH_TOKEN_DIR = '/var/run/mcp/auth-token';
export const AUTH_TOKEN_FILE = `${AUTH_TOKEN_DIR}/token`;
export const TMP_DIR = '/tmp';
/** Where the bridge mounts a single-writer data volume read-only, to hold its --data-lock (bridge/data-lock.ts). */
export const DATA_LOCK_DIR = '/var/run/mcp/data-lock';

/**
 * How a bridge in a pod shuts down. SIGTERM comes when the pod is deleted, at the same moment its endpoint
 * turns terminating; kube-proxy then needs time to stop sending new connections here (its network
 * programming latency on the local cluster under a rolling update: up to 8 s, kubeproxy_network_programming_
 * duration_seconds). The bridge serves everything for the drain delay and after it until its sessions are
 * quiet (docs/design.md, shutdown), so the delay has to outlast that latency with room to spare.
 */
export const BRIDGE_DRAIN_DELAY_SECONDS = 15;
/** Then in-flight calls get this long (the bridge's --shutdown-grace). */
export const BRIDGE_SHUTDOWN_GRACE_SECONDS = 20;
/** The pod's terminationGracePeriodSeconds: the drain, the grace, and the processes' own stop (stdin close, SIGTERM, SIGKILL). */
export const BRIDGE_TERMINATION_GRACE_SECONDS = BRIDGE_DRAIN_DELAY_SECONDS + BRIDGE_SHUTDOWN_GRACE_SECONDS + 10;

/** Non-root identity for every container (PodSecurity "restricted" wants a numeric user). */
export const RUN_AS_USER = 65532;

export const sessionKeySecretName = (mcpServerName: string): string => `${mcpServerName}-session-key`;

/**
 * The bridge's per-pod gauges as the custom metrics API serves them (the adapter's rules keep the
 * Prometheus names; charts/.../files/prometheus-adapter.yaml and docs/autoscaling.md). The HPA reads them
 * as Pods metrics: the average over the McpServer's pods.
 */
export const METRIC_IN_FLIGHT = 'mcp_bridge_requests_in_flight';
export const METRIC_SESSIONS = 'mcp_bridge_sessions_active';

/**
 * KEDA (ADR 0106): the operator owns a ScaledObject instead of the HPA when a target is a bridge metric;
 * KEDA then owns the HPA, named by horizontalPodAutoscalerConfig.name (kedaHpaName).
 */
export const KEDA_API_VERSION = 'keda.sh/v1alpha1';
export const KEDA_GROUP = 'keda.sh';
export const KEDA_VERSION = 'v1alpha1';
export const SCALED_OBJECT_KIND = 'ScaledObject';
export const SCALED_OBJECT_PLURAL = 'scaledobjects';
export const kedaHpaName = (mcpServerName: string): string => `keda-hpa-${mcpServerName}`;
