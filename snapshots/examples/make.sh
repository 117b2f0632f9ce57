#!/usr/bin/env bash
# Rebuilds before.json and after.json: a small "deploy" inside a throw-away network namespace.
# Before: a web app on 127.0.0.1:8080, a metrics exporter on :9100, an admin port on :8081.
# After: the app restarted and now listens on 0.0.0.0:8080, the admin port is gone, a new
# :9200 listener appeared, five clients are connected, a route moved and the MTU changed.
# Needs root and iproute2; everything runs on loopback or inside the namespace.
set -euo pipefail
export DENO_NO_UPDATE_CHECK=1 DO_NOT_TRACK=1
cd "$(dirname "$0")/../.."
ns="nsnap-example-$$"
. snapshots/examples/host.sh
in_ns ip route add 10.30.0.0/16 via 10.20.0.254
serve() { in_ns timeout 120 python3 -m http.server "$2" --bind "$1" >/dev/null 2>&1 & }
serve 127.0.0.1 8080
serve 0.0.0.0 9100
serve 127.0.0.1 8081
sleep 1
in_ns "${nsnap[@]}" capture -o snapshots/examples/before.json --force --label stage=before
# The deploy.
pkill -f "http.server 8080 --bind 127.0.0.1" || true
pkill -f "http.server 8081" || true
serve 0.0.0.0 8080
serve 0.0.0.0 9200
in_ns ip route del 10.30.0.0/16
in_ns ip route add 10.40.0.0/16 via 10.20.0.254
in_ns ip link set eth0 mtu 1400
in_ns ip addr add 10.20.0.6/24 dev eth0
sleep 1
in_ns timeout 60 node_modules/.bin/deno run -A --quiet tests/helpers/sockets.ts --ttl 30 \
  connect:127.0.0.1:9100:5 >/dev/null &
sleep 2
in_ns "${nsnap[@]}" capture -o snapshots/examples/after.json --force --label stage=after
