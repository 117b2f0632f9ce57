/**
 * The namespace the netlink tests (and the fixture recorder) look at: a veth pair nl0/nl1 with nl1
 * in a bridge, addresses of both families (a link-local one too), routes with metrics, an ECMP
 * route and a route in table 100, policy rules, neighbours in several states and a proxy entry,
 * pfifo/tbf/ingress qdiscs that have passed some packets, and a Python process holding every kind
 * of socket.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canUseNetns, type Netns, whenReady } from "../../helpers/netns.ts";
import { dumpRawSockets } from "../../../src/collect/linux/netlink.ts";

/** Why the scenario cannot be built here, or false when it can. */
export const SCENARIO_SKIP: string | false = !canUseNetns()
  ? "needs root and iproute2 to create network namespaces"
  : !existsSync("/usr/bin/python3")
  ? "needs /usr/bin/python3 for the socket holder"
  : false;

/**
 * The source a netlink capture records for its connections: "netlink", or "netlink+proc" where
 * the kernel has no raw_diag (CONFIG_INET_RAW_DIAG, as on the test VM) and the raw sockets come
 * from /proc. Asked of the kernel, so that the tests hold on kernels of either kind.
 */
export function netlinkConnectionsSource(): "netlink" | "netlink+proc" {
  const r = dumpRawSockets();
  return r.ok && r.incomplete.length === 0 ? "netlink" : "netlink+proc";
}

/** The socket holder script. */
export const SOCKETS_PY = new URL("./sockets.py", import.meta.url).pathname;

/** Names of the UNIX sockets the scenario binds (unique per run: the filesystem is shared). */
export function unixNames(tag: string): { stream: string; dgram: string; seqpacket: string } {
  return {
    stream: `/tmp/nsnap-nl-${tag}.sock`,
    dgram: `@nsnap-nl-${tag}-dgram`,
    seqpacket: `@nsnap-nl-${tag}-seq`,
  };
}

/** Every socket the holder opens. */
export function socketSpecs(tag: string): string[] {
  const u = unixNames(tag);
  return [
    "tcp-listen,addr=127.0.0.1,port=7001,backlog=7,pending=2",
    "tcp-listen,addr=0.0.0.0,port=7002,dev=nl0",
    "tcp-listen,addr=::,port=7003,v6only=1",
    "tcp-listen,addr=::,port=7004,v6only=0",
    "tcp-listen,addr=fe80::1,port=7011,scope=nl0",
    "tcp-listen,addr=127.0.0.1,port=7012,mark=42",
    "tcp-pair,addr=127.0.0.1,port=7005,unread=100,keepalive=1",
    "tcp-pair,addr=::1,port=7006",
    "tcp-timewait,addr=127.0.0.1,port=7009",
    "udp,addr=0.0.0.0,port=7007",
    "udp,addr=::,port=7008",
    "udp,addr=10.77.5.1,port=7010,dev=nl0",
    `unix-stream,path=${u.stream}`,
    `unix-dgram,path=${u.dgram}`,
    `unix-seqpacket,path=${u.seqpacket}`,
    "unix-pair",
    "packet",
    "packet,proto=0x0806,dev=nl0",
    "raw-icmp",
    "raw-icmp6",
  ];
}

/**
 * Where cgroup v2 is mounted (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` on a hybrid host), or
 * undefined without one.
 */
export function cgroup2Mount(): string | undefined {
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const [mine, theirs] = line.split(" - ");
    if (theirs?.startsWith("cgroup2 ")) return mine!.split(" ")[4];
  }
  return undefined;
}

