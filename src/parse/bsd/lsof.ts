/**
 * `lsof -nP -i` output, in its field form (`-F pcnPTtu`, meant for programs) or its column
 * layout, into the sockets each process holds: the link between a connection and its pid.
 */
import type { Family, ProcessInfo, Protocol } from "../../model.ts";
import { ParseError } from "../../errors.ts";
import { canonicalAddress, parseIPv4, parseIPv6 } from "../../net/address.ts";
import { canonicalState } from "../../net/states.ts";
import {
  assignColumns,
  cannotRead,
  headerColumns,
  type Parsed,
  parseSmallInt,
  readAt,
  sameOrigin,
  splitEndpoint,
  splitLines,
} from "../text.ts";

/** One Internet socket held by one process, as lsof reports it. */
export interface LsofSocket {
  pid: number;
  command: string;
  /** Login name (field `L`) where given. */
  user?: string;
  /** Numeric user id (field `u`) where given. */
  uid?: number;
  /** Parent pid (field `R`) where given: tells a pre-fork master from its workers. */
  ppid?: number;
  protocol: Protocol;
  family: Family;
  localAddress: string;
  localPort: number;
  remoteAddress?: string;
  remotePort?: number;
  state?: string;
}

/**
 * Parses `lsof -nP -i` (field output `-F pcnPTtu`, plus `L` login and `R` ppid when asked for,
 * or the column layout) into sockets.
 */
export function parseLsof(text: string, source = "<lsof>"): Parsed<LsofSocket[]> {
  const all = splitLines(text.replaceAll("\0", "\n"));
  const first = all.findIndex((l) => l.trim() !== "");
  if (first < 0) return { value: [], warnings: [] };
  const head = all[first]!;
  if (/^COMMAND\s+PID\s/.test(head)) return parseColumns(all, first, source);
  if (/^p[0-9]+$/.test(head.trimEnd())) return parseFields(all, source);
  throw new ParseError(source, first + 1, head, "cannot recognise lsof output (fields or columns)");
}

type Proc = { pid: number; command: string; user?: string; uid?: number; ppid?: number };
type Pending = {
  n: number;
  raw: string;
  type?: string;
  proto?: string;
  name?: string;
  state?: string;
};

function parseFields(all: readonly string[], source: string): Parsed<LsofSocket[]> {
  const sockets: LsofSocket[] = [];
  const warnings: string[] = [];
  let proc: Proc | undefined;
  let file: Pending | undefined;
  const flush = () => {
    if (!file || !proc) return;
    const s = toSocket(proc, file);
    if (typeof s === "string") {
      warnings.push(cannotRead(source, file.n, s, file.raw));
    } else if (s) sockets.push(readAt(s, file.n));
    file = undefined;
  };
  all.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    if (line === "") return;
    const id = line[0]!;
    const v = line.slice(1);
    switch (id) {
      case "p": {
        flush();
        const pid = parseSmallInt(v);
        if (pid === undefined) {
          proc = undefined;
          warnings.push(cannotRead(source, n, "process id", line));
        } else proc = { pid, command: "" };
        return;
      }
      case "c":
      case "u":
      case "R":
      case "L":
        if (!proc) {
          return void warnings.push(cannotRead(source, n, "field outside a process", line));
        }
        if (id === "c") proc.command = unescape(v);
        else if (id === "L") proc.user = v;
        else {
          const num = parseSmallInt(v);
          if (num !== undefined) proc[id === "u" ? "uid" : "ppid"] = num;
        }
        return;
      case "f":
        flush();
        if (!proc) {
          return void warnings.push(cannotRead(source, n, "file outside a process", line));
        }
        file = { n, raw: line };
        return;
      case "t":
      case "P":
      case "n":
      case "T":
        if (!file) {
          return void warnings.push(cannotRead(source, n, "field outside a file", line));
        }
        file.raw += ` ${line}`;
        if (id === "t") file.type = v;
        else if (id === "P") file.proto = v;
        else if (id === "n") file.name = v;
        else if (v.startsWith("ST=")) file.state = v.slice(3);
        return;
      default:
        // Other lsof fields (access, device, offset, inode, queue sizes…) carry nothing nsnap keeps.
        return;
    }
  });
  flush();
  return { value: sockets, warnings };
}

