#!/usr/bin/env bash
# Brings up (or finds running) the local single-node Kubernetes cluster, built from upstream.
#
#   eval "$(hack/cluster-up.sh | tail -1)"     # progress on stderr; last stdout line: export KUBECONFIG=...
#
# Idempotent: on a running, healthy cluster it returns at once. Cold (empty cache) it builds every
# binary from Go modules first (see docs/cluster.md for timings). Needs root.
# Env: MCP_CACHE_DIR (default /var/cache/mcp-sidecar), MCP_CLUSTER_DIR (default /var/lib/mcp-sidecar-cluster),
#      MCP_SKIP_IMAGE_IMPORT=1 to skip importing the archives that hack/images.sh built earlier.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "${HACK_DIR}/lib/cluster-env.sh"
. "${HACK_DIR}/lib/daemons.sh"
. "${HACK_DIR}/lib/net.sh"
. "${HACK_DIR}/lib/configs.sh"
. "${HACK_DIR}/lib/pki.sh"
. "${HACK_DIR}/lib/build.sh"

KUBECTL="$(bin_path kubectl "${K8S_VERSION}")"
kc() { "${KUBECTL}" --kubeconfig "${ADMIN_KUBECONFIG}" "$@"; }

node_ready() {
  [ "$(kc get node "${NODE_NAME}" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}
apiserver_ready() { kc get --raw /readyz >/dev/null 2>&1; }

healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do daemon_running "${c}" || return 1; done
  apiserver_ready && node_ready
}

finish() {
  log "cluster ready: node ${NODE_NAME} (${NODE_IP}), Kubernetes ${K8S_VERSION}; logs in ${LOGS}"
  echo "export KUBECONFIG=${ADMIN_KUBECONFIG}"
}

main() {
  require_root
  # One cluster-up/cluster-down at a time (two test tiers starting the cluster at once would race).
  exec 9> "${LOCK_FILE}"
  flock -w 3600 9 || die "another cluster-up/cluster-down holds ${LOCK_FILE}"
  if [ -s "${ADMIN_KUBECONFIG}" ] && [ -x "${KUBECTL}" ] && healthy; then
    log "cluster already running and healthy"
    finish; return 0
  fi
  local t0="${SECONDS}"

  log "[1/8] host packages"
  apt_ensure containerd:containerd runc:runc /usr/lib/cni/bridge:containernetworking-plugins \
    iptables:iptables conntrack:conntrack socat:socat openssl:openssl curl:curl ip:iproute2 \
    findmnt:util-linux setsid:util-linux ipset:ipset
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] \
    || die "kernel lacks br_netfilter (/proc/sys/net/bridge missing): Service traffic from pods cannot work"
  grep -q overlay /proc/filesystems || die "kernel lacks overlayfs (containerd's overlayfs snapshotter needs it)"

  log "[2/8] binaries (cached in ${BIN_CACHE}; a cold build takes a while)"
  build_all_binaries
  local B_API B_CM B_SCHED B_KUBELET B_PROXY B_ETCD B_DNS B_MS B_KR B_KEDA B_KEDA_ADAPTER
  B_API="$(bin_path kube-apiserver "${K8S_VERSION}")"; B_CM="$(bin_path kube-controller-manager "${K8S_VERSION}")"
  B_MS="$(bin_path metrics-server "${METRICS_SERVER_VERSION}")"; B_KR="$(bin_path kube-router "${KUBE_ROUTER_VERSION}")"
  B_SCHED="$(bin_path kube-scheduler "${K8S_VERSION}")"; B_KUBELET="$(bin_path kubelet "${K8S_VERSION}")"
  B_PROXY="$(bin_path kube-proxy "${K8S_VERSION}")"; B_ETCD="$(bin_path etcd "${ETCD_VERSION}")"
  B_DNS="$(bin_path coredns "${COREDNS_VERSION}")"
  B_KEDA="$(bin_path keda "${KEDA_VERSION}")"; B_KEDA_ADAPTER="$(bin_path keda-adapter "${KEDA_VERSION}")"
  # Convenience links for people and tests: ${MCP_CACHE_DIR}/bin/current/<name>.
  # ${STATE}/bin/<name>: the binaries this cluster runs, for people, tests and cluster-down;
  # ${MCP_CACHE_DIR}/bin/current/<name>: the same, surviving cluster-down (kubectl, helm for the tests).
  mkdir -p "${BIN_CACHE}/current" "${STATE}/bin"
  local n
  for n in "${CLUSTER_BINARIES[@]}"; do
    ln -sfn "$(bin_path "${n%%:*}" "${n#*:}")" "${BIN_CACHE}/current/${n%%:*}"
    ln -sfn "$(bin_path "${n%%:*}" "${n#*:}")" "${STATE}/bin/${n%%:*}"
  done

  log "[3/8] host network: ${NODE_IP}/32 on lo, sysctls, egress safety net"
  mkdir -p "${STATE}" "${LOGS}" "${PIDS}"
  add_node_ip
  set_sysctls
  add_safety_net

  log "[4/8] certificates and kubeconfigs (${PKI})"
  make_pki

  log "[5/8] containerd (private instance, socket ${CONTAINERD_SOCK}) and images"
  write_containerd_config
  write_cni_config
  write_crictl_config
  start_daemon containerd /usr/bin/containerd --config "${CONF}/containerd.toml"
  wait_daemon containerd "containerd socket" 60 ctr -a "${CONTAINERD_SOCK}" version
  if [ ! -s "${MCP_CACHE_DIR}/images/archives/pause.tar" ]; then
    log "building the pause image (first run)"
    bash "${HACK_DIR}/images.sh" pause >&2
  fi
  if [ -n "${MCP_SKIP_IMAGE_IMPORT:-}" ]; then
    bash "${HACK_DIR}/images.sh" --import-only pause >&2
  else
    bash "${HACK_DIR}/images.sh" --import-only >&2
  fi

  log "[6/8] etcd ${ETCD_VERSION} and control plane"
  start_daemon etcd "${B_ETCD}" --name mcp --data-dir "${STATE}/etcd" \
    --listen-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster "mcp=http://127.0.0.1:${ETCD_PEER_PORT}" --listen-metrics-urls "http://127.0.0.1:$((ETCD_CLIENT_PORT + 2))" \
    --unsafe-no-fsync --quota-backend-bytes 2147483648 --log-level warn
  wait_daemon etcd "etcd health" 60 curl -fsS "http://127.0.0.1:${ETCD_CLIENT_PORT}/health"

  start_daemon kube-apiserver "${B_API}" \
    --etcd-servers "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
    --bind-address "${NODE_IP}" --advertise-address "${NODE_IP}" --secure-port "${APISERVER_PORT}" \
    --client-ca-file "${PKI}/ca.crt" --tls-cert-file "${PKI}/apiserver.crt" --tls-private-key-file "${PKI}/apiserver.key" \
    --kubelet-client-certificate "${PKI}/apiserver-kubelet-client.crt" --kubelet-client-key "${PKI}/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "${PKI}/ca.crt" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-key-file "${PKI}/sa.pub" --service-account-signing-key-file "${PKI}/sa.key" \
    --service-account-issuer "https://kubernetes.default.svc.${CLUSTER_DOMAIN}" \
    --service-cluster-ip-range "${SERVICE_CIDR}" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true \
    --requestheader-client-ca-file "${PKI}/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "${PKI}/front-proxy-client.crt" --proxy-client-key-file "${PKI}/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --event-ttl 1h --profiling=false
  wait_daemon kube-apiserver "kube-apiserver /readyz" 120 apiserver_ready

  start_daemon kube-controller-manager "${B_CM}" \
    --kubeconfig "${KCFG}/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "${KCFG}/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "${KCFG}/kube-controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file "${PKI}/sa.key" --root-ca-file "${PKI}/ca.crt" \
    --cluster-signing-cert-file "${PKI}/ca.crt" --cluster-signing-key-file "${PKI}/ca.key" \
    --service-cluster-ip-range "${SERVICE_CIDR}" --profiling=false
  start_daemon kube-scheduler "${B_SCHED}" \
    --kubeconfig "${KCFG}/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "${KCFG}/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig "${KCFG}/kube-scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false

  log "[7/8] CoreDNS ${COREDNS_VERSION} (host process on ${NODE_IP}:53, Service ${DNS_SVC_IP})"
  coredns_manifest > "${CONF}/coredns.yaml"
  for _ in 1 2 3 4 5; do kc apply -f "${CONF}/coredns.yaml" >/dev/null 2>&1 && break; sleep 1; done
  kc apply -f "${CONF}/coredns.yaml" >/dev/null || die "could not create the kube-dns Service/RBAC"
  write_coredns_config
  start_daemon coredns "${B_DNS}" -conf "${CONF}/Corefile"
  wait_daemon coredns "CoreDNS ready" 60 curl -fsS http://127.0.0.1:18181/ready

  log "[8/8] kubelet, kube-proxy, kube-router (NetworkPolicy), metrics-server and KEDA"
  write_kubelet_config
  write_kube_proxy_config
  start_daemon kubelet "${B_KUBELET}" --config "${CONF}/kubelet.yaml" \
    --kubeconfig "${KCFG}/kubelet.kubeconfig" --node-ip "${NODE_IP}" --hostname-override "${NODE_NAME}" \
    --root-dir "${KUBELET_DIR}"
  start_daemon kube-proxy "${B_PROXY}" --config "${CONF}/kube-proxy.yaml"
  wait_daemon kubelet "node ${NODE_NAME} Ready" 120 node_ready
  # Pods cannot be created before the namespace's default ServiceAccount exists.
  wait_daemon kube-controller-manager "ServiceAccount default/default" 60 kc get serviceaccount default -n default
  wait_daemon kube-proxy "kube-proxy healthz" 60 curl -fsS http://127.0.0.1:10256/healthz

  # NetworkPolicy is enforced by kube-router's network-policy controller alone (iptables filter chains +
  # ipsets on pod IPs; bridged pod traffic reaches them through br_netfilter). Routing stays with the
  # CNI bridge and Services with kube-proxy. docs/cluster.md#networkpolicy.
  log "kube-router ${KUBE_ROUTER_VERSION} (network-policy controller only)"
  kube_router_manifest > "${CONF}/kube-router.yaml"
  kc apply -f "${CONF}/kube-router.yaml" >/dev/null || die "could not create kube-router's RBAC"
  start_daemon kube-router "${B_KR}" --run-firewall=true --run-router=false --run-service-proxy=false \
    --kubeconfig "${KCFG}/kube-router.kubeconfig" --hostname-override "${NODE_NAME}" \
    --service-cluster-ip-range "${SERVICE_CIDR}" --health-port "${KUBE_ROUTER_HEALTH_PORT}" --metrics-port 0 \
    --enable-cni=false --enable-pod-egress=false
  wait_daemon kube-router "kube-router healthz" 60 curl -fsS "http://127.0.0.1:${KUBE_ROUTER_HEALTH_PORT}/healthz"

  log "metrics-server ${METRICS_SERVER_VERSION} (host process on ${NODE_IP}:${METRICS_SERVER_PORT}, APIService v1beta1.metrics.k8s.io)"
  metrics_server_manifest > "${CONF}/metrics-server.yaml"
  kc apply -f "${CONF}/metrics-server.yaml" >/dev/null || die "could not create the metrics-server APIService/RBAC"
  start_daemon metrics-server "${B_MS}" \
    --bind-address "${NODE_IP}" --secure-port "${METRICS_SERVER_PORT}" \
    --tls-cert-file "${PKI}/metrics-server.crt" --tls-private-key-file "${PKI}/metrics-server.key" \
    --kubeconfig "${KCFG}/metrics-server.kubeconfig" \
    --authentication-kubeconfig "${KCFG}/metrics-server.kubeconfig" --authorization-kubeconfig "${KCFG}/metrics-server.kubeconfig" \
    --kubelet-preferred-address-types InternalIP --kubelet-certificate-authority "${PKI}/ca.crt" \
    --kubelet-client-certificate "${PKI}/metrics-server.crt" --kubelet-client-key "${PKI}/metrics-server.key" \
    --metric-resolution 15s
  # Resource metrics exist once the first scrape is in (about --metric-resolution after start).
  wait_daemon metrics-server "the resource metrics API (kubectl top node)" 120 kc top node "${NODE_NAME}"

  # KEDA: the external metrics API for the McpServer targets on bridge metrics (ScaledObjects; ADR 0106).
  # Its operator polls the scalers (Prometheus) and serves their values over gRPC (mutual TLS) to its
  # adapter, which the apiserver aggregates as v1beta1.external.metrics.k8s.io. No webhooks.
  # WATCH_NAMESPACE must be set; empty = all namespaces.
  log "KEDA ${KEDA_VERSION} (operator + metrics adapter, host processes on ${NODE_IP}; APIService v1beta1.external.metrics.k8s.io)"
  local kcfg; kcfg="$(keda_config_dir)"
  kc apply --server-side --force-conflicts -f "${kcfg}/crds.yaml" >/dev/null || die "could not apply KEDA's CRDs (${kcfg}/crds.yaml)"
  keda_manifest > "${CONF}/keda.yaml"
  kc apply -f "${CONF}/keda.yaml" >/dev/null || die "could not create KEDA's namespace/Service/APIService/RBAC"
  kc apply -f "${kcfg}/roles.yaml" >/dev/null || die "could not apply KEDA's roles (${kcfg}/roles.yaml)"
  write_keda_files
  WATCH_NAMESPACE="" KEDA_CLUSTER_OBJECT_NAMESPACE=keda POD_NAMESPACE=keda MCP_DAEMON_RESOLV_CONF="${KEDA_DIR}/resolv.conf" \
    start_daemon keda "${B_KEDA}" \
    --kubeconfig "${KCFG}/keda.kubeconfig" --leader-elect=false --metrics-bind-address 0 \
    --health-probe-bind-address "127.0.0.1:${KEDA_HEALTH_PORT}" --metrics-service-bind-address "${NODE_IP}:${KEDA_GRPC_PORT}" \
    --cert-dir "${KEDA_DIR}/certs" --zap-log-level info
  wait_daemon keda "KEDA operator /readyz" 60 curl -fsS "http://127.0.0.1:${KEDA_HEALTH_PORT}/readyz"
  WATCH_NAMESPACE="" KEDA_CLUSTER_OBJECT_NAMESPACE=keda POD_NAMESPACE=keda start_daemon keda-adapter "${B_KEDA_ADAPTER}" \
    --kubeconfig "${KCFG}/keda.kubeconfig" --lister-kubeconfig "${KCFG}/keda.kubeconfig" \
    --authentication-kubeconfig "${KCFG}/keda.kubeconfig" --authorization-kubeconfig "${KCFG}/keda.kubeconfig" \
    --bind-address "${NODE_IP}" --secure-port "${KEDA_ADAPTER_PORT}" --port "${KEDA_ADAPTER_METRICS_PORT}" \
    --tls-cert-file "${KEDA_DIR}/certs/tls.crt" --tls-private-key-file "${KEDA_DIR}/certs/tls.key" --cert-dir "${KEDA_DIR}/certs" \
    --metrics-service-address "${NODE_IP}:${KEDA_GRPC_PORT}" --zap-log-level info
  wait_daemon keda-adapter "the external metrics API (APIService v1beta1.external.metrics.k8s.io Available)" 120 \
    kc get --raw /apis/external.metrics.k8s.io/v1beta1

  log "cluster up in $((SECONDS - t0))s"
  finish
}

main "$@"
