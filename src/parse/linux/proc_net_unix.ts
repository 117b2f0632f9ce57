/**
 * /proc/net/unix: one UNIX socket per line, `Num: RefCount Protocol Flags Type St Inode [Path]`
 * (net/unix/af_unix.c). Flags 0x10000 (__SO_ACCEPTCON) marks a listener; St is SS_CONNECTED (3)
 * for a connected socket, SS_CONNECTING (2) for one waiting in an accept queue and
 * SS_UNCONNECTED (1) or SS_DISCONNECTING (4) otherwise; a leading NUL of an abstract name, and
 * every NUL in it, is printed as `@`.
 *
 * The states are named as unix_diag names them (LISTEN, ESTABLISHED, UNCONN), so a snapshot read
 * from here compares with one read over netlink. What only netlink tells (queues, peer, uid) is
 * absent.
 */
import type { UnixSocket } from "../../model.ts";
import { decodeUtf8 } from "../netlink/nlmsg.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";

/** Socket types by number, as unix_diag's decoder names them. */
const TYPES: Readonly<Record<string, string>> = {
  "0001": "stream",
  "0002": "dgram",
  "0005": "seqpacket",
};

const ACCEPTCON = 0x10000;

/** The name as the kernel printed it, bytes read as latin1, decoded as netlink's decoder does. */
function nameText(raw: string): string {
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i) & 0xff;
  return decodeUtf8(bytes);
}

/**
 * Parses /proc/net/unix (the text as read, latin1) into UNIX sockets without owners.
 *
 * @example
 * ```ts
 * import { parseProcNetUnix } from "./proc_net_unix.ts";
 * const text = "Num       RefCount Protocol Flags    Type St Inode Path\n" +
 *   "0000000002c7d038: 00000002 00000000 00010000 0001 01 1250446 /run/app.sock\n";
 * parseProcNetUnix(text).value; // [{ type: "stream", state: "LISTEN", path: "/run/app.sock", inode: 1250446 }]
 * ```
 */
export function parseProcNetUnix(text: string, source = "/proc/net/unix"): Parsed<UnixSocket[]> {
  const value: UnixSocket[] = [];
  const warnings: string[] = [];
  splitLines(text).forEach((line, i) => {
    if (i === 0 && line.startsWith("Num")) return;
    if (line.trim() === "") return;
    // Seven fields, then one space and the path (which may hold spaces) when bound.
    const m =
      /^\s*[0-9a-fA-F]+:\s+[0-9a-fA-F]+\s+[0-9a-fA-F]+\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]{4})\s+([0-9a-fA-F]{2})\s+([0-9]+)(?: (.*))?$/
        .exec(line);
    if (!m) {
      warnings.push(cannotRead(source, i + 1, "UNIX socket line", line));
      return;
    }
    const flags = parseInt(m[1]!, 16), st = parseInt(m[3]!, 16);
    const rec: UnixSocket = {
      type: TYPES[m[2]!] ?? `type_${parseInt(m[2]!, 16)}`,
      state: flags & ACCEPTCON ? "LISTEN" : st === 3 || st === 2 ? "ESTABLISHED" : "UNCONN",
      inode: Number(m[4]),
    };
    const path = m[5];
    if (path !== undefined && path !== "") {
      rec.path = nameText(path);
      if (path.startsWith("@")) rec.abstract = true;
    }
    value.push(rec);
  });
  return { value, warnings };
}
