#!/usr/bin/env bash
# A private control plane for the operator benchmark (envtest style): etcd + kube-apiserver (+ optionally
# kube-controller-manager) on loopback ports of their own, state in $DIR, so the numbers are not mixed with
# other work on a shared cluster (another operator installed by Helm would reconcile the same objects).
#   eval "$(bash bench/operator-apiserver.sh up | tail -1)"    # prints: export KUBECONFIG=...
#   bash bench/operator-apiserver.sh down
# Binaries: $BIN_DIR (default /var/cache/mcp-sidecar/bin, as built by hack/build-binaries.sh) or PATH.
set -euo pipefail
DIR="${DIR:-/tmp/mcp-op-bench-cp}"
BIN_DIR="${BIN_DIR:-/var/cache/mcp-sidecar/bin}"
ETCD_PORT="${ETCD_PORT:-23790}"
API_PORT="${API_PORT:-16443}"
WITH_KCM="${WITH_KCM:-1}"

# shellcheck disable=SC2012  # versioned binary names, no odd characters
bin() { local b; b="$(ls "${BIN_DIR}/$1"-v* 2>/dev/null | sort -V | tail -1 || true)"; [ -n "$b" ] && echo "$b" || command -v "$1"; }
log() { printf '[op-cp] %s\n' "$*" >&2; }

up() {
  mkdir -p "$DIR/pki" "$DIR/logs"
  cd "$DIR/pki"
  if [ ! -s ca.crt ]; then
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -subj /CN=op-bench-ca -days 30 -out ca.crt 2>/dev/null
    cert() { # name subject [san]
      openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null
      openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
      if [ -n "${3:-}" ]; then printf 'subjectAltName=%s\n' "$3" > "$1.ext"; else : > "$1.ext"; fi
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    }
    cert apiserver /CN=kube-apiserver "IP:127.0.0.1,DNS:localhost"
    cert admin "/O=system:masters/CN=op-bench-admin"
    openssl ecparam -name prime256v1 -genkey -noout -out sa.key 2>/dev/null
    openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null
  fi
  cat > "$DIR/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: op-bench
  cluster: {server: "https://127.0.0.1:${API_PORT}", certificate-authority: "$DIR/pki/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$DIR/pki/admin.crt", client-key: "$DIR/pki/admin.key"}
contexts:
- name: op-bench
  context: {cluster: op-bench, user: admin}
current-context: op-bench
KC
  if ! [ -s "$DIR/etcd.pid" ] || ! kill -0 "$(cat "$DIR/etcd.pid")" 2>/dev/null; then
    "$(bin etcd)" --name op-bench --data-dir "$DIR/etcd" --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" \
      --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 10))" \
      --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 10))" --initial-cluster "op-bench=http://127.0.0.1:$((ETCD_PORT + 10))" \
      --listen-metrics-urls "http://127.0.0.1:$((ETCD_PORT + 20))" >"$DIR/logs/etcd.log" 2>&1 &
    echo $! > "$DIR/etcd.pid"
  fi
  if ! [ -s "$DIR/apiserver.pid" ] || ! kill -0 "$(cat "$DIR/apiserver.pid")" 2>/dev/null; then
    "$(bin kube-apiserver)" --etcd-servers "http://127.0.0.1:${ETCD_PORT}" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
      --secure-port "${API_PORT}" --client-ca-file "$DIR/pki/ca.crt" --tls-cert-file "$DIR/pki/apiserver.crt" \
      --tls-private-key-file "$DIR/pki/apiserver.key" --service-account-key-file "$DIR/pki/sa.pub" \
      --service-account-signing-key-file "$DIR/pki/sa.key" --service-account-issuer https://kubernetes.default.svc \
      --service-cluster-ip-range 10.97.0.0/16 --authorization-mode RBAC >"$DIR/logs/apiserver.log" 2>&1 &
    echo $! > "$DIR/apiserver.pid"
  fi
  for _ in $(seq 1 120); do
    KUBECONFIG="$DIR/kubeconfig" "$(bin kubectl)" get --raw /readyz >/dev/null 2>&1 && break
    sleep 0.5
  done
  KUBECONFIG="$DIR/kubeconfig" "$(bin kubectl)" get --raw /readyz >/dev/null || { log "apiserver not ready; see $DIR/logs"; exit 1; }
  if [ "${WITH_KCM}" = 1 ] && { ! [ -s "$DIR/kcm.pid" ] || ! kill -0 "$(cat "$DIR/kcm.pid")" 2>/dev/null; }; then
    "$(bin kube-controller-manager)" --kubeconfig "$DIR/kubeconfig" --bind-address 127.0.0.1 --secure-port 0 \
      --leader-elect=false --controllers 'deployment,replicaset,garbagecollector,resourcequota,namespace,serviceaccount' \
      --service-account-private-key-file "$DIR/pki/sa.key" --root-ca-file "$DIR/pki/ca.crt" >"$DIR/logs/kcm.log" 2>&1 &
    echo $! > "$DIR/kcm.pid"
  fi
  log "control plane ready (apiserver https://127.0.0.1:${API_PORT}, logs in $DIR/logs)"
  echo "export KUBECONFIG=$DIR/kubeconfig"
}

down() {
  local p
  local p pid
  for p in kcm apiserver etcd; do
    [ -s "$DIR/$p.pid" ] || continue
    pid="$(cat "$DIR/$p.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$DIR/$p.pid"
  done
  rm -rf "$DIR"
}

case "${1:-up}" in up) up ;; down) down ;; *) echo "usage: $0 up|down" >&2; exit 2 ;; esac
