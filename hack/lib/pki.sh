# shellcheck shell=bash
# Certificates, keys and kubeconfigs for the local cluster, made with openssl (ECDSA P-256: instant).
# Source after common.sh and cluster-env.sh.

_ossl() { openssl "$@" 2>/dev/null; }

# make_cert NAME SUBJECT [SAN] [serverAuth|clientAuth|both] [CA (default: ca)]
make_cert() {
  local name="$1" subj="$2" san="${3:-}" usage="${4:-clientAuth}" ca="${5:-ca}"
  [ -s "${PKI}/${name}.crt" ] && return 0
  local eku
  case "${usage}" in
    serverAuth) eku="serverAuth" ;; clientAuth) eku="clientAuth" ;; both) eku="serverAuth,clientAuth" ;;
  esac
  _ossl ecparam -name prime256v1 -genkey -noout -out "${PKI}/${name}.key"
  _ossl req -new -key "${PKI}/${name}.key" -subj "${subj}" -out "${PKI}/${name}.csr"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=${eku}"
    [ -n "${san}" ] && echo "subjectAltName=${san}"
  } > "${PKI}/${name}.ext"
  _ossl x509 -req -in "${PKI}/${name}.csr" -CA "${PKI}/${ca}.crt" -CAkey "${PKI}/${ca}.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "${PKI}/${name}.ext" -out "${PKI}/${name}.crt" \
    || die "openssl could not sign ${name}"
  rm -f "${PKI}/${name}.csr" "${PKI}/${name}.ext"
}

# make_kubeconfig FILE CERTNAME
make_kubeconfig() {
  local file="$1" cert="$2"
  [ -s "${file}" ] && return 0
  cat > "${file}" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mcp-local
  cluster:
    server: https://${NODE_IP}:${APISERVER_PORT}
    certificate-authority-data: $(base64 -w0 < "${PKI}/ca.crt")
users:
- name: ${cert}
  user:
    client-certificate-data: $(base64 -w0 < "${PKI}/${cert}.crt")
    client-key-data: $(base64 -w0 < "${PKI}/${cert}.key")
contexts:
- name: mcp-local
  context: {cluster: mcp-local, user: ${cert}}
current-context: mcp-local
EOF
  chmod 600 "${file}"
}

# make_ca NAME CN
make_ca() {
  local name="$1" cn="$2"
  [ -s "${PKI}/${name}.crt" ] && return 0
  _ossl ecparam -name prime256v1 -genkey -noout -out "${PKI}/${name}.key"
  _ossl req -x509 -new -key "${PKI}/${name}.key" -subj "/CN=${cn}" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "${PKI}/${name}.crt" || die "openssl could not make the CA ${name}"
}

make_pki() {
  mkdir -p "${PKI}" "${KCFG}"; chmod 700 "${PKI}"
  make_ca ca mcp-sidecar-local-ca
  # The aggregation layer (metrics-server behind an APIService): the apiserver proxies to it as
  # front-proxy-client, a name only the front-proxy CA (a CA of its own, as kubeadm does) can vouch for.
  make_ca front-proxy-ca mcp-sidecar-front-proxy-ca
  make_cert front-proxy-client "/CN=front-proxy-client" "" clientAuth front-proxy-ca
  make_cert metrics-server "/CN=system:metrics-server" \
    "DNS:metrics-server.kube-system.svc,DNS:metrics-server.kube-system.svc.${CLUSTER_DOMAIN},IP:${NODE_IP}" both
  # KEDA, one identity for its operator and its metrics adapter (upstream runs both as ServiceAccount
  # keda-operator): a client of the apiserver, the adapter's serving cert behind the APIService, and both
  # ends of the adapter->operator gRPC link (mutual TLS, this CA; the adapter dials the node IP).
  make_cert keda "/CN=mcp:keda" \
    "DNS:keda-metrics-apiserver.keda.svc,DNS:keda-metrics-apiserver.keda.svc.${CLUSTER_DOMAIN},DNS:keda-operator.keda.svc,DNS:keda-operator.keda.svc.${CLUSTER_DOMAIN},IP:${NODE_IP}" both
  make_cert apiserver "/CN=kube-apiserver" \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.${CLUSTER_DOMAIN},DNS:localhost,IP:127.0.0.1,IP:${KUBERNETES_SVC_IP},IP:${NODE_IP}" serverAuth
  make_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  make_cert admin "/O=system:masters/CN=mcp-admin"
  make_cert kube-controller-manager "/CN=system:kube-controller-manager"
  make_cert kube-scheduler "/CN=system:kube-scheduler"
  make_cert kubelet "/O=system:nodes/CN=system:node:${NODE_NAME}"
  make_cert kubelet-serving "/O=system:nodes/CN=system:node:${NODE_NAME}" "DNS:${NODE_NAME},IP:${NODE_IP}" serverAuth
  make_cert kube-proxy "/CN=system:kube-proxy"
  make_cert coredns "/CN=mcp:coredns"
  make_cert kube-router "/CN=mcp:kube-router"
  if [ ! -s "${PKI}/sa.key" ]; then
    _ossl ecparam -name prime256v1 -genkey -noout -out "${PKI}/sa.key"
    _ossl ec -in "${PKI}/sa.key" -pubout -out "${PKI}/sa.pub"
  fi
  local id
  for id in admin kube-controller-manager kube-scheduler kubelet kube-proxy coredns metrics-server kube-router keda; do
    make_kubeconfig "${KCFG}/${id}.kubeconfig" "${id}"
  done
  cp -f "${KCFG}/admin.kubeconfig" "${ADMIN_KUBECONFIG}"; chmod 600 "${ADMIN_KUBECONFIG}"
}
