#!/usr/bin/env bash
# Rebuilds series/: eight snapshots of one host, about three seconds apart, taken during a small
# incident inside a throw-away network namespace (for `nsnap report snapshots/examples/series/`).
# A web app on :8080 and an exporter on 127.0.0.1:9100 run throughout; a service on :7000 is
# stuck (backlog 1, never accepts). During the series a :9200 listener opens and later closes,
# clients load the web app, an nft rule drops 30% of its packets for a while (retransmits),
# clients hit a closed TCP port (resets) and a closed UDP port (no-port datagrams), and a burst
# of connections overflows the stuck service's listen queue.
# Needs root, iproute2, nft and python3; all traffic stays on the namespace's loopback.
set -euo pipefail
export DENO_NO_UPDATE_CHECK=1 DO_NOT_TRACK=1
cd "$(dirname "$0")/../.."
ns="nsnap-series-$$"
out=snapshots/examples/series
. snapshots/examples/host.sh
# `ip netns exec` directly (not in_ns), so that $! is the server's own `timeout` process.
serve() { ip netns exec "$ns" timeout 120 python3 -m http.server "$2" --bind "$1" >/dev/null 2>&1 & disown; }
serve 0.0.0.0 8080
serve 127.0.0.1 9100
in_ns timeout 120 python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7000))
s.listen(1)
time.sleep(120)' &
disown

# One burst of client activity, bounded in time: `load SECONDS [refused] [overflow]`.
load() {
  in_ns timeout 20 python3 - "$@" <<'PY' &
import socket, sys, threading, time
seconds, extra = float(sys.argv[1]), sys.argv[2:]
deadline = time.time() + seconds
def web():
    for _ in range(12):
        if time.time() > deadline:
            break
        time.sleep(0.1)
        try:
            s = socket.create_connection(("127.0.0.1", 8080), timeout=1)
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            while s.recv(65536):
                pass
            s.close()
        except OSError:
            pass
def refused():
    for _ in range(40):
        try:
            socket.create_connection(("127.0.0.1", 9999), timeout=0.5).close()
        except OSError:
            pass
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(120):
        u.sendto(b"ping", ("127.0.0.1", 9998))
def overflow():
    held = []
    for _ in range(12):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", 7000))
        except BlockingIOError:
            pass
        held.append(s)
    time.sleep(min(seconds, 4))
jobs = [threading.Thread(target=web) for _ in range(2)]
if "refused" in extra:
    jobs.append(threading.Thread(target=refused))
if "overflow" in extra:
    jobs.append(threading.Thread(target=overflow))
for j in jobs:
    j.start()
for j in jobs:
    j.join()
PY
  disown
}

loss_on() {
  in_ns nft -f - <<'NFT'
table inet nsnap_series {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 8080 numgen random mod 10 < 3 drop
  }
}
NFT
}
loss_off() { in_ns nft delete table inet nsnap_series; }

mkdir -p "$out"
rm -f "$out"/*.json
sleep 1
for i in 1 2 3 4 5 6 7 8; do
  case $i in
    2) load 2.5 ;;
    3) serve 0.0.0.0 9200; late=$!; load 2.5 ;;
    4) loss_on; load 2.5 refused ;;
    5) load 2.5 overflow ;;
    6) loss_off; load 2.5 refused ;;
    7) kill "$late"; load 1.5 ;;
  esac
  sleep 2.5
  in_ns "${nsnap[@]}" capture -o "$out/" --label stage=incident >/dev/null
done
ls -l "$out"
