/**
 * /proc/net/packet: one packet socket per line, `sk RefCnt Type Proto Iface R Rmem User Inode`
 * (net/packet/af_packet.c): the socket type (3 SOCK_RAW, 2 SOCK_DGRAM), the Ethernet protocol in
 * hex, the bound interface's index (0: every interface), whether it runs, the bytes queued to
 * read, the owner uid and the inode.
 */
import type { PacketSocket } from "../../model.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";

/** A packet socket as the file shows it: the interface by index, named by the caller. */
export interface ProcPacketSocket extends Omit<PacketSocket, "interface"> {
  /** Index of the bound interface; absent for every interface. */
  ifindex?: number;
}

/**
 * Parses /proc/net/packet into packet sockets without owners.
 *
 * @example
 * ```ts
 * import { parseProcNetPacket } from "./proc_net_packet.ts";
 * const text = "sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n" +
 *   "00000000ba11d725 3      3    0806   3     1 0      0      1250452\n";
 * parseProcNetPacket(text).value; // [{ type: "raw", protocol: 2054, ifindex: 3, recvQ: 0, uid: 0, inode: 1250452 }]
 * ```
 */
export function parseProcNetPacket(
  text: string,
  source = "/proc/net/packet",
): Parsed<ProcPacketSocket[]> {
  const value: ProcPacketSocket[] = [];
  const warnings: string[] = [];
  splitLines(text).forEach((line, i) => {
    if (i === 0 && line.startsWith("sk")) return;
    if (line.trim() === "") return;
    const f = line.trim().split(/\s+/);
    const [, , type, proto, iface, , rmem, user, inode] = f;
    const nums = [type, iface, rmem, user, inode].map((x) =>
      /^[0-9]+$/.test(x ?? "") ? Number(x) : NaN
    );
    if (f.length < 9 || !/^[0-9a-fA-F]{1,4}$/.test(proto ?? "") || nums.some(Number.isNaN)) {
      warnings.push(cannotRead(source, i + 1, "packet socket line", line));
      return;
    }
    const [t, index, queued, uid, ino] = nums as [number, number, number, number, number];
    const rec: ProcPacketSocket = {
      type: t === 3 ? "raw" : t === 2 ? "dgram" : `type_${t}`,
      protocol: parseInt(proto!, 16),
      recvQ: queued,
      uid,
      inode: ino,
    };
    if (index !== 0) rec.ifindex = index;
    value.push(rec);
  });
  return { value, warnings };
}
