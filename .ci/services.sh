#!/usr/bin/env bash
# The machine part of CI: the Debian packages the suite needs, and a Docker daemon for the tests
# that use containers, started only when none answers and stopped again with every change it made
# to the host undone. `.ci/run` sources this file; by hand:
#
#   .ci/services.sh install        install what is missing (root, Debian 12)
#   .ci/services.sh docker-start   start dockerd when none answers (state in $NSNAP_CI_STATE)
#   .ci/services.sh docker-stop    stop the dockerd docker-start started and restore the host
#
# Decisions:
# - One `apt-get update`, and only when a package is missing; one `apt-get install` for all.
# - Services must not start on install (they would hold ports on the host that the tests use in
#   their own namespaces): a policy-rc.d that refuses is put in place for the install when none is
#   there, and any new listener found afterwards is reported and its unit stopped.
# - dockerd changes the host's network: it turns ip_forward on, sets the FORWARD policy to DROP,
#   adds docker0 and its iptables chains (nf_tables tables with iptables-nft). Their state before
#   is saved and put back on stop; nothing is touched when a daemon was already running.
# - /usr/bin/docker is Debian's client; another `docker` earlier on PATH may be something else.

# Packages the suite uses: servers and clients for the end-to-end tests (issue 15), Docker and
# busybox images (issue 18), ansible, sshd and namespaces for fleets (issue 19), tmux and systemd's
# tools and strace for the units' sandbox (issue 21), chromium for the report, iproute2's
# ip, ss, nstat, and zsh and fish to run the shell completions for real (issue 16).
NSNAP_CI_PACKAGES=(
  docker.io nginx-light haproxy redis-server postgresql memcached openssh-server openssh-client
  dnsmasq-base busybox-static nftables iptables socat chromium ansible tmux iproute2 systemd
  strace python3 util-linux procps tar zsh fish
)
# Units a package above may start on install when policy-rc.d is not honoured.
NSNAP_CI_UNITS=(nginx haproxy redis-server postgresql memcached ssh docker.socket docker containerd)
NSNAP_CI_STATE=${NSNAP_CI_STATE:-/run/nsnap-ci}
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd

ci_log() { printf '[ci] %s\n' "$*" >&2; }

# Lists the packages of NSNAP_CI_PACKAGES that are not installed.
ci_missing_packages() {
  local p
  for p in "${NSNAP_CI_PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || echo "$p"
  done
}

# Listening sockets on the host as "proto local-address:port", sorted.
ci_listeners() {
  ss -Hltun 2>/dev/null | awk '{print $1, $5}' | sort -u || true
}

