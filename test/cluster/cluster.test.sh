#!/usr/bin/env bash
# Acceptance test of the local cluster that hack/cluster-up.sh brings up (it brings it up if needed).
#   - node Ready
#   - a Deployment from a locally built image with a NATIVE sidecar (initContainers[].restartPolicy:
#     Always) runs, and data crosses the shared emptyDir in both directions
#   - a ClusterIP Service answers from a pod by DNS name (FQDN and short names) and from the host by ClusterIP
#   - a pod reaches the apiserver through the kubernetes Service
#   - a namespace labelled pod-security.kubernetes.io/enforce=restricted rejects a privileged pod
# Waits on conditions (kubectl wait / polling with deadlines), never on bare sleeps.
# Last line: "N passed, M failed"; exit status non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
HACK=hack
# shellcheck source=hack/lib/common.sh
. "${HACK}/lib/common.sh"
# shellcheck source=hack/lib/cluster-env.sh
. "${HACK}/lib/cluster-env.sh"

PASSED=0; FAILED=0
ok()   { PASSED=$((PASSED + 1)); printf 'ok   - %s\n' "$*"; }
nok()  { FAILED=$((FAILED + 1)); printf 'FAIL - %s\n' "$*"; }
check() { local what="$1"; shift; if "$@"; then ok "${what}"; else nok "${what}"; fi; }
finish() {
  echo "${PASSED} passed, ${FAILED} failed"
  [ "${FAILED}" -eq 0 ]
  exit $?
}

# Poll CMD until it succeeds or DEADLINE seconds pass: poll SECONDS CMD...
poll() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "${SECONDS}" -ge "${deadline}" ] && return 1
    sleep 0.5
  done
}

# --- cluster -------------------------------------------------------------------------------------
if ! up_out="$(bash "${HACK}/cluster-up.sh")"; then
  nok "hack/cluster-up.sh brings up the cluster"; finish
fi
eval "$(tail -1 <<<"${up_out}")"
[ -n "${KUBECONFIG:-}" ] || { nok "cluster-up's last line exports KUBECONFIG"; finish; }
ok "cluster-up's last line exports KUBECONFIG (${KUBECONFIG})"
KUBECTL="$(bin_path kubectl "${K8S_VERSION}")"
k() { "${KUBECTL}" "$@"; }

IMAGE="localhost/mcp-test-servers:local"
if ! ctr -a "${CONTAINERD_SOCK}" -n k8s.io images ls -q | grep -qx "${IMAGE}"; then
  echo "# ${IMAGE} not in the cluster yet: building it (hack/images.sh test-servers)"
  bash "${HACK}/images.sh" test-servers >&2 || { nok "hack/images.sh test-servers"; finish; }
fi

NS="mcp-cluster-test-$$"
NS_PSA="mcp-cluster-test-psa-$$"
cleanup() { k delete namespace "${NS}" "${NS_PSA}" --wait=false --ignore-not-found >/dev/null 2>&1 || true; }
trap cleanup EXIT

check "node ${NODE_NAME} is Ready" k wait --for=condition=Ready "node/${NODE_NAME}" --timeout=120s

k create namespace "${NS}" >/dev/null
poll 60 k get serviceaccount default -n "${NS}" || nok "default ServiceAccount appears in ${NS}"

# --- native sidecar + shared emptyDir -------------------------------------------------------------
# The sidecar (init container, restartPolicy: Always) writes /shared/from-sidecar and serves nothing;
# the main container starts only after the sidecar's startupProbe passed (native sidecar ordering),
# reads that file, writes /shared/from-main, and answers HTTP on 8080 with what it read.
cat <<EOF | k apply -n "${NS}" -f - >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      terminationGracePeriodSeconds: 2
      securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
      volumes: [{name: shared, emptyDir: {}}]
      initContainers:
      - name: sidecar
        image: ${IMAGE}
        imagePullPolicy: Never
        restartPolicy: Always
        command: [node, -e]
        args:
        - |
          const fs = require("fs");
          fs.writeFileSync("/shared/from-sidecar", "sidecar-of-" + process.env.POD_NAME);
          process.on("SIGTERM", () => process.exit(0));
          setInterval(() => {}, 1 << 30);
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        startupProbe: {exec: {command: [test, -s, /shared/from-sidecar]}, periodSeconds: 1, failureThreshold: 60}
        volumeMounts: [{name: shared, mountPath: /shared}]
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      containers:
      - name: main
        image: ${IMAGE}
        imagePullPolicy: Never
        command: [node, -e]
        args:
        - |
          const fs = require("fs"), http = require("http");
          const fromSidecar = fs.readFileSync("/shared/from-sidecar", "utf8");
          fs.writeFileSync("/shared/from-main", "main-of-" + process.env.POD_NAME);
          http.createServer((req, res) => res.end("main read [" + fromSidecar + "]\n")).listen(8080);
          process.on("SIGTERM", () => process.exit(0));
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
        volumeMounts: [{name: shared, mountPath: /shared}]
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: client
    image: ${IMAGE}
    imagePullPolicy: Never
    command: [node, -e, 'process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1 << 30)']
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
EOF

if check "Deployment with a native sidecar rolls out (2/2)" k rollout status deployment/echo -n "${NS}" --timeout=180s; then
  POD="$(k get pods -n "${NS}" -l app=echo -o jsonpath='{.items[0].metadata.name}')"
  check "the sidecar is an init container with restartPolicy Always" \
    test "$(k get pod "${POD}" -n "${NS}" -o jsonpath='{.spec.initContainers[0].restartPolicy}')" = Always
  check "the sidecar keeps running beside the main container (started, running)" \
    test "$(k get pod "${POD}" -n "${NS}" -o jsonpath='{.status.initContainerStatuses[0].started}/{.status.initContainerStatuses[0].state.running.startedAt}' | cut -c1-5)" = "true/"
  check "data crosses the emptyDir: sidecar -> main" \
    test "$(k exec -n "${NS}" "${POD}" -c main -- cat /shared/from-sidecar)" = "sidecar-of-${POD}"
  check "data crosses the emptyDir: main -> sidecar" \
    test "$(k exec -n "${NS}" "${POD}" -c sidecar -- cat /shared/from-main)" = "main-of-${POD}"
  check "kubectl logs works" k logs -n "${NS}" "${POD}" -c main
