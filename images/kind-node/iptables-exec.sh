#!/bin/sh
# Runs /usr/local/lib/kind-net/<name this was called by> with the iptables backend (legacy or nft) the
# kind node itself uses. The node's entrypoint picks one at boot and the kubelet writes its chains there;
# a host-network pod that wrote its rules to the other backend would have them evaluated in a separate
# table set, beside the kubelet's and not in order with them (upstream's kube-proxy image carries
# iptables-wrapper for the same reason; this is the same choice, made once at start).
set -eu
name="$(basename "$0")"
mode=""
# The kubelet creates these chains in the mangle table of the backend it uses, as a hint for containers.
for m in legacy nft; do
  if "iptables-${m}-save" -t mangle 2>/dev/null | grep -qE '^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY)'; then
    mode="${m}"; break
  fi
done
if [ -z "${mode}" ]; then
  # No kubelet chains yet: the backend holding more rules, as the node's entrypoint decides.
  legacy="$(iptables-legacy-save 2>/dev/null | grep -c '^-' || true)"
  nft="$(iptables-nft-save 2>/dev/null | grep -c '^-' || true)"
  if [ "${legacy:-0}" -ge "${nft:-0}" ]; then mode=legacy; else mode=nft; fi
fi
update-alternatives --set iptables "/usr/sbin/iptables-${mode}" >/dev/null
update-alternatives --set ip6tables "/usr/sbin/ip6tables-${mode}" >/dev/null
echo "iptables-exec: ${name} with iptables-${mode}" >&2
exec "/usr/local/lib/kind-net/${name}" "$@"