# Installs what is missing, without letting services start.
ci_install() {
  local missing
  mapfile -t missing < <(ci_missing_packages)
  if ((${#missing[@]} == 0)); then
    ci_log "packages: all ${#NSNAP_CI_PACKAGES[@]} present"
    return 0
  fi
  if [[ $(id -u) != 0 ]]; then
    ci_log "packages missing (${missing[*]}) and not root: the tests that need them will skip"
    return 0
  fi
  ci_log "packages: installing ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d made_policy=0 before after t0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# nsnap CI: no service starts during the install\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    made_policy=1
  fi
  before=$(ci_listeners)
  t0=$SECONDS
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null || rc=$?
  ((made_policy)) && rm -f "$policy"
  ((rc == 0)) || { ci_log "apt-get failed ($rc)"; return "$rc"; }
  ci_log "packages: installed in $((SECONDS - t0)) s"
  after=$(ci_listeners)
  local new
  new=$(comm -13 <(echo "$before") <(echo "$after"))
  if [[ -n $new ]]; then
    ci_log "the install started listeners on the host:"$'\n'"$new"
    if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
      local unit
      for unit in "${NSNAP_CI_UNITS[@]}"; do
        if systemctl is-active -q "$unit" 2>/dev/null; then
          ci_log "stopping $unit"
          systemctl stop "$unit" || true
        fi
      done
    fi
  fi
}

# The kernel and firewall state dockerd changes, one "key value" per line.
ci_net_state() {
  echo "ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"
  local f
  for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables; do
    [[ -e $f ]] && echo "${f##*/} $(cat "$f")"
  done
  if command -v iptables >/dev/null; then
    echo "forward_policy $(iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" {print $3}')"
  fi
  ip link show docker0 >/dev/null 2>&1 && echo "docker0 present"
  if command -v nft >/dev/null; then
    nft list tables 2>/dev/null | sed 's/^table /nft_table /'
  fi
  return 0
}

# True when a Docker daemon answers.
ci_docker_answers() { [[ -x $DOCKER ]] && timeout 10 "$DOCKER" info >/dev/null 2>&1; }

# Starts dockerd when none answers; leaves a running daemon alone.
ci_docker_start() {
  if [[ ! -x $DOCKERD || ! -x $DOCKER ]]; then
    ci_log "docker: not installed; the container tests will skip"
    return 0
  fi
  if ci_docker_answers; then
    ci_log "docker: a daemon is already running; it is left as it is"
    return 0
  fi
  if [[ $(id -u) != 0 ]]; then
    ci_log "docker: no daemon and not root; the container tests will skip"
    return 0
  fi
  mkdir -p "$NSNAP_CI_STATE"
  if [[ -e $NSNAP_CI_STATE/dockerd.pid ]] && kill -0 "$(cat "$NSNAP_CI_STATE/dockerd.pid")" 2>/dev/null; then
    ci_log "docker: a dockerd started by CI is running but does not answer; see $NSNAP_CI_STATE/dockerd.log"
    return 0
  fi
  # A run that died before stopping its dockerd left the state from before that one: keep it,
  # since the host now shows what that dockerd changed.
  if [[ -e $NSNAP_CI_STATE/net-before ]]; then
    ci_log "docker: keeping the host state saved by an earlier run that did not stop its dockerd"
  else
    ci_net_state >"$NSNAP_CI_STATE/net-before"
  fi
  NSNAP_CI_DOCKERD_STARTED=1
  local t0=$EPOCHREALTIME
  # setsid: the daemon must not get the terminal's signals, and is stopped by ci_docker_stop.
  setsid "$DOCKERD" --bip 10.123.250.1/24 >"$NSNAP_CI_STATE/dockerd.log" 2>&1 </dev/null &
  echo $! >"$NSNAP_CI_STATE/dockerd.pid"
  local i
  for ((i = 0; i < 300; i++)); do
    if "$DOCKER" info >/dev/null 2>&1; then
      ci_log "docker: dockerd answered after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}') s"
      return 0
    fi
    kill -0 "$(cat "$NSNAP_CI_STATE/dockerd.pid")" 2>/dev/null || break
    sleep 0.1
  done
  ci_log "docker: dockerd did not come up; the container tests will skip. Its log ends:"
  tail -n 5 "$NSNAP_CI_STATE/dockerd.log" >&2 || true
  ci_docker_stop
  return 0
}

# Deletes the iptables rules of TABLE's built-in chains that lead to or concern Docker, then
# Docker's own chains.
ci_iptables_undo_docker() {
  local table=$1 line chain
  local -a rule
  while IFS= read -r line; do
    read -ra rule <<<"$line"
    rule[0]=-D
    iptables -t "$table" "${rule[@]}" 2>/dev/null || true
  done < <(iptables -t "$table" -S 2>/dev/null |
    grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) ' |
    grep -E -- '-j DOCKER|docker0|br-[0-9a-f]{12}|10\.123\.250\.0/24' || true)
  while read -r chain; do
    iptables -t "$table" -F "$chain" 2>/dev/null || true
  done < <(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}')
  while read -r chain; do
    iptables -t "$table" -X "$chain" 2>/dev/null || true
  done < <(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}')
}

# For an EXIT trap: stops dockerd only if ci_docker_start started one in this shell.
ci_docker_cleanup() {
  [[ ${NSNAP_CI_DOCKERD_STARTED:-} == 1 ]] || return 0
  ci_docker_stop
}

# Stops the dockerd ci_docker_start started (named by its pid file) and puts the host's network
# state back.
ci_docker_stop() {
  local pidfile=$NSNAP_CI_STATE/dockerd.pid before=$NSNAP_CI_STATE/net-before
  [[ -e $pidfile ]] || return 0
  local pid i
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  NSNAP_CI_DOCKERD_STARTED=
  [[ -e $before ]] || return 0
  local key value
  declare -A was=()
  while read -r key value; do
    [[ $key == nft_table ]] && key="nft_table $value" && value=1
    was[$key]=$value
  done <"$before"
  if command -v iptables >/dev/null; then
    ci_iptables_undo_docker filter
    ci_iptables_undo_docker nat
    [[ -n ${was[forward_policy]:-} ]] && iptables -P FORWARD "${was[forward_policy]}"
  fi
  # Tables that iptables-nft made for Docker go when nothing is left in them.
  if command -v nft >/dev/null; then
    local t
    while read -r t; do
      [[ -n ${was["nft_table $t"]:-} ]] && continue
      # shellcheck disable=SC2086 # "$t" is "FAMILY NAME", two words
      if nft list table $t 2>/dev/null |
        awk '!/^table |^[[:space:]]*(chain |type |}|$)/ {n++} END {exit n > 0}'; then
        nft delete table $t 2>/dev/null || true
      fi
    done < <(nft list tables 2>/dev/null | sed -n 's/^table //p')
  fi
  [[ -z ${was[docker0]:-} ]] && ip link del docker0 2>/dev/null
  echo "${was[ip_forward]}" >/proc/sys/net/ipv4/ip_forward
  local f
  for f in bridge-nf-call-iptables bridge-nf-call-ip6tables; do
    [[ -n ${was[$f]:-} && -e /proc/sys/net/bridge/$f ]] && echo "${was[$f]}" >"/proc/sys/net/bridge/$f"
  done
  local now
  now=$(ci_net_state)
  if [[ $now != "$(cat "$before")" ]]; then
    ci_log "docker: the host's network state differs from before dockerd:"
    diff <(cat "$before") <(echo "$now") >&2 || true
  else
    ci_log "docker: dockerd stopped; ip_forward, FORWARD policy, docker0 and chains as before"
  fi
  rm -f "$before"
  return 0
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  case ${1:-} in
  install) ci_install ;;
  docker-start) ci_docker_start ;;
  docker-stop) ci_docker_stop ;;
  *)
    echo "usage: $0 install|docker-start|docker-stop" >&2
    exit 2
    ;;
  esac
fi
