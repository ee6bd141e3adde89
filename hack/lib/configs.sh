# shellcheck shell=bash
# Config files for containerd, CNI, kubelet, kube-proxy and CoreDNS. Source after cluster-env.sh.
# Every workaround is commented with the error it avoids (details: docs/cluster.md).

CONF="${STATE}/config"

write_containerd_config() {
  mkdir -p "${CONF}" "${CONTAINERD_ROOT}" "${CONTAINERD_DIR}/state" "${CNI_CONF_DIR}"
  cat > "${CONF}/containerd.toml" <<EOF
# Private containerd for the mcp-sidecar local cluster (never the system one).
version = 2
root = "${CONTAINERD_ROOT}"
state = "${CONTAINERD_DIR}/state"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "${CONTAINERD_SOCK}"
[ttrpc]
  address = "${CONTAINERD_SOCK}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "${CONTAINERD_DIR}/opt"

[plugins."io.containerd.grpc.v1.cri"]
  # Built locally by hack/images.sh and imported before the kubelet starts: never pulled.
  sandbox_image = "${PAUSE_IMAGE}"
  # No CAP_SYS_RESOURCE here: a negative oom_score_adj for the sandbox fails with
  # "runc create failed: unable to start container process: can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # cgroup v1 host without systemd as PID 1: cgroupfs driver (kubelet cgroupDriver matches).
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${CNI_CONF_DIR}"
    max_conf_num = 1
EOF
}

write_crictl_config() {
  mkdir -p "${CONF}"
  printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 30\n' "${CONTAINERD_SOCK}" "${CONTAINERD_SOCK}" \
    > "${CONF}/crictl.yaml"
}

write_cni_config() {
  mkdir -p "${CNI_CONF_DIR}" "${CNI_DATA_DIR}"
  # firewall plugin: Docker (if it ever ran here) sets FORWARD policy DROP with
  # bridge-nf-call-iptables=1, and pod->pod traffic then times out (connect ETIMEDOUT).
  cat > "${CNI_CONF_DIR}/10-mcp.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "${CNI_NETWORK}",
  "plugins": [
    {"type": "bridge", "bridge": "${CNI_BRIDGE}", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "${CNI_DATA_DIR}",
              "ranges": [[{"subnet": "${POD_CIDR}"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall", "backend": "iptables"},
    {"type": "loopback"}
  ]
}
EOF
}

write_kubelet_config() {
  mkdir -p "${CONF}" "${KUBELET_DIR}" "${STATE}/pod-logs" "${STATE}/manifests"
  cat > "${CONF}/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: ${PKI}/kubelet-serving.crt
tlsPrivateKeyFile: ${PKI}/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: ${PKI}/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://${CONTAINERD_SOCK}
# cgroup v1 and no systemd as PID 1.
cgroupDriver: cgroupfs
# kubelet >= 1.35 refuses cgroup v1 unless this is false; 1.34 warns. This machine is cgroup v1.
failCgroupV1: false
# The VM has no swap, but do not fail if one appears.
failSwapOn: false
clusterDNS: [${DNS_SVC_IP}]
clusterDomain: ${CLUSTER_DOMAIN}
resolvConf: /etc/resolv.conf
staticPodPath: ${STATE}/manifests
podLogsDir: ${STATE}/pod-logs
# Local images cannot be pulled again: never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%}
serializeImagePulls: false
maxPods: 110
EOF
}

write_kube_proxy_config() {
  mkdir -p "${CONF}"
  cat > "${CONF}/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: ${KCFG}/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: ${CLUSTER_CIDR}
hostnameOverride: ${NODE_NAME}
bindAddress: ${NODE_IP}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["${NODE_IP}/32"]
iptables: {localhostNodePorts: false}
# No CAP_SYS_RESOURCE-style surprises: do not touch the conntrack sysctls.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

write_coredns_config() {
  mkdir -p "${CONF}"
  cat > "${CONF}/Corefile" <<EOF
# CoreDNS as a host process on the node IP; Service kube-system/kube-dns (${DNS_SVC_IP}) points here.
.:53 {
    bind ${NODE_IP}
    errors
    health 127.0.0.1:18080
    ready 127.0.0.1:18181
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${KCFG}/coredns.kubeconfig mcp-local
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    forward . /etc/resolv.conf
    cache 30
    loop
}
EOF
}

# Objects the cluster needs for CoreDNS-on-the-host: RBAC for its client cert, and a selector-less
# kube-dns Service whose EndpointSlice names the node IP.
coredns_manifest() {
  cat <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "mcp:coredns"}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "mcp:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "mcp:coredns"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "mcp:coredns"}
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns, kubernetes.io/name: CoreDNS}
spec:
  clusterIP: ${DNS_SVC_IP}
  ports:
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-host
  namespace: kube-system
  labels:
    kubernetes.io/service-name: kube-dns
    endpointslice.kubernetes.io/managed-by: mcp-sidecar-cluster
addressType: IPv4
endpoints:
- addresses: ["${NODE_IP}"]
  conditions: {ready: true}
  nodeName: ${NODE_NAME}
ports:
- {name: dns, port: 53, protocol: UDP}
- {name: dns-tcp, port: 53, protocol: TCP}
EOF
}

# kube-router's identity (mcp:kube-router, a client cert) reads what its network-policy controller and
# its shared informers watch, as upstream's DaemonSet manifest grants.
kube_router_manifest() {
  cat <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "mcp:kube-router"}
rules:
- apiGroups: [""]
  resources: [namespaces, pods, services, nodes, endpoints]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "mcp:kube-router"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "mcp:kube-router"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "mcp:kube-router"}
EOF
}

