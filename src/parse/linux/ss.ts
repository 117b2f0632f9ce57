/**
 * `ss` output (`-tan`, `-tanp`, `-tulpn`, `-tulpen`, `-a`): TCP and UDP sockets with their owners.
 *
 * Both layouts are read: the old one (`*:22` is IPv4 any, `:::22` IPv6 any, users as
 * `(("name",pid,fd))`) and the newer right-aligned one (`0.0.0.0:22`, `[::]:22`, `*:22` a
 * dual-stack IPv6 socket, users as `(("name",pid=N,fd=N))`). Other socket families that `ss -a`
 * lists (netlink, unix, packet…) are skipped: they are not part of a snapshot.
 */
import type { Connection, Family, ProcessInfo, Protocol } from "../../model.ts";
import { ParseError } from "../../errors.ts";
import { canonicalState } from "../../net/states.ts";
import {
  addressFamily,
  cannotRead,
  isDigits,
  type Parsed,
  portNumber,
  portProblem,
  readAt,
  socketAddress,
  type SocketTable,
  splitEndpoint,
  splitLines,
} from "../text.ts";

/** nsnap's name of a state as ss prints it (`ESTAB`, `SYN-RECV`, upper case only). */
function ssState(word: string | undefined): string | undefined {
  return word !== undefined && /^[A-Z][A-Z0-9-]*$/.test(word) ? canonicalState(word) : undefined;
}

/** One holder in a `users:((…),(…))` list: old `("name",pid,fd)` or new `("name",pid=N,fd=N)`. */
const USER_ENTRY = /\("((?:[^"\\]|\\.)*)",(?:pid=)?([0-9]+),(?:fd=)?([0-9]+)\)/g;

/**
 * Parses `ss` text into TCP/UDP connections, with pids and process names where `-p` was given and
 * uid/inode where `-e` was given.
 *
 * @example
 * ```ts
 * const { value } = parseSs(await Deno.readTextFile("ss-tulpn.txt"), "ss-tulpn.txt");
 * value.connections.length;
 * ```
 */
export function parseSs(text: string, source = "ss"): Parsed<SocketTable> {
  const lines = splitLines(text);
  const connections: Connection[] = [];
  const processes = new Map<number, ProcessInfo>();
  const warnings: string[] = [];
  const headerIdx = lines.findIndex((l) => /^\s*(Netid|State)\s+/.test(l));
  let hasNetid: boolean;
  let startIdx: number;
  if (headerIdx >= 0) {
    hasNetid = lines[headerIdx]!.trim().startsWith("Netid");
    startIdx = headerIdx + 1;
    for (let i = 0; i < headerIdx; i++) {
      if (lines[i]!.trim() !== "") warnings.push(cannotRead(source, i + 1, "ss line", lines[i]!));
    }
  } else {
    // `ss -H` prints no header: the first word says whether a Netid column is there.
    const first = lines.find((l) => l.trim() !== "")?.trim().split(/\s+/)[0];
    if (first === undefined) return { value: { connections, processes: [] }, warnings };
    if (ssState(first) === undefined && !/^[a-z][a-z0-9_]*$/.test(first)) {
      throw new ParseError(source, 1, lines[0] ?? "", "not ss output (no header)");
    }
    hasNetid = ssState(first) === undefined;
    startIdx = 0;
  }
  // Newer ss writes IPv4 any as 0.0.0.0 and IPv6 any as [::]; a bare `*` is then a dual-stack
  // IPv6 socket. Older ss writes `*` for IPv4 any and `:::` for IPv6 any.
  const newStyle = lines.some((l) => /\s(0\.0\.0\.0|\[::\]|\[[0-9a-f:]+\]):/.test(l));
  for (let i = startIdx; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const words = [...line.matchAll(/\S+/g)];
    let w = 0;
    let protocol: Protocol;
    if (hasNetid) {
      const netid = words[w++]?.[0] ?? "";
      if (netid !== "tcp" && netid !== "udp") {
        if (/^[a-z][a-z0-9_]*$/.test(netid) && words.length >= 5) continue;
        warnings.push(cannotRead(source, i + 1, "ss line", line));
        continue;
      }
      protocol = netid;
    } else {
      protocol = words[0]?.[0] === "UNCONN" ? "udp" : "tcp";
    }
    const [state, recvQ, sendQ, local, peer] = words.slice(w, w + 5).map((m) => m[0]);
    const lastWord = words[w + 4];
    const le = local === undefined ? undefined : splitEndpoint(local);
    const pe = peer === undefined ? undefined : splitEndpoint(peer);
    const name = ssState(state);
    if (
      name === undefined || !isDigits(recvQ) || !isDigits(sendQ) ||
      le === undefined || pe === undefined || lastWord === undefined
    ) {
      warnings.push(cannotRead(source, i + 1, "ss line", line));
      continue;
    }
    const localPort = portNumber(le.port), remotePort = portNumber(pe.port);
    if (localPort === undefined || remotePort === undefined) {
      const problem = portProblem(localPort === undefined ? le.port : pe.port);
      warnings.push(cannotRead(source, i + 1, `ss line (${problem})`, line));
      continue;
    }
    const starFamily: Family = newStyle ? "inet6" : "inet";
    let family = addressFamily(le.host, le.host === "*" ? starFamily : "inet");
    if (le.host === "*" && pe.host !== "*") family = addressFamily(pe.host, family);
    const c: Connection = {
      protocol,
      family,
      localAddress: socketAddress(le.host, family),
      localPort,
      remoteAddress: socketAddress(pe.host, family),
      remotePort,
      state: name,
      recvQ: Number(recvQ),
      sendQ: Number(sendQ),
    };
    const rest = line.slice((lastWord.index ?? 0) + lastWord[0].length);
    const ino = /(?:^|\s)ino:([0-9]+)/.exec(rest);
    if (ino) {
      c.inode = Number(ino[1]);
      // ss -e prints uid only when it is not 0 (root).
      const uid = /(?:^|\s)uid:([0-9]+)/.exec(rest);
      c.uid = uid ? Number(uid[1]) : 0;
    }
    const users = /users:\(/.exec(rest);
    if (users) {
      const pids = new Set<number>();
      for (const m of rest.slice(users.index).matchAll(USER_ENTRY)) {
        const pid = Number(m[2]);
        pids.add(pid);
        if (!processes.has(pid)) {
          processes.set(pid, readAt({ pid, name: m[1]!.replace(/\\(.)/g, "$1") }, i + 1));
        }
      }
      if (pids.size === 0) {
        warnings.push(cannotRead(source, i + 1, "ss process list", rest));
      } else {
        const sorted = [...pids].sort((a, b) => a - b);
        c.pids = sorted;
        // ss cannot tell which holder is the parent; the oldest (lowest) pid is the likely master.
        c.pid = sorted[0]!;
      }
    }
    connections.push(readAt(c, i + 1));
  }
  return { value: { connections, processes: [...processes.values()] }, warnings };
}
