/**
 * The ss views of the sockets that are not TCP or UDP:
 * `-x` UNIX sockets (as `ss -xa`), `-w` raw sockets (`ss -wa`), `-0` packet sockets (`ss -0a`).
 * Data in, text out; every table fits the width as the connections table does.
 */
import type { PacketSocket, RawSocket, Snapshot, UnixSocket } from "../model.ts";
import { pidProgram, truncatePidProgram } from "./show_connections.ts";
import { type Column, type Paint, PLAIN, renderTable, truncateMiddle } from "./table.ts";

/** How to lay out one of these tables. */
export interface SocketTableOptions {
  paint?: Paint;
  width?: number | undefined;
  /** Add User and Inode (and the peer's inode for UNIX sockets, always shown). */
  extend?: boolean;
}

/** ss's Netid of a UNIX socket type: u_str, u_dgr, u_seq. */
export function unixNetid(type: string): string {
  return type === "stream"
    ? "u_str"
    : type === "dgram"
    ? "u_dgr"
    : type === "seqpacket"
    ? "u_seq"
    : `u_${type}`;
}

/** ss's state names where they differ from netstat's (ESTAB); the rest as they are. */
function ssState(state: string): string {
  return state === "ESTABLISHED" ? "ESTAB" : state;
}

const pidColumn = (): Column => ({
  header: "PID/Program",
  shrink: true,
  minWidth: 15,
  lastResortWidth: 13,
  truncate: truncatePidProgram,
  wrap: 3,
});

const userColumns = (opts: SocketTableOptions): Column[] =>
  opts.extend ? [{ header: "User", wrap: 2 }, { header: "Inode", wrap: 1 }] : [];

/** The User cell of a socket: the uid's name when the snapshot knows it. */
function userOf(snapshot: Snapshot, uid: number | undefined): string {
  if (uid === undefined) return "-";
  for (const p of Object.values(snapshot.processes)) {
    if (p.uid === uid && p.user !== undefined) return p.user;
  }
  return String(uid);
}

const owner = pidProgram;

/**
 * UNIX sockets as `ss -xa` prints them: Netid, State, Recv-Q, Send-Q (for LISTEN: the queue now
 * and its limit, as ss shows them), the bound name (`*` when unbound, `@name` abstract), the
 * socket's inode, the peer's inode and the holder.
 */
export function renderUnixSockets(
  snapshot: Snapshot,
  list: readonly UnixSocket[],
  opts: SocketTableOptions = {},
): string {
  const columns: Column[] = [
    { header: "Netid" },
    { header: "State" },
    { header: "Recv-Q", align: "right", wrap: 4 },
    { header: "Send-Q", align: "right", wrap: 4 },
    // The name is what people look for: Peer and Inode make room for it first.
    { header: "Local Address", shrink: true, minWidth: 30, truncate: truncateMiddle, wrap: 6 },
    { header: "Inode", align: "right", wrap: 2 },
    { header: "Peer", align: "right", wrap: 1 },
  ];
  if (opts.extend) columns.push({ header: "User", wrap: 2 });
  columns.push({ ...pidColumn(), wrap: 5 });
  const rows = list.map((u) => {
    const listen = u.state === "LISTEN";
    const row = [
      unixNetid(u.type),
      ssState(u.state),
      u.recvQ === undefined ? "-" : String(u.recvQ),
      listen && u.backlog !== undefined
        ? String(u.backlog)
        : u.sendQ === undefined
        ? "-"
        : String(u.sendQ),
      u.path ?? "*",
      String(u.inode),
      u.peerInode === undefined || u.peerInode === 0 ? "-" : String(u.peerInode),
    ];
    if (opts.extend) row.push(userOf(snapshot, u.uid));
    row.push(owner(snapshot, u));
    return row;
  });
  return renderTable(columns, rows, { paint: opts.paint ?? PLAIN, width: opts.width, gap: 1 });
}

