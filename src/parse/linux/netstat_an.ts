/**
 * Linux net-tools `netstat` socket listings: `-an`, `-anp`, `-tulpn`, `-aeep`, `-neopa`, and the
 * name-resolving forms without `-n` (host and service names are kept as printed; a service name
 * becomes its port where it is a well-known one).
 *
 * The optional columns (User, Inode, PID/Program name, Timer) are found from the header; `-` in
 * them means "not known" and leaves the field absent. UNIX, Bluetooth and other sections are
 * skipped, as are raw sockets: a snapshot holds TCP and UDP.
 */
import type { Connection, Family, ProcessInfo, Protocol } from "../../model.ts";
import {
  addressFamily,
  cannotRead,
  isDigits,
  own,
  type Parsed,
  portNumber,
  portProblem,
  readAt,
  socketAddress,
  type SocketTable,
  splitEndpoint,
  splitLines,
} from "../text.ts";
import { canonicalState } from "../../net/states.ts";

/** nsnap's name of a state in netstat's State column (upper case: a User column never is). */
function netstatState(word: string | undefined): string | undefined {
  if (word === undefined || !/^[A-Z][A-Z0-9_]*$/.test(word)) return undefined;
  const name = canonicalState(word);
  return name === "UNCONN" ? undefined : name;
}

const PROTOS: Record<string, [Protocol, Family]> = {
  tcp: ["tcp", "inet"],
  tcp6: ["tcp", "inet6"],
  udp: ["udp", "inet"],
  udp6: ["udp", "inet6"],
};

const TIMER = /\s+(off|on|keepalive|timewait|probe|unkn-[0-9]+)\s+\([^)]*\)\s*$/;

/** Which optional columns the current section's header announced. */
interface Layout {
  user: boolean;
  program: boolean;
  timer: boolean;
  /**
   * Where labels after the ones nsnap reads begin (`-Z`'s `Security Context`…), or undefined:
   * their values are passed over.
   */
  more: number | undefined;
}

/** The columns a netstat socket header announces. */
function layoutOf(header: string): Layout {
  const last = /(\sState|\sInode|PID\/Program name|\sTimer)/g;
  let end = 0;
  for (const m of header.matchAll(last)) end = m.index + m[0].length;
  const rest = header.slice(end);
  const more = /\S/.exec(rest);
  return {
    user: /\sUser\s+Inode\b/.test(header),
    program: header.includes("PID/Program"),
    timer: /\sTimer\b/.test(header),
    more: more === null ? undefined : end + more.index,
  };
}

/**
 * Parses Linux `netstat` socket output into TCP/UDP connections (with pid, uid and inode where
 * the columns are there).
 *
 * @example
 * ```ts
 * declare const text: string; // the output of `netstat -tulpn`
 * const { value: { connections, processes } } = parseLinuxNetstat(text, "netstat-tulpn.txt");
 * ```
 */
export function parseLinuxNetstat(text: string, source = "netstat"): Parsed<SocketTable> {
  const connections: Connection[] = [];
  const processes = new Map<number, ProcessInfo>();
  const warnings: string[] = [];
  const lines = splitLines(text);
  // Output without the "Active …" title (a pasted table) starts in the Internet section.
  let inInternet = true;
  let layout: Layout | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("Active ")) {
      inInternet = trimmed.startsWith("Active Internet");
      layout = undefined;
      continue;
    }
    if (!inInternet) continue;
    if (trimmed.startsWith("Proto ")) {
      layout = layoutOf(trimmed);
      continue;
    }
    const proto = trimmed.split(/\s+/, 1)[0]!;
    const kind = own(PROTOS, proto);
    if (kind === undefined) {
      // raw/raw6/sctp/udpl sockets are outside the snapshot; anything else is unreadable.
      if (/^(raw6?|udpl6?|sctp6?|unix|icmp6?)$/.test(proto)) continue;
      warnings.push(cannotRead(source, i + 1, "netstat line", line));
      continue;
    }
    const c = parseSocketLine(
      trimmed,
      kind,
      layout ?? { user: false, program: false, timer: false, more: undefined },
    );
    if (typeof c === "string") {
      warnings.push(cannotRead(source, i + 1, `netstat line (${c})`, line));
      continue;
    }
    connections.push(readAt(c.connection, i + 1));
    if (c.process && !processes.has(c.process.pid)) {
      processes.set(c.process.pid, readAt(c.process, i + 1));
    }
  }
  return { value: { connections, processes: [...processes.values()] }, warnings };
}

function parseSocketLine(
  line: string,
  [protocol, protoFamily]: [Protocol, Family],
  layout: Layout,
): { connection: Connection; process?: ProcessInfo } | string {
  // Extra columns start where their label does, unless a wide address pushed the row along.
  const at = layout.more;
  const cut = at !== undefined && /\s/.test(line[at - 1] ?? "") ? line.slice(0, at) : line;
  const body = layout.timer ? cut.replace(TIMER, "") : cut;
  const words = [...body.matchAll(/\S+/g)];
  const [, recvQ, sendQ, local, foreign] = words.map((m) => m[0]);
  if (!isDigits(recvQ) || !isDigits(sendQ)) return "bad queue";
  const le = local === undefined ? undefined : splitEndpoint(local);
  const fe = foreign === undefined ? undefined : splitEndpoint(foreign);
  if (le === undefined || fe === undefined) return "bad address";
  const localPort = portNumber(le.port), remotePort = portNumber(fe.port);
  if (localPort === undefined || remotePort === undefined) {
    return portProblem(localPort === undefined ? le.port : fe.port);
  }
  let w = 5;
  let state = netstatState(words[w]?.[0]);
  if (state !== undefined) {
    w++;
  } else {
    if (protocol === "tcp") return "no state";
    state = undefined;
  }
  // UDP shows no state when unconnected; a connected UDP socket says ESTABLISHED.
  const family = protoFamily === "inet6" ? "inet6" : addressFamily(le.host, protoFamily);
  const connection: Connection = {
    protocol,
    family,
    localAddress: socketAddress(le.host, family),
    localPort,
    remoteAddress: socketAddress(fe.host, family),
    remotePort,
    state: state ?? "UNCONN",
    recvQ: Number(recvQ),
    sendQ: Number(sendQ),
  };
  if (layout.user) {
    const user = words[w++]?.[0], inode = words[w++]?.[0];
    if (user === undefined || !isDigits(inode)) return "bad User/Inode";
    if (isDigits(user)) connection.uid = Number(user);
    else if (user === "root") connection.uid = 0;
    // A TIME_WAIT or half-open socket has inode 0: no file holds it.
    connection.inode = Number(inode);
  }
  let process: ProcessInfo | undefined;
  if (layout.program) {
    const start = words[w];
    if (start === undefined) {
      // Trailing spaces trimmed away an empty column: nothing known.
    } else {
      const text = body.slice(start.index).trim();
      const m = /^([0-9]+)\/(.*)$/.exec(text);
      if (m) {
        const pid = Number(m[1]);
        connection.pid = pid;
        connection.pids = [pid];
        process = { pid, name: m[2]!.trim() };
      } else if (text !== "-") {
        return "bad PID/Program name";
      }
    }
  } else if (words.length > w) {
    return "unexpected columns";
  }
  return process ? { connection, process } : { connection };
}
