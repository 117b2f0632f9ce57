/**
 * The connections table of `nsnap show` (netstat -tulpn's columns, always numeric), and the
 * cell formats `nsnap port` shares with it.
 */
import type { Connection, Snapshot } from "../model.ts";
import {
  isListener,
  isUdpClient,
  listenerKey,
  type PortRange,
  socketRules,
} from "../net/sockets.ts";
import { programName } from "../net/programs.ts";
import { holders, processOf, userOfUid } from "../view/select.ts";
import { tcpInfoText, timerText } from "./show_tcp_info.ts";
import {
  type Column,
  type Paint,
  PLAIN,
  renderTable,
  type Row,
  truncateEnd,
  truncateMiddle,
} from "./table.ts";

/** How to lay out the connections table. */
export interface ConnectionTableOptions {
  paint?: Paint;
  /** Fit into this many columns (addresses and programs are shortened); none = full width. */
  width?: number | undefined;
  /** Add the User column (netstat -e, and `nsnap port`). */
  user?: boolean;
  /** Add the Inode column (netstat -e). */
  inode?: boolean;
  /** In a width, User stays in the row longer than Recv-Q and Send-Q do (`nsnap port`). */
  userFirst?: boolean;
  /** Add the Cgroup column: the cgroup v2 id of the socket's creator (ss -e, --cgroup). */
  cgroup?: boolean;
  /** Add the Timer column (ss -o): `keepalive,119min,0`. */
  timer?: boolean;
  /** Print each TCP session's tcp_info under it, as ss -ti does. */
  tcpInfo?: boolean;
  /** Listener keys (net/sockets.ts) the firewall filters: their state is marked `*`. */
  filtered?: ReadonlySet<string>;
  /** UDP ports that are services even in the ephemeral range (`--udp-service`). */
  udpServices?: readonly PortRange[] | undefined;
}

/** The State cell: the socket's state, and "(client)" for a UDP client socket. */
export const CLIENT_STATE = "UNCONN (client)";

/** The footnote under a table where a listener is marked filtered. */
export const FILTERED_NOTE =
  "* filtered by the firewall: other hosts cannot connect (nsnap port N tells why)";

/** netstat's protocol label: `tcp`, `tcp6`, `udp`, `udp6`. */
export function protoLabel(c: Connection): string {
  return c.family === "inet6" ? `${c.protocol}6` : c.protocol;
}

/**
 * An endpoint as netstat prints it, with `*` for port 0 (`0.0.0.0:*`, `[::]:*`), and the device
 * a socket is bound to (or a link-local address's scope) as ss prints it: `0.0.0.0%eth1:7800`.
 */
export function endpointText(address: string, port: number, device?: string): string {
  const host = address.includes(":") ? `[${address}]` : address;
  return `${host}${device === undefined ? "" : `%${device}`}:${port === 0 ? "*" : port}`;
}

/** Shortens `addr:port` by cutting the middle of the address, never the port. */
export function truncateEndpoint(value: string, width: number): string {
  let cut = value.lastIndexOf(":");
  if (cut > 0 && value[cut - 1] === "]") cut--;
  if (cut <= 0) return truncateEnd(value, width);
  const suffix = value.slice(cut);
  const room = width - suffix.length;
  if (room < 3) return truncateEnd(value, width);
  return truncateMiddle(value.slice(0, cut), room) + suffix;
}

/** The PID/Program cell: `1234/nginx`, `(+2)` when more processes hold the socket, `-` unknown. */
export function pidProgram(snapshot: Snapshot, c: Pick<Connection, "pid" | "pids">): string {
  const all = holders(c);
  const pid = c.pid ?? all[0];
  if (pid === undefined) return "-";
  const p = processOf(snapshot, pid);
  const more = all.filter((x) => x !== pid).length;
  return `${pid}/${p ? programName(p) : "-"}${more > 0 ? ` (+${more})` : ""}`;
}

/** Shortens a PID/Program cell: the "(+N)" of other holders goes first, then the name's end. */
export function truncatePidProgram(value: string, width: number): string {
  return truncateEnd(value.replace(/ \(\+[0-9]+\)$/, ""), width);
}