/** An address with the IP protocol of a raw socket, as ss -w prints it: `0.0.0.0:icmp`. */
function rawEndpoint(address: string, protocol: number, device?: string): string {
  const name = IP_PROTOCOLS[protocol] ?? String(protocol);
  const host = address.includes(":") ? `[${address}]` : address;
  return `${host}${device === undefined ? "" : `%${device}`}:${name}`;
}

/** The IP protocols raw sockets are opened for, by the names ss and /etc/protocols use. */
const IP_PROTOCOLS: Readonly<Record<number, string>> = Object.assign(Object.create(null), {
  1: "icmp",
  2: "igmp",
  6: "tcp",
  17: "udp",
  41: "ipv6",
  47: "gre",
  50: "esp",
  58: "ipv6-icmp",
  89: "ospf",
  103: "pim",
  112: "vrrp",
  132: "sctp",
  255: "raw",
});

/** Raw sockets as `ss -wa` prints them: the local address with the IP protocol, the peer. */
export function renderRawSockets(
  snapshot: Snapshot,
  list: readonly RawSocket[],
  opts: SocketTableOptions = {},
): string {
  const columns: Column[] = [
    { header: "Proto" },
    { header: "State" },
    { header: "Recv-Q", align: "right", wrap: 4 },
    { header: "Send-Q", align: "right", wrap: 4 },
    { header: "Local Address", shrink: true, minWidth: 15, truncate: truncateMiddle },
    { header: "Peer Address", shrink: true, minWidth: 15, truncate: truncateMiddle, wrap: 5 },
    ...userColumns(opts),
    pidColumn(),
  ];
  const rows = list.map((r) => {
    const row = [
      r.family === "inet6" ? "raw6" : "raw",
      ssState(r.state),
      String(r.recvQ),
      String(r.sendQ),
      rawEndpoint(r.localAddress, r.ipProtocol, r.interface),
      rawEndpoint(r.remoteAddress, r.ipProtocol),
    ];
    if (opts.extend) {
      row.push(userOf(snapshot, r.uid), r.inode === undefined ? "-" : String(r.inode));
    }
    row.push(owner(snapshot, r));
    return row;
  });
  return renderTable(columns, rows, { paint: opts.paint ?? PLAIN, width: opts.width, gap: 1 });
}

/** Ethernet protocol names as ss -0 prints them, for the common ones. */
const ETH_PROTOCOLS: Readonly<Record<number, string>> = Object.assign(Object.create(null), {
  0: "0",
  3: "all",
  0x0800: "ip",
  0x0806: "arp",
  0x86dd: "ipv6",
  0x8100: "802.1Q",
  0x888e: "eapol",
  0x88cc: "lldp",
});

/**
 * Packet sockets as `ss -0a` prints them: Netid (p_raw, p_dgr), the Ethernet protocol they
 * receive and the device they are bound to (`*` for every device).
 */
export function renderPacketSockets(
  snapshot: Snapshot,
  list: readonly PacketSocket[],
  opts: SocketTableOptions = {},
): string {
  const columns: Column[] = [
    { header: "Netid" },
    { header: "Recv-Q", align: "right", wrap: 4 },
    { header: "Protocol" },
    { header: "Interface", shrink: true, minWidth: 9, truncate: truncateMiddle },
    ...userColumns(opts),
    pidColumn(),
  ];
  const rows = list.map((p) => {
    const row = [
      p.type === "dgram" ? "p_dgr" : p.type === "raw" ? "p_raw" : `p_${p.type}`,
      p.recvQ === undefined ? "-" : String(p.recvQ),
      ETH_PROTOCOLS[p.protocol] ?? `0x${p.protocol.toString(16).padStart(4, "0")}`,
      p.interface ?? "*",
    ];
    if (opts.extend) row.push(userOf(snapshot, p.uid), String(p.inode));
    row.push(owner(snapshot, p));
    return row;
  });
  return renderTable(columns, rows, { paint: opts.paint ?? PLAIN, width: opts.width, gap: 1 });
}
