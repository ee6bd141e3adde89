# The kind node's network images, one image under two names (hack/kind-images.sh tags it):
#   registry.k8s.io/kube-proxy:<K8S_VERSION>  kubeadm's kube-proxy DaemonSet runs /usr/local/bin/kube-proxy
#   localhost/kind-net:local                   default-cni.yaml: the CNI config + kube-router's NetworkPolicy controller
# Both binaries come from hack/lib/build.sh's cache; iptables, ipset and conntrack from Debian.
# Context: kube-proxy, kube-router (binaries) and iptables-exec.sh (this directory's).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables ipset conntrack \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
COPY kube-proxy kube-router /usr/local/lib/kind-net/
COPY iptables-exec.sh /usr/local/lib/kind-net/iptables-exec.sh
# The names the manifests run are the wrapper: it picks the node's iptables backend first.
RUN chmod 0755 /usr/local/lib/kind-net/* \
 && ln -s /usr/local/lib/kind-net/iptables-exec.sh /usr/local/bin/kube-proxy \
 && ln -s /usr/local/lib/kind-net/iptables-exec.sh /usr/local/bin/kube-router