/** Builds the links, addresses, routes, rules, neighbours and qdiscs. */
export function buildNetwork(ns: Netns): void {
  const ip = (...a: string[]) => ns.ip(...a);
  ip("link", "add", "nl0", "type", "veth", "peer", "name", "nl1");
  ip("link", "add", "nlbr0", "type", "bridge");
  ip("link", "set", "nl1", "master", "nlbr0");
  for (const dev of ["nl0", "nl1", "nlbr0"]) ip("link", "set", dev, "up");
  ip("addr", "add", "10.77.5.1/24", "dev", "nl0");
  ip("addr", "add", "10.77.8.1/24", "dev", "nl0", "label", "nl0:8");
  ip("-6", "addr", "add", "fd00:77::1/64", "dev", "nl0", "nodad");
  ip("-6", "addr", "add", "fe80::1/64", "dev", "nl0", "nodad");
  // Routes with metrics, ECMP, another table, a blackhole, IPv6 with preference and expiry.
  ip(
    "route",
    "add",
    "10.88.0.0/16",
    "via",
    "10.77.5.2",
    "dev",
    "nl0",
    "mtu",
    "lock",
    "1300",
    "advmss",
    "1260",
    "initcwnd",
    "20",
    "initrwnd",
    "30",
    "metric",
    "50",
  );
  ip(
    "route",
    "add",
    "10.99.0.0/16",
    "nexthop",
    "via",
    "10.77.5.2",
    "dev",
    "nl0",
    "weight",
    "1",
    "nexthop",
    "via",
    "10.77.5.3",
    "dev",
    "nl0",
    "weight",
    "3",
  );
  ip("route", "add", "table", "100", "default", "via", "10.77.5.254", "dev", "nl0");
  ip("route", "add", "blackhole", "10.66.0.0/16");
  ip("route", "add", "10.55.0.0/16", "via", "10.77.5.2", "dev", "nl0", "onlink", "realm", "7");
  ip(
    "-6",
    "route",
    "add",
    "fd00:88::/64",
    "via",
    "fd00:77::2",
    "dev",
    "nl0",
    "metric",
    "512",
    "pref",
    "high",
  );
  ip("-6", "route", "add", "fd00:99::/64", "via", "fd00:77::2", "dev", "nl0", "expires", "300");
  // Rules.
  ip("rule", "add", "from", "10.77.6.0/24", "lookup", "100", "pref", "1000");
  ip("rule", "add", "fwmark", "0x10/0xff", "lookup", "100", "pref", "1001");
  ip(
    "rule",
    "add",
    "not",
    "to",
    "10.0.0.0/8",
    "ipproto",
    "tcp",
    "sport",
    "1000",
    "dport",
    "80-90",
    "uidrange",
    "1000-2000",
    "iif",
    "lo",
    "lookup",
    "main",
    "pref",
    "1002",
  );
  ip("rule", "add", "pref", "1004", "lookup", "main", "suppress_prefixlength", "0");
  ip("rule", "add", "pref", "1005", "oif", "nl0", "prohibit");
  ip("-6", "rule", "add", "from", "fd00:77::/64", "lookup", "100", "pref", "1003");
  // Neighbours.
  ip("neigh", "add", "10.77.5.2", "lladdr", "02:00:00:00:00:02", "dev", "nl0", "nud", "permanent");
  ip("neigh", "add", "10.77.5.3", "lladdr", "02:00:00:00:00:03", "dev", "nl0", "nud", "stale");
  ip("neigh", "add", "10.77.5.4", "dev", "nl0", "nud", "failed");
  ip("neigh", "add", "proxy", "10.77.5.50", "dev", "nl0");
  ip(
    "-6",
    "neigh",
    "add",
    "fd00:77::2",
    "lladdr",
    "02:00:00:00:00:12",
    "dev",
    "nl0",
    "router",
    "nud",
    "reachable",
  );
  // Qdiscs.
  ns.exec("tc", "qdisc", "add", "dev", "nl0", "root", "pfifo", "limit", "3");
  ns.exec(
    "tc",
    "qdisc",
    "add",
    "dev",
    "nl1",
    "root",
    "tbf",
    "rate",
    "1mbit",
    "burst",
    "32kbit",
    "latency",
    "400ms",
  );
  ns.exec("tc", "qdisc", "add", "dev", "nl1", "ingress");
  // Some packets through nl0's pfifo, so that its counters are not all zero.
  ns.exec(
    "python3",
    "-c",
    "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
      "for _ in range(5): s.sendto(b'x' * 100, ('10.77.5.2', 9))",
  );
}

/**
 * Starts the socket holder in the namespace (in the cgroup v2 folder `cgroup` when given, before
 * it opens any socket); resolves with it and its pid once it is ready.
 */
export async function holdScenarioSockets(
  ns: Netns,
  tag: string,
  ttl = 120,
  cgroup?: string,
): Promise<{ child: ChildProcess; pid: number }> {
  const holder = ["/usr/bin/python3", SOCKETS_PY, "--ttl", String(ttl), ...socketSpecs(tag)];
  if (cgroup === undefined) return await holderReady(ns.spawn(holder));
  // `ip netns exec` mounts a sysfs of the namespace's own, where no cgroup folder shows: the
  // holder is moved from here, and waits (10 s at most) for the word that it has been.
  const go = join(tmpdir(), `nsnap-cgroup-${tag}.go`);
  rmSync(go, { force: true });
  const wait =
    'i=0; while [ ! -e "$0" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done; exec "$@"';
  const child = ns.spawn(["/bin/sh", "-c", wait, go, ...holder]);
  try {
    writeFileSync(`${cgroup}/cgroup.procs`, String(child.pid));
    writeFileSync(go, "");
    return await holderReady(child);
  } finally {
    rmSync(go, { force: true });
  }
}

async function holderReady(child: ChildProcess): Promise<{ child: ChildProcess; pid: number }> {
  let out = "";
  child.stdout?.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
  await whenReady(child, "sockets.py");
  const line = out.split("\n").find((l) => l.includes('"ready"'))!;
  return { child, pid: (JSON.parse(line) as { pid: number }).pid };
}

/** The namespace's file under /run/netns, which the tests dump from the root namespace. */
export function netnsPath(ns: Netns): string {
  return `/run/netns/${ns.name}`;
}
