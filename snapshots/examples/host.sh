# Sourced by make.sh and make-series.sh: the example host, a throw-away network namespace named
# $ns with loopback, a veth pair eth0/eth1, 10.20.0.5/24 on eth0 and a default route; removed
# with every process in it when the script exits. Defines in_ns and the nsnap command line.
nsnap=(node_modules/.bin/deno run -A --quiet mod.ts)
cleanup() {
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$ns"
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns ip link add eth0 type veth peer name eth1
in_ns ip link set eth0 up
in_ns ip link set eth1 up
in_ns ip addr add 10.20.0.5/24 dev eth0
in_ns ip route add default via 10.20.0.1
