#!/bin/bash
# Makes the captures in this folder from a throw-away network namespace (run as root):
# policy rules, neighbours (a FAILED one included), route attributes, sysctls, qdiscs with
# traffic and drops, an nftables ruleset and iptables rules (nft-based and legacy).
# iproute2 6.1.0, nftables 1.0.6, iptables 1.8.9, Linux 6.x. Re-running rewrites the files; the
# addresses are fixed, counters and timers (expires, boot-specific sysctls) differ per run.
set -eu
cd "$(dirname "$0")"
N="nsnap-fix-$$"
ip netns add "$N"
trap 'ip netns del "$N"' EXIT
inns() { ip netns exec "$N" "$@"; }
# The kernel's default rules of a fresh namespace, before any is added: an `ip -6 rule` listing
# that names no address (0 local, 32766 main, no 32767 default rule as IPv4 has).
inns ip rule >ip-rule-default.txt
inns ip -6 rule >ip-6-rule-default.txt
inns ip -j rule >ip-j-rule-default.json
inns ip -j -6 rule >ip-j-6-rule-default.json
ip -n "$N" link set lo up
ip -n "$N" link add v0 type veth peer name v1
ip -n "$N" link add w0 type veth peer name w1
for l in v0 v1 w0 w1; do ip -n "$N" link set "$l" up; done
ip -n "$N" addr add 10.77.0.1/24 dev v0
ip -n "$N" addr add 10.77.1.1/24 dev w0
ip -n "$N" -6 addr add fd00:77::1/64 dev v0 nodad
# Route attributes.
ip -n "$N" route add 10.78.0.0/24 via 10.77.0.2 mtu 1300 advmss 1260 hoplimit 12 initcwnd 10 initrwnd 20 realms 5 rtt 10ms rttvar 5ms
ip -n "$N" route add 10.79.0.0/24 via 10.77.0.2 dev v0 mtu lock 1400 onlink
ip -n "$N" route add 10.80.0.0/24 nexthop via 10.77.0.2 weight 3 nexthop via 10.77.0.3 weight 1
ip -n "$N" route add 10.82.0.0/24 dev v0 table 100 quickack 1 congctl cubic features ecn ssthresh 20 window 10000 reordering 3
ip -n "$N" route add blackhole 10.81.0.0/24 table 100 metric 5
ip -n "$N" -6 route add fd00:78::/64 via fd00:77::2 pref high expires 600
# Policy rules of every shape ip prints.
ip -n "$N" rule add from 10.77.6.0/24 lookup 100 pref 1000
ip -n "$N" rule add not to 10.0.0.0/8 fwmark 0x10/0xff iif v0 lookup 200 pref 1001
ip -n "$N" rule add uidrange 1000-2000 ipproto tcp dport 80-90 sport 1024 lookup main suppress_prefixlength 0 pref 1002
ip -n "$N" rule add from 10.9.0.0/16 blackhole pref 1003
ip -n "$N" rule add from 10.9.1.0/24 prohibit pref 1004
ip -n "$N" rule add to 10.9.2.0/24 unreachable pref 1005
ip -n "$N" rule add from all goto 1010 pref 1006
ip -n "$N" rule add from all nop pref 1010
ip -n "$N" rule add tos 0x10 oif v1 l3mdev pref 1011
ip -n "$N" rule add iif v1 oif v0 table 300 pref 1012
ip -n "$N" rule add fwmark 0x7 realms 3/4 lookup 400 pref 1013
ip -n "$N" -6 rule add from fd00:1::/64 lookup 100 pref 2000
# Neighbours: static, cache, router, proxy, and one that fails to resolve.
ip -n "$N" neigh add 10.77.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
ip -n "$N" neigh add 10.77.0.3 lladdr 02:00:00:00:00:03 dev v0 nud stale
ip -n "$N" neigh add 10.77.0.4 lladdr 02:00:00:00:00:04 dev v0 nud reachable router
ip -n "$N" neigh add fd00:77::2 lladdr 02:00:00:00:00:12 dev v0 router nud stale
ip -n "$N" neigh add proxy 10.77.0.50 dev v0
inns bash -c 'echo x > /dev/udp/10.77.0.9/9'
for _ in $(seq 100); do ip -n "$N" neigh show 10.77.0.9 | grep -q FAILED && break; sleep 0.1; done
# Queueing: tbf, pfifo, htb with a bfifo leaf, ingress; traffic through tbf so it drops.
tc -n "$N" qdisc add dev v0 root handle 1: tbf rate 1mbit burst 32kbit latency 400ms
tc -n "$N" qdisc add dev v1 root pfifo limit 3
tc -n "$N" qdisc add dev w0 root handle 1: htb default 10
tc -n "$N" class add dev w0 parent 1: classid 1:10 htb rate 1mbit
tc -n "$N" qdisc add dev w0 parent 1:10 handle 10: bfifo limit 30000
tc -n "$N" qdisc add dev v0 ingress
inns bash -c 'p=$(head -c 1200 /dev/zero | tr "\0" x); for i in $(seq 300); do echo "$p" > /dev/udp/10.77.0.2/9; done' || true
# A firewall: nftables, iptables over nf_tables, and legacy iptables.
inns nft -f - <<'NFT'
table inet filter {
	set blocked {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8, 192.168.1.5 }
	}
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		ct state invalid counter drop
		tcp dport 22 accept comment "ssh"
		tcp dport { 80, 443 } counter accept
		ip saddr @blocked drop
		ip6 nexthdr ipv6-icmp accept
		tcp dport 8080 reject with tcp reset
		udp dport 5353-5360 drop
		jump extra
	}
	chain extra {
		tcp dport 9000 drop
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
	}
}
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat + 10; policy accept;
		oifname "v0" masquerade
	}
}
NFT
inns iptables -A INPUT -i lo -j ACCEPT
inns iptables -A INPUT -p tcp --dport 2222 -j DROP
inns iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
inns iptables -A INPUT -s 10.1.0.0/16 -p udp -m multiport --dports 53,123 -j REJECT --reject-with icmp-port-unreachable
inns iptables -N MYCHAIN
inns iptables -A MYCHAIN -j LOG --log-prefix "x y "
inns iptables -P FORWARD DROP
inns ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT
inns iptables-legacy -A INPUT -p tcp --dport 3333 -j REJECT
inns iptables-legacy -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.77.0.2:8080
inns bash -c 'echo x > /dev/udp/127.0.0.1/3333' || true