# metrics-server runs on the host like CoreDNS: a selector-less Service whose EndpointSlice names the
# node IP, and an APIService (CA: the cluster CA that signed its serving cert). Its identity
# (system:metrics-server, a client cert) reads nodes and pods, scrapes the kubelets, and delegates
# authentication/authorization of the apiserver's proxied requests, as upstream's manifest grants.
metrics_server_manifest() {
  cat <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:metrics-server"}
rules:
- apiGroups: [""]
  resources: [nodes/metrics]
  verbs: [get]
- apiGroups: [""]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: "system:aggregated-metrics-reader"
  labels:
    rbac.authorization.k8s.io/aggregate-to-admin: "true"
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
- apiGroups: [metrics.k8s.io]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:metrics-server"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:metrics-server"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:metrics-server"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "metrics-server:system:auth-delegator"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:auth-delegator"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:metrics-server"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "metrics-server-auth-reader", namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "extension-apiserver-authentication-reader"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:metrics-server"}
---
apiVersion: v1
kind: Service
metadata:
  name: metrics-server
  namespace: kube-system
  labels: {k8s-app: metrics-server}
spec:
  ports:
  - {name: https, port: 443, protocol: TCP, targetPort: ${METRICS_SERVER_PORT}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: metrics-server-host
  namespace: kube-system
  labels:
    kubernetes.io/service-name: metrics-server
    endpointslice.kubernetes.io/managed-by: mcp-sidecar-cluster
addressType: IPv4
endpoints:
- addresses: ["${NODE_IP}"]
  conditions: {ready: true}
  nodeName: ${NODE_NAME}
ports:
- {name: https, port: ${METRICS_SERVER_PORT}, protocol: TCP}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
  labels: {k8s-app: metrics-server}
spec:
  service: {name: metrics-server, namespace: kube-system, port: 443}
  group: metrics.k8s.io
  version: v1beta1
  caBundle: $(base64 -w0 < "${PKI}/ca.crt")
  groupPriorityMinimum: 100
  versionPriority: 100
EOF
}

# KEDA runs on the host like metrics-server: its metrics adapter behind a selector-less Service whose
# EndpointSlice names the node IP, and the external metrics APIService (CA: the cluster CA). Upstream's
# ClusterRole/Role (config/rbac/role.yaml of the module, applied next to this) are bound to the one
# identity both daemons use, mcp:keda, with upstream's bindings (config/rbac, config/metrics-server); the
# HPA controller (its own ServiceAccount: --use-service-account-credentials) may read external metrics.
keda_manifest() {
  cat <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: keda}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: keda-operator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: keda-operator}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "mcp:keda"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: keda-operator, namespace: keda}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: keda-operator}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "mcp:keda"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: keda-system-auth-delegator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:auth-delegator"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "mcp:keda"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: keda-auth-reader, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "mcp:keda"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: keda-external-metrics-reader}
rules:
- apiGroups: [external.metrics.k8s.io]
  resources: ["*"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: keda-hpa-controller-external-metrics}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: keda-external-metrics-reader}
subjects:
- {kind: ServiceAccount, name: horizontal-pod-autoscaler, namespace: kube-system}
---
apiVersion: v1
kind: Service
metadata:
  name: keda-metrics-apiserver
  namespace: keda
  labels: {app.kubernetes.io/name: keda-metrics-apiserver}
spec:
  ports:
  - {name: https, port: 443, protocol: TCP, targetPort: ${KEDA_ADAPTER_PORT}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: keda-metrics-apiserver-host
  namespace: keda
  labels:
    kubernetes.io/service-name: keda-metrics-apiserver
    endpointslice.kubernetes.io/managed-by: mcp-sidecar-cluster
addressType: IPv4
endpoints:
- addresses: ["${NODE_IP}"]
  conditions: {ready: true}
  nodeName: ${NODE_NAME}
ports:
- {name: https, port: ${KEDA_ADAPTER_PORT}, protocol: TCP}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.external.metrics.k8s.io
  labels: {app.kubernetes.io/part-of: keda-operator}
spec:
  service: {name: keda-metrics-apiserver, namespace: keda, port: 443}
  group: external.metrics.k8s.io
  version: v1beta1
  caBundle: $(base64 -w0 < "${PKI}/ca.crt")
  groupPriorityMinimum: 100
  versionPriority: 100
EOF
}

# The KEDA operator resolves names with the cluster's DNS (CoreDNS on the node IP), as it would in a pod:
# a ScaledObject's Prometheus address is the in-cluster one (http://prometheus.monitoring.svc.cluster.local:9090).
write_keda_files() {
  mkdir -p "${KEDA_DIR}/certs"; chmod 700 "${KEDA_DIR}"
  cp -f "${PKI}/ca.crt" "${KEDA_DIR}/certs/ca.crt"
  cp -f "${PKI}/keda.crt" "${KEDA_DIR}/certs/tls.crt"
  cp -f "${PKI}/keda.key" "${KEDA_DIR}/certs/tls.key"
  cat > "${KEDA_DIR}/resolv.conf" <<EOF
nameserver ${NODE_IP}
search keda.svc.${CLUSTER_DOMAIN} svc.${CLUSTER_DOMAIN} ${CLUSTER_DOMAIN}
options ndots:5
EOF
}