/** The User cell: the name of the socket's uid when the snapshot knows it, else the number. */
export function userCell(snapshot: Snapshot, c: Connection): string {
  const p = processOf(snapshot, c.pid);
  if (p && p.uid === c.uid && p.user !== undefined) return p.user;
  return userOfUid(snapshot, c.uid) ?? (c.uid === undefined ? (p?.user ?? "-") : String(c.uid));
}

function stateColor(state: string, paint: Paint): ((s: string) => string) | undefined {
  if (state === "LISTEN*") return paint.dim;
  if (state === "LISTEN") return paint.green;
  if (state === "CLOSE_WAIT" || state === "SYN_SENT" || state === "SYN_RECV") return paint.yellow;
  return undefined;
}

/** An IPv4 endpoint ("255.255.255.255:65535") is never cut; only IPv6 ones are, in their middle. */
const isIpv4Endpoint = (v: string) => !v.startsWith("[");

/**
 * Renders connections as netstat does: Proto, Recv-Q, Send-Q, addresses, State, PID/Program.
 *
 * In a width, IPv6 addresses are shortened in their middle first (never so far that two become
 * alike), then the columns that do not fit move under the row, in this order: Inode, User,
 * Recv-Q and Send-Q (queues before User with `userFirst`), PID/Program, State, Foreign Address.
 */
export function renderConnections(
  snapshot: Snapshot,
  connections: readonly Connection[],
  opts: ConnectionTableOptions = {},
): string {
  const address = (header: string, wrap?: number): Column => ({
    header,
    shrink: true,
    minWidth: 15,
    rank: 1,
    truncate: truncateEndpoint,
    keepWhole: isIpv4Endpoint,
    ...(wrap === undefined ? {} : { wrap }),
  });
  const columns: Column[] = [
    { header: "Proto" },
    { header: "Recv-Q", align: "right", wrap: opts.userFirst ? 2 : 3 },
    { header: "Send-Q", align: "right", wrap: opts.userFirst ? 2 : 3 },
    address("Local Address"),
    address("Foreign Address", 7),
    { header: "State", color: stateColor, wrap: 6 },
  ];
  if (opts.user) {
    const wrap = opts.userFirst ? 3 : 2;
    columns.push({ header: "User", shrink: true, minWidth: 8, lastResortWidth: 4, wrap });
  }
  if (opts.inode) columns.push({ header: "Inode", wrap: 1 });
  if (opts.cgroup) columns.push({ header: "Cgroup", wrap: 1 });
  if (opts.timer) columns.push({ header: "Timer", wrap: 1 });
  // "1000/nginx (+2)" fits in 15; programs give up width before addresses do.
  columns.push({
    header: "PID/Program",
    shrink: true,
    minWidth: 15,
    lastResortWidth: 13,
    truncate: truncatePidProgram,
    wrap: 5,
  });
  let marked = false;
  const rules = socketRules(snapshot, { udpServices: opts.udpServices });
  const rows: Row[] = connections.map((c): Row[] => {
    const filtered = opts.filtered !== undefined && isListener(c, rules) &&
      opts.filtered.has(listenerKey(c));
    marked ||= filtered;
    const row = [
      protoLabel(c),
      String(c.recvQ),
      String(c.sendQ),
      endpointText(c.localAddress, c.localPort, c.interface),
      endpointText(c.remoteAddress, c.remotePort),
      filtered ? `${c.state}*` : isUdpClient(c, rules) ? CLIENT_STATE : c.state,
    ];
    if (opts.user) row.push(userCell(snapshot, c));
    if (opts.inode) row.push(c.inode === undefined ? "-" : String(c.inode));
    if (opts.cgroup) row.push(c.cgroupId === undefined ? "-" : String(c.cgroupId));
    if (opts.timer) row.push(c.timer === undefined ? "-" : timerText(c.timer));
    row.push(pidProgram(snapshot, c));
    // ss -ti: the session's tcp_info on a line of its own under it (ss indents with a tab).
    if (opts.tcpInfo && c.tcpInfo !== undefined) {
      return [row, { line: `    ${tcpInfoText(c.tcpInfo)}` }];
    }
    return [row];
  }).flat();
  const table = renderTable(columns, rows, {
    paint: opts.paint ?? PLAIN,
    width: opts.width,
    gap: 1,
  });
  return marked ? `${table}${FILTERED_NOTE}\n` : table;
}