ip -n "$N" rule > ip-rule.txt
ip -n "$N" -6 rule > ip-6-rule.txt
ip -n "$N" -j rule > ip-j-rule.json
ip -n "$N" -j -6 rule > ip-j-6-rule.json
ip -n "$N" neigh > ip-neigh.txt
ip -n "$N" neigh show proxy > ip-neigh-proxy.txt
ip -n "$N" -j neigh > ip-j-neigh.json
ip -n "$N" -j neigh show proxy > ip-j-neigh-proxy.json
inns arp -an > arp-an.txt
inns cat /proc/net/arp > proc-net-arp.txt
ip -n "$N" route show table all > ip-route-table-all.txt
ip -n "$N" -j -4 route show table all > ip-j-4-route-table-all.json
ip -n "$N" -j -6 route show table all > ip-j-6-route-table-all.json
inns sysctl -a > sysctl-a.txt 2>/dev/null
tc -n "$N" -s qdisc > tc-s-qdisc.txt
tc -n "$N" qdisc > tc-qdisc.txt
tc -n "$N" -j -s qdisc > tc-j-s-qdisc.json
inns nft list ruleset > nft-list-ruleset.txt 2>/dev/null
inns nft -a list ruleset > nft-a-list-ruleset.txt 2>/dev/null
inns nft -j list ruleset > nft-j-list-ruleset.json 2>/dev/null
inns iptables-save > iptables-save.txt
inns iptables-save -c > iptables-save-c.txt
inns ip6tables-save -c > ip6tables-save-c.txt
inns iptables-legacy-save -c > iptables-legacy-save-c.txt
