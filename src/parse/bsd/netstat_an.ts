/**
 * BSD `netstat -an` (macOS `-an`, `-anv`, `-An`, `-Abn`; FreeBSD `-an`, `-Aa`, `-AaT`, `-Aax`):
 * the "Active Internet connections" table into connections. Other sections (unix, kctl, kevt,
 * multipath) are skipped. Columns are located from the header line.
 */
import type { Connection, Family, Protocol } from "../../model.ts";
import { ParseError } from "../../errors.ts";
import { canonicalAddress, parseIPv4, parseIPv6 } from "../../net/address.ts";
import { canonicalState } from "../../net/states.ts";
import {
  assignColumns,
  cannotRead,
  type Column,
  headerColumns,
  type Parsed,
  parseSmallInt,
  readAt,
  type SocketTable,
  splitLines,
} from "../text.ts";
import { servicePort } from "../../net/services.ts";

/** Labels of more than one word; FreeBSD 12+ appends `Log ID` (with `-P`) after the state. */
const JOINED = ["Local Address", "Foreign Address", "Log ID"];

/**
 * Parses BSD `netstat -an`-family output into TCP and UDP connections, with the process names of
 * a `process:pid` column (macOS 14+). States are nsnap's names (`SYN_RCVD` is `SYN_RECV`).
 */
export function parseNetstatAn(text: string, source = "<netstat -an>"): Parsed<SocketTable> {
  const connections: Connection[] = [];
  const warnings: string[] = [];
  const processNames = new Map<number, string>();
  let section: "inet" | "other" | undefined;
  let cols: Column[] | undefined;
  let truncatedSeen = false;
  let headerSeen = false;
  const all = splitLines(text);
  all.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    if (line.trim() === "") return;
    if (/^Active /.test(line)) {
      section = /^Active Internet connections/.test(line) ? "inet" : "other";
      cols = undefined;
      return;
    }
    if (section === "other") return;
    if (/(^|\s)Proto(\s|$)/.test(line) && /Local Address/.test(line)) {
      section = "inet";
      cols = headerColumns(line, JOINED);
      headerSeen = true;
      return;
    }
    if (!cols) {
      warnings.push(cannotRead(source, n, "line before a table header", line));
      return;
    }
    const row = readRow(line, cols);
    if (row === "skip") return;
    if (typeof row === "string") {
      warnings.push(cannotRead(source, n, row, line));
      return;
    }
    if (row.truncated) truncatedSeen = true;
    if (row.process) processNames.set(row.process.pid, row.process.name);
    connections.push(readAt(row.conn, n));
  });
  if (!headerSeen && section === undefined && all.some((l) => l.trim() !== "")) {
    const idx = all.findIndex((l) => l.trim() !== "");
    throw new ParseError(source, idx + 1, all[idx] ?? "", "cannot find the netstat table header");
  }
  if (truncatedSeen) {
    warnings.push(
      `${source}: some addresses fill their column and may be truncated; kept as printed (use netstat -W)`,
    );
  }
  const processes = [...processNames].map(([pid, name]) => ({ pid, name }));
  return { value: { connections, processes }, warnings };
}

type Row = { conn: Connection; truncated: boolean; process?: { pid: number; name: string } };

