#!/bin/sh
# Makes the ip route captures in this folder from a throw-away network namespace (run as root).
# iproute2 6.1.0, Linux 6.x. Re-running it rewrites the files; the addresses are fixed, so only an
# iproute2 with another output layout would change them.
set -eu
cd "$(dirname "$0")"
N="nsnap-ipr-$$"
ip netns add "$N"
trap 'ip netns del "$N"' EXIT
ip -n "$N" link set lo up
ip -n "$N" link add a0 type veth peer name a1
ip -n "$N" link add b0 type veth peer name b1
for l in a0 a1 b0 b1; do ip -n "$N" link set "$l" up; done
ip -n "$N" addr add 10.77.0.1/24 dev a0
ip -n "$N" addr add 10.78.0.1/24 dev b0
ip -n "$N" -6 addr add 2001:db8:77::1/64 dev a0 nodad
sleep 1
ip -n "$N" route add default via 10.77.0.2
ip -n "$N" route add 10.9.0.0/16 nexthop via 10.77.0.3 dev a0 weight 1 nexthop via 10.78.0.3 dev b0 weight 2
ip -n "$N" route add 10.50.0.0/16 via 10.78.0.9 table 100
ip -n "$N" -6 route add default via 2001:db8:77::2
ip -n "$N" -6 route add 2001:db8:99::/48 nexthop via 2001:db8:77::3 dev a0 weight 1 nexthop via 2001:db8:77::4 dev a0 weight 3
ip -n "$N" route show table all > route-table-all.txt
ip -n "$N" -o route show table all > route-o-table-all.txt
ip -n "$N" -6 route > route-6.txt
ip -n "$N" -j -4 route show table all > route-j-4-table-all.json
ip -n "$N" -j -6 route show table all > route-j-6-table-all.json