else
  k describe pods -n "${NS}" -l app=echo | tail -30
fi

# --- Service by DNS name from a pod, by ClusterIP from the host ------------------------------------
check "client pod is Ready" k wait --for=condition=Ready pod/client -n "${NS}" --timeout=120s
fetch_from_pod() {  # fetch_from_pod URL: prints the body, fails on error
  k exec -n "${NS}" client -- node -e '
    fetch(process.argv[1], {signal: AbortSignal.timeout(5000)})
      .then(async (r) => { if (!r.ok) throw new Error("HTTP " + r.status); process.stdout.write(await r.text()); })
      .catch((e) => { console.error(String(e)); process.exit(1); });' "$1"
}
answers() { fetch_from_pod "$1" | grep -q '^main read \[sidecar-of-echo-'; }
for name in "echo.${NS}.svc.${CLUSTER_DOMAIN}" "echo.${NS}.svc" "echo.${NS}" echo; do
  check "Service answers a pod at http://${name}/" poll 30 answers "http://${name}/"
done
check "a pod resolves kubernetes.default and reaches the apiserver through its Service" \
  poll 30 k exec -n "${NS}" client -- node -e '
    const https = require("https"), fs = require("fs"), d = "/var/run/secrets/kubernetes.io/serviceaccount/";
    https.get("https://kubernetes.default.svc/version", {ca: fs.readFileSync(d + "ca.crt"),
      headers: {Authorization: "Bearer " + fs.readFileSync(d + "token", "utf8")}, timeout: 5000}, (r) => {
      let b = ""; r.on("data", (c) => (b += c)); r.on("end", () => process.exit(r.statusCode === 200 && JSON.parse(b).gitVersion ? 0 : 1));
    }).on("error", (e) => { console.error(String(e)); process.exit(1); });'
CLUSTER_IP="$(k get service echo -n "${NS}" -o jsonpath='{.spec.clusterIP}')"
host_answers() { curl -fsS --max-time 5 "http://${CLUSTER_IP}/" | grep -q '^main read \[sidecar-of-echo-'; }
check "Service answers the host at its ClusterIP ${CLUSTER_IP}" poll 30 host_answers
# Both replicas serve through the Service (kube-proxy spreads connections at random).
seen_both() {
  local out=""
  for _ in $(seq 1 40); do out+="$(curl -fsS --max-time 5 "http://${CLUSTER_IP}/")"$'\n'; done
  [ "$(grep -o 'sidecar-of-echo-[a-z0-9-]*' <<<"${out}" | sort -u | wc -l)" -eq 2 ]
}
check "the ClusterIP spreads over both replicas" seen_both

# --- resource metrics (metrics-server behind the aggregation layer) ----------------------------------
check "the APIService v1beta1.metrics.k8s.io is Available" \
  k wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=60s
# Pods appear once metrics-server has scraped the kubelet after they started (--metric-resolution 15s).
top_lists_echo() { [ "$(k top pods -n "${NS}" --no-headers 2>/dev/null | grep -c '^echo-')" -eq 2 ]; }
check "kubectl top pods shows both echo pods" poll 90 top_lists_echo

# --- external metrics (KEDA: operator + adapter, host daemons) ---------------------------------------
check "the APIService v1beta1.external.metrics.k8s.io (KEDA's adapter) is Available" \
  k wait --for=condition=Available apiservice/v1beta1.external.metrics.k8s.io --timeout=60s
check "KEDA's ScaledObject CRD is established" k wait --for=condition=Established crd/scaledobjects.keda.sh --timeout=30s
k apply -n "${NS}" -f - >/dev/null <<EOF
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: echo}
spec:
  scaleTargetRef: {name: echo}
  minReplicaCount: 2
  maxReplicaCount: 3
  triggers:
  - {type: cpu, metricType: Utilization, metadata: {value: "90"}}
EOF
keda_hpa() { [ "$(k get hpa keda-hpa-echo -n "${NS}" -o jsonpath='{.spec.scaleTargetRef.name}' 2>/dev/null)" = echo ]; }
check "KEDA's operator turns a ScaledObject into its HPA (keda-hpa-echo)" poll 60 keda_hpa

# --- PodSecurity admission --------------------------------------------------------------------------
k create namespace "${NS_PSA}" >/dev/null
k label namespace "${NS_PSA}" pod-security.kubernetes.io/enforce=restricted >/dev/null
privileged_pod() {
  cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: privileged}
spec:
  containers:
  - name: c
    image: ${IMAGE}
    imagePullPolicy: Never
    securityContext: {privileged: true}
EOF
}
if out="$(privileged_pod | k apply -n "${NS_PSA}" -f - 2>&1)"; then
  nok "a restricted namespace rejects a privileged pod (it was accepted: ${out})"
else
  check "a restricted namespace rejects a privileged pod (PodSecurity)" grep -q 'violates PodSecurity "restricted' <<<"${out}"
fi
restricted_ok() {
  cat <<EOF | k apply --dry-run=server -n "${NS_PSA}" -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: compliant}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: ${IMAGE}
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
EOF
}
check "the same namespace accepts a compliant pod" restricted_ok

finish