function parseColumns(
  all: readonly string[],
  first: number,
  source: string,
): Parsed<LsofSocket[]> {
  const sockets: LsofSocket[] = [];
  const warnings: string[] = [];
  const header = all[first]!;
  const cols = headerColumns(header);
  const nameCol = cols.find((c) => c.name === "NAME");
  if (!nameCol) throw new ParseError(source, first + 1, header, "cannot find the NAME column");
  const before = cols.filter((c) => c !== nameCol);
  for (let i = first + 1; i < all.length; i++) {
    const line = all[i]!.trimEnd();
    if (line.trim() === "") continue;
    const n = i + 1;
    // NAME is left-aligned under its header and is the only column that can hold spaces.
    const f = assignColumns(line.slice(0, nameCol.start), before);
    const pid = parseSmallInt(f.get("PID"));
    const command = f.get("COMMAND");
    const nameText = line.slice(nameCol.start).trim();
    if (pid === undefined || command === undefined || nameText === "") {
      warnings.push(cannotRead(source, n, "socket row", line));
      continue;
    }
    const st = /^(\S+)\s+\(([A-Z_0-9]+)\)$/.exec(nameText);
    const file: Pending = { n, raw: line, name: st ? st[1]! : nameText };
    if (st) file.state = st[2]!;
    const type = f.get("TYPE");
    const node = f.get("NODE");
    if (type !== undefined) file.type = type;
    if (node !== undefined) file.proto = node;
    const proc: Proc = { pid, command: unescape(command) };
    const user = f.get("USER");
    if (user !== undefined) proc.user = user;
    const s = toSocket(proc, file);
    if (typeof s === "string") warnings.push(cannotRead(source, n, s, line));
    else if (s) sockets.push(readAt(s, n));
  }
  return { value: sockets, warnings };
}

/** lsof writes unprintable and space characters in commands as `\xHH`. */
function unescape(text: string): string {
  return text.replace(
    /\\x([0-9a-fA-F]{2})/g,
    (_m, h: string) => String.fromCharCode(parseInt(h, 16)),
  );
}

/** A file of a process to a socket; undefined for files that are not TCP/UDP sockets. */
function toSocket(proc: Proc, file: Pending): LsofSocket | undefined | string {
  const proto = file.proto?.toLowerCase();
  if (proto !== "tcp" && proto !== "udp") return undefined;
  if (file.name === undefined) return "socket without a name";
  const family: Family | undefined = file.type === "IPv6"
    ? "inet6"
    : file.type === "IPv4"
    ? "inet"
    : undefined;
  const [l, r] = file.name.split("->");
  const fam = family ?? (l?.startsWith("[") ? "inet6" : "inet");
  const local = endpoint(l ?? "", fam);
  if (!local) return "local endpoint";
  const out: LsofSocket = {
    pid: proc.pid,
    command: proc.command,
    protocol: proto,
    family: fam,
    localAddress: local.address,
    localPort: local.port,
  };
  if (proc.user !== undefined) out.user = proc.user;
  if (proc.uid !== undefined) out.uid = proc.uid;
  if (proc.ppid !== undefined) out.ppid = proc.ppid;
  if (r !== undefined) {
    const remote = endpoint(r, fam);
    if (!remote) return "remote endpoint";
    out.remoteAddress = remote.address;
    out.remotePort = remote.port;
  }
  if (file.state !== undefined) out.state = canonicalState(file.state) ?? file.state;
  return out;
}

/** `1.2.3.4:22`, `[::1]:53`, `*:80`, `*:*` (wildcards become the family's any-address / 0). */
function endpoint(text: string, family: Family): { address: string; port: number } | undefined {
  const e = splitEndpoint(text);
  const port = e === undefined ? undefined : e.port === "*" ? 0 : parseSmallInt(e.port);
  if (e === undefined || port === undefined || port > 65535) return undefined;
  if (e.host === "*") return { address: family === "inet6" ? "::" : "0.0.0.0", port };
  const ok = e.host.includes(":")
    ? parseIPv6(e.host) !== undefined
    : parseIPv4(e.host) !== undefined;
  // netstat prints the scope of a link-local address too: kept, so the two join.
  const scope = e.scope === undefined ? "" : `%${e.scope}`;
  return ok ? { address: canonicalAddress(e.host) + scope, port } : undefined;
}

/** The processes lsof names, each once (name, parent, user as lsof gives them), in lsof's order. */
export function lsofProcesses(sockets: readonly LsofSocket[]): ProcessInfo[] {
  const seen = new Map<number, ProcessInfo>();
  for (const s of sockets) {
    if (seen.has(s.pid)) continue;
    const p: ProcessInfo = { pid: s.pid, name: s.command };
    if (s.ppid !== undefined) p.ppid = s.ppid;
    if (s.user !== undefined) p.user = s.user;
    if (s.uid !== undefined) p.uid = s.uid;
    seen.set(s.pid, sameOrigin(p, s));
  }
  return [...seen.values()];
}