function readRow(line: string, cols: readonly Column[]): Row | "skip" | string {
  const proto = /(?:^|\s)(tcp|udp)(4|6|46)?\s/.exec(line + " ");
  if (!proto) {
    // Raw (icm4, ip6…) sockets are outside nsnap's default set; anything else is unreadable.
    return /^(\S+\s+)?\S*\s*(icm|ip|raw|div|rip)\S*\s/.test(line + " ") ? "skip" : "socket row";
  }
  const f = assignColumns(line, cols);
  const protocol = proto[1] as Protocol;
  const v = proto[2] ?? "";
  const local = f.get("Local Address");
  const remote = f.get("Foreign Address");
  if (local === undefined || remote === undefined) return "socket row (no addresses)";
  const family: Family = v === "6" || v === "46" ? "inet6" : v === "4" ? "inet" : guess(local);
  const l = splitEndpoint(local, family);
  const r = splitEndpoint(remote, family);
  if (typeof l === "string") return `local address (${l})`;
  if (typeof r === "string") return `foreign address (${r})`;
  const recvQ = f.has("Recv-Q") ? parseSmallInt(f.get("Recv-Q")) : 0;
  const sendQ = f.has("Send-Q") ? parseSmallInt(f.get("Send-Q")) : 0;
  if (recvQ === undefined || sendQ === undefined) return "queue sizes";
  const printed = f.get("(state)");
  let state = printed === undefined ? undefined : canonicalState(printed) ?? printed;
  if (state === undefined || state === "") {
    if (protocol === "tcp" && cols.some((c) => c.name === "(state)")) return "tcp state";
    // UDP has no state: unconnected unless a peer is set. TCP views without a state column
    // (FreeBSD -AaT) do not say, and a guess would read as fact.
    state = protocol === "udp" ? (r.wildcard ? "UNCONN" : "ESTABLISHED") : "UNKNOWN";
  }
  const conn: Connection = {
    protocol,
    family,
    localAddress: l.address,
    localPort: l.port,
    remoteAddress: r.address,
    remotePort: r.port,
    state,
    recvQ,
    sendQ,
  };
  const pids = readPids(f);
  if (pids.length > 0) {
    conn.pid = pids[0]!;
    conn.pids = pids;
  }
  const width = (name: string) => {
    const i = cols.findIndex((c) => c.name === name);
    const next = cols[i + 1];
    return i >= 0 && next ? next.start - cols[i]!.start - 1 : Infinity;
  };
  const truncated = (local.length >= width("Local Address") && !l.valid) ||
    (remote.length >= width("Foreign Address") && !r.valid);
  const pp = /^(.*):([0-9]{1,10})$/.exec(f.get("process:pid") ?? "");
  return pp && pp[1] !== ""
    ? { conn, truncated, process: { pid: Number(pp[2]), name: pp[1]! } }
    : { conn, truncated };
}

function guess(address: string): Family {
  return address.includes(":") ? "inet6" : "inet";
}

type Endpoint = { address: string; port: number; wildcard: boolean; valid: boolean };

/** Splits BSD `addr.port` (the last dot separates the port; `*` is the wildcard). */
function splitEndpoint(text: string, family: Family): Endpoint | string {
  const dot = text.lastIndexOf(".");
  if (dot < 0) return "no port separator";
  const host = text.slice(0, dot);
  const portText = text.slice(dot + 1);
  const port = portText === "*" ? 0 : servicePort(portText);
  if (port === undefined) return `port ${JSON.stringify(portText)}`;
  if (host === "*" || host === "") {
    return {
      address: family === "inet6" ? "::" : "0.0.0.0",
      port,
      wildcard: portText === "*",
      valid: true,
    };
  }
  const valid = host.includes(":") ? parseIPv6(host) !== undefined : parseIPv4(host) !== undefined;
  return { address: canonicalAddress(host), port, wildcard: false, valid };
}

/** The owning pids from `-v` columns: `pid`, or `process:pid` (macOS 14+). */
function readPids(f: Map<string, string>): number[] {
  const out: number[] = [];
  // macOS prints pid 0 for a socket no process holds (TIME_WAIT, orphaned): unknown, not pid 0.
  const pid = parseSmallInt(f.get("pid"));
  if (pid !== undefined && pid !== 0) out.push(pid);
  const pp = f.get("process:pid");
  if (pp !== undefined) {
    const m = /:([0-9]{1,10})$/.exec(pp);
    const v = m ? parseSmallInt(m[1]) : undefined;
    if (v !== undefined && v !== 0 && !out.includes(v)) out.push(v);
  }
  return out.sort((a, b) => a - b);
}
