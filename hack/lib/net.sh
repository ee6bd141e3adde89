# shellcheck shell=bash
# Host networking for the local cluster: node IP on lo, sysctls, the egress safety net, and cleanup.
# Source after cluster-env.sh.

egress_dev() { ip route show default 2>/dev/null | awk '{for (i=1;i<NF;i++) if ($i=="dev") {print $(i+1); exit}}'; }

# Nameservers the host itself uses (may be in a private range, e.g. 10.255.255.53): the safety net
# must let the HOST reach them, or apt/npm/go and CoreDNS's upstream stop resolving.
host_nameservers() { awk '$1=="nameserver" && $2 ~ /^[0-9.]+$/ {print $2}' /etc/resolv.conf 2>/dev/null; }

# The kernel has no dummy driver, and the kubelet refuses a loopback node IP: an address on lo.
add_node_ip() {
  ip -4 addr show dev lo | grep -qw "${NODE_IP}/32" || ip addr add "${NODE_IP}/32" dev lo \
    || die "could not add ${NODE_IP}/32 to lo"
}
del_node_ip() { ip -4 addr show dev lo | grep -qw "${NODE_IP}/32" && ip addr del "${NODE_IP}/32" dev lo || true; }

set_sysctls() {
  mkdir -p "${STATE}"
  local key cur
  for key in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables; do
    cur="$(sysctl -n "${key}" 2>/dev/null || echo)"
    # Remember the first value we saw, to restore it on cluster-down.
    grep -q "^${key}=" "${STATE}/sysctl.orig" 2>/dev/null || echo "${key}=${cur}" >> "${STATE}/sysctl.orig"
    [ "${cur}" = 1 ] || sysctl -qw "${key}=1" || die "could not set ${key}=1"
  done
}

restore_sysctls() {
  [ -s "${STATE}/sysctl.orig" ] || return 0
  local line key val
  while IFS= read -r line; do
    key="${line%%=*}"; val="${line#*=}"
    [ -n "${val}" ] && sysctl -qw "${key}=${val}" 2>/dev/null || true
  done < "${STATE}/sysctl.orig"
}

# Safety net: nothing addressed to a private range may leave through the egress interface
# (an unmatched Service IP would otherwise follow the default route). The host's own DNS is exempt.
#  - mangle POSTROUTING DROP: the catch-all; there -o and -d are final (after DNAT and rerouting).
#  - filter FORWARD / OUTPUT REJECT: fail fast instead of hanging. In OUTPUT, -o is the device chosen
#    BEFORE kube-proxy's DNAT (host -> ClusterIP first routes to eth0), so DNATed packets are left to
#    the POSTROUTING rule, or host -> ClusterIP would be rejected.
safety_net_rules() {  # prints "TABLE CHAIN rule-args..." lines; each is inserted at the top, in order
  local dev; dev="$(egress_dev)"
  [ -n "${dev}" ] || return 0
  local cidr ns c="-m comment --comment ${SAFETY_NET_COMMENT// /_}"
  for cidr in "${SAFETY_NET_CIDRS[@]}"; do
    echo "mangle POSTROUTING -o ${dev} -d ${cidr} ${c} -j DROP"
    echo "filter FORWARD -o ${dev} -d ${cidr} ${c} -j REJECT"
    echo "filter OUTPUT -o ${dev} -d ${cidr} -m conntrack ! --ctstate DNAT ${c} -j REJECT"
  done
  for ns in $(host_nameservers); do
    for proto in udp tcp; do
      echo "mangle POSTROUTING -o ${dev} -d ${ns}/32 -p ${proto} --dport 53 -m addrtype --src-type LOCAL ${c} -j ACCEPT"
      echo "filter OUTPUT -o ${dev} -d ${ns}/32 -p ${proto} --dport 53 ${c} -j ACCEPT"
    done
  done
}

add_safety_net() {
  local table chain rest
  while read -r table chain rest; do
    # shellcheck disable=SC2086
    iptables -w -t "${table}" -C "${chain}" ${rest} 2>/dev/null || iptables -w -t "${table}" -I "${chain}" 1 ${rest} \
      || die "could not add the iptables safety net (${table} ${chain} ${rest})"
  done < <(safety_net_rules)
}

# Remove every rule carrying our comment (whatever the egress device was when it was added).
del_safety_net() {
  local table chain line
  for table in filter mangle; do
    for chain in OUTPUT FORWARD POSTROUTING; do
      while line="$(iptables -w -t "${table}" -S "${chain}" 2>/dev/null | grep -m1 -- "${SAFETY_NET_COMMENT// /_}")" && [ -n "${line}" ]; do
        # shellcheck disable=SC2086
        iptables -w -t "${table}" ${line/-A /-D } || break
      done
    done
  done
}

# Remove chains (and the rules jumping to them) whose names match a pattern, in all tables.
# del_chains IPTABLES REGEX
del_chains() {
  local ipt="$1" re="$2" table chain rule
  for table in filter nat mangle raw; do
    "${ipt}" -w -t "${table}" -S >/dev/null 2>&1 || continue
    # Rules in any chain that jump to a matching chain.
    while IFS= read -r rule; do
      # iptables -S quotes comments shell-style ("name: \"x\""): eval re-parses them.
      eval "\"\${ipt}\" -w -t \"\${table}\" ${rule/-A /-D }" 2>/dev/null || true
    done < <("${ipt}" -w -t "${table}" -S 2>/dev/null | grep -E "^-A .* -j (${re})( |$)" || true)
    local chains
    chains="$("${ipt}" -w -t "${table}" -S 2>/dev/null | awk '$1=="-N" {print $2}' | grep -E "^(${re})$" || true)"
    for chain in ${chains}; do "${ipt}" -w -t "${table}" -F "${chain}" 2>/dev/null || true; done
    for chain in ${chains}; do "${ipt}" -w -t "${table}" -X "${chain}" 2>/dev/null || true; done
  done
}
