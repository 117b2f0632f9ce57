/**
 * Hand-built pairs for the socket kinds of netlink captures: UNIX listeners, raw and packet
 * sockets, TCP sessions with tcp_info, a listener with its accept queue and the TcpExt listen
 * counters.
 */
import type { Connection, PacketSocket, RawSocket, Snapshot, UnixSocket } from "../../src/model.ts";
import { conn, listen, proc, procs, snap } from "./_build.ts";

/** A UNIX listener (stream LISTEN) at `path` held by `pid`. */
export function unixListener(path: string, pid: number | undefined, inode: number): UnixSocket {
  const u: UnixSocket = { type: "stream", state: "LISTEN", path, inode };
  if (pid !== undefined) u.pid = pid;
  return u;
}

/** A raw ICMP socket of `pid`. */
export function rawIcmp(pid: number, inode: number): RawSocket {
  return {
    family: "inet",
    ipProtocol: 1,
    localAddress: "0.0.0.0",
    remoteAddress: "0.0.0.0",
    state: "UNCONN",
    recvQ: 0,
    sendQ: 0,
    inode,
    pid,
  };
}

/** A packet socket of `pid` for every protocol, on `dev` (or every device). */
export function packetAll(pid: number, inode: number, dev?: string): PacketSocket {
  const p: PacketSocket = { type: "raw", protocol: 3, inode, pid };
  if (dev !== undefined) p.interface = dev;
  return p;
}

/** A TCP session with its tcp_info summary. */
export function tcpSession(
  local: [string, number],
  remote: [string, number],
  info: { totalRetrans: number; rtt: number; lost?: number },
  pid?: number,
): Connection {
  const c = conn(local[0], local[1], remote[0], remote[1], "ESTABLISHED", pid);
  c.tcpInfo = {
    rtt: info.rtt,
    rttvar: info.rtt / 2,
    retrans: 0,
    totalRetrans: info.totalRetrans,
    lost: info.lost ?? 0,
  };
  return c;
}

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";

/**
 * Before and after: php-fpm's socket gone, docker.sock handed to another program, a restarted
 * containerd, a new tcpdump (packet) and ping (raw); sessions to postgres retransmitting and
 * their RTT risen, a few retransmits to redis; nginx's accept queue full with listen overflows.
 */
export function socketsPair(): [Snapshot, Snapshot] {
  const app = 30;
  const pg = (i: number, retrans: number, rtt: number) =>
    tcpSession(["10.0.3.5", 41000 + i], ["10.0.3.7", 5432], { totalRetrans: retrans, rtt }, app);
  const redis = (retrans: number) =>
    tcpSession(["10.0.3.5", 42000], ["10.0.3.8", 6379], { totalRetrans: retrans, rtt: 300 }, app);
  const nginx = (queue: number) => ({ ...listen("0.0.0.0", 80, 10), recvQ: queue, backlog: 128 });
  const before = snap(T0, {
    connections: [nginx(3), pg(0, 10, 400), pg(1, 0, 420), redis(5)],
    processes: procs(
      proc(10, "nginx"),
      proc(20, "php-fpm"),
      proc(21, "dockerd"),
      proc(22, "containerd"),
      proc(app, "app"),
      proc(40, "dhclient"),
    ),
    counters: { TcpExt: { ListenOverflows: 7n, ListenDrops: 7n } },
    unixSockets: [
      unixListener("/run/php/php-fpm.sock", 20, 900),
      unixListener("/var/run/docker.sock", 21, 901),
      unixListener("/run/containerd/containerd.sock", 22, 902),
    ],
    rawSockets: [],
    packetSockets: [packetAll(40, 950, "eth0")],
  });
  const after = snap(T1, {
    connections: [nginx(128), pg(0, 610, 38_000), pg(1, 604, 41_000), redis(11)],
    processes: procs(
      proc(10, "nginx"),
      proc(23, "socat"),
      proc(24, "containerd", "2026-01-01T00:00:40.000Z"),
      proc(app, "app"),
      proc(40, "dhclient"),
      proc(50, "tcpdump"),
      proc(51, "ping"),
    ),
    counters: { TcpExt: { ListenOverflows: 349n, ListenDrops: 349n } },
    unixSockets: [
      unixListener("/var/run/docker.sock", 23, 911),
      unixListener("/run/containerd/containerd.sock", 24, 912),
      unixListener("@nsnap-test-abstract", 24, 913),
    ],
    rawSockets: [rawIcmp(51, 960)],
    packetSockets: [packetAll(40, 950, "eth0"), packetAll(50, 961)],
  });
  return [before, after];
}
