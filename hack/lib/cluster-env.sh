# shellcheck shell=bash
# shellcheck disable=SC2034  # sourced: the variables are used by the scripts that source it
# Addresses and paths of the local cluster. Source after common.sh.

NODE_IP="${MCP_NODE_IP:-10.244.255.1}"        # on a lo alias (/32): the kubelet refuses loopback, there is no dummy driver
NODE_NAME="${MCP_NODE_NAME:-mcp-node}"
POD_CIDR="${MCP_POD_CIDR:-10.244.0.0/24}"
CLUSTER_CIDR="${MCP_CLUSTER_CIDR:-10.244.0.0/16}"
SERVICE_CIDR="${MCP_SERVICE_CIDR:-10.96.0.0/16}"
KUBERNETES_SVC_IP="${MCP_KUBERNETES_SVC_IP:-10.96.0.1}"
DNS_SVC_IP="${MCP_DNS_SVC_IP:-10.96.0.10}"
CLUSTER_DOMAIN="cluster.local"
APISERVER_PORT=6443
METRICS_SERVER_PORT="${MCP_METRICS_SERVER_PORT:-10260}"   # on NODE_IP; the kubelet has 10250
KEDA_ADAPTER_PORT="${MCP_KEDA_ADAPTER_PORT:-10261}"        # on NODE_IP: the external metrics API (behind an APIService)
KEDA_GRPC_PORT="${MCP_KEDA_GRPC_PORT:-10266}"              # on NODE_IP: KEDA operator's metrics service (adapter -> operator)
KEDA_HEALTH_PORT="${MCP_KEDA_HEALTH_PORT:-10267}"          # 127.0.0.1: KEDA operator's /readyz
KEDA_ADAPTER_METRICS_PORT="${MCP_KEDA_ADAPTER_METRICS_PORT:-10268}"   # the adapter's /metrics (all addresses: KEDA offers no bind flag)
KUBE_ROUTER_HEALTH_PORT="${MCP_KUBE_ROUTER_HEALTH_PORT:-20244}"   # 127.0.0.1
ETCD_CLIENT_PORT="${MCP_ETCD_PORT:-12379}"     # not 2379: do not collide with an etcd someone else runs
ETCD_PEER_PORT="${MCP_ETCD_PEER_PORT:-12380}"
CNI_BRIDGE="mcp-cni0"
CNI_NETWORK="mcp-pod-net"
PAUSE_IMAGE="localhost/pause:local"

STATE="${MCP_CLUSTER_DIR}"
PKI="${STATE}/pki"
KCFG="${STATE}/kubeconfig"                    # one kubeconfig per identity
ADMIN_KUBECONFIG="${STATE}/admin.kubeconfig"
LOGS="${STATE}/logs"
PIDS="${STATE}/pids"
CONTAINERD_DIR="${STATE}/containerd"
CONTAINERD_SOCK="${CONTAINERD_DIR}/containerd.sock"
# containerd's root (content store + unpacked image snapshots) is a CACHE: it survives cluster-down,
# so a warm cluster-up does not re-import every image (~1 min). Pod mounts live in its state dir,
# under ${STATE}, and go away with the pods.
CONTAINERD_ROOT="${MCP_CACHE_DIR}/containerd/root"
IMPORTED_DIR="${MCP_CACHE_DIR}/containerd/imported"
KUBELET_DIR="${STATE}/kubelet"
KEDA_DIR="${STATE}/keda"                      # its certificate directory (ca.crt, tls.crt, tls.key) and resolv.conf
CNI_CONF_DIR="${STATE}/cni/net.d"
CNI_DATA_DIR="${STATE}/cni/networks"
CNI_BIN_DIR="/usr/lib/cni"

# Traffic to these must never leave through eth0 (an unmatched Service IP, a pod route gone wrong).
SAFETY_NET_CIDRS=(10.0.0.0/8 172.16.0.0/12 192.168.0.0/16)
SAFETY_NET_COMMENT="mcp-sidecar-cluster safety net"

# Which kubernetes components cluster-up starts, in order (cluster-down stops them in reverse).
COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy coredns metrics-server kube-router keda keda-adapter)
LOCK_FILE="/run/lock/mcp-sidecar-cluster-up.lock"   # outside STATE: cluster-down removes STATE
