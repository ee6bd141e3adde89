#!/usr/bin/env bash
# Applies the samples (samples/k8s/*.yaml) into one namespace labelled PodSecurity "restricted" (enforce),
# with the storage the memory sample needs, against the current KUBECONFIG.
#
#   samples/apply.sh [NAMESPACE]          (default mcp-samples)
#
# Storage for memory's PVC (memory-data): with MCP_SAMPLES_STORAGE_CLASS=<class> the PVC uses that class
# (dynamic provisioning, e.g. "standard" on kind). Otherwise a hostPath PersistentVolume is created,
# pre-bound to this namespace's claim: ${MCP_SAMPLES_HOSTPATH:-/var/lib/mcp-sidecar-samples}/<ns>/memory on
# the node. Its directory must be writable by uid 65532: this script creates it when the node is this
# machine (the local cluster from hack/cluster-up.sh); elsewhere create it on the node first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ns="${1:-mcp-samples}"
kubectl="${KUBECTL:-kubectl}"
class="${MCP_SAMPLES_STORAGE_CLASS:-}"
hostroot="${MCP_SAMPLES_HOSTPATH:-/var/lib/mcp-sidecar-samples}"

"${kubectl}" create namespace "${ns}" --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
"${kubectl}" label namespace "${ns}" --overwrite \
  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest \
  pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted >/dev/null

if [ -n "${class}" ]; then
  "${kubectl}" apply -n "${ns}" -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: memory-data }
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${class}
  resources: { requests: { storage: 64Mi } }
YAML
else
  dir="${hostroot}/${ns}/memory"
  # The node is this machine when one of its InternalIPs is a local address.
  node_ips="$("${kubectl}" get nodes -o jsonpath='{range .items[*]}{.status.addresses[?(@.type=="InternalIP")].address}{" "}{end}')"
  local_node=""
  for ip in ${node_ips}; do
    if ip -o addr show 2>/dev/null | grep -q " ${ip}/"; then local_node=1; fi
  done
  if [ -n "${local_node}" ]; then
    install -d -m 0755 "${hostroot}" "${hostroot}/${ns}" && install -d -o 65532 -g 65532 -m 0700 "${dir}"
  else
    echo "samples/apply.sh: the node is not this machine: make ${dir} (owner 65532) on it, or set MCP_SAMPLES_STORAGE_CLASS" >&2
  fi
  # A Retain PV whose claim was deleted (namespace removed) is Released and binds nothing: free it again.
  if [ "$("${kubectl}" get pv "mcp-samples-memory-${ns}" -o jsonpath='{.status.phase}' 2>/dev/null)" = Released ]; then
    "${kubectl}" patch pv "mcp-samples-memory-${ns}" --type json \
      -p '[{"op":"remove","path":"/spec/claimRef/uid"},{"op":"remove","path":"/spec/claimRef/resourceVersion"}]' >/dev/null
  fi
  "${kubectl}" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata:
  name: mcp-samples-memory-${ns}
  labels: { app.kubernetes.io/part-of: mcp-sidecar-samples }
spec:
  capacity: { storage: 64Mi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  claimRef: { namespace: ${ns}, name: memory-data }
  hostPath: { path: ${dir}, type: DirectoryOrCreate }
YAML
  "${kubectl}" apply -n "${ns}" -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: memory-data }
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: mcp-samples-memory-${ns}
  resources: { requests: { storage: 64Mi } }
YAML
fi
"${kubectl}" apply -n "${ns}" -f "${here}/k8s/"
