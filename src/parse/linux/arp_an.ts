/**
 * net-tools `arp -an`: `? (10.0.0.1) at 52:54:00:12:34:56 [ether] on eth0`, with `PERM` for a
 * static entry, `PUB` for a proxy one (`at <from_interface>`), and `at <incomplete>` for one not
 * resolved. Like /proc/net/arp it shows no NUD state (see proc_net_arp.ts for how that is
 * written). A resolved name in front of the parenthesis (without -n) is read past.
 */
import type { Neighbour } from "../../model.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";
import { arpNeighbour } from "./proc_net_arp.ts";

const LINE =
  /^\S+ \(([0-9]{1,3}(?:\.[0-9]{1,3}){3})\) at (\S+)(?: \[[^\]]*\])?((?: [A-Z]+)*) on (\S+)\s*$/;

/** Parses `arp -an` into IPv4 neighbour entries. */
export function parseArpAn(text: string, source = "arp -an"): Parsed<Neighbour[]> {
  const out: Neighbour[] = [];
  const warnings: string[] = [];
  splitLines(text).forEach((line, idx) => {
    if (line.trim() === "") return;
    const m = LINE.exec(line.trim());
    if (!m) {
      warnings.push(cannotRead(source, idx + 1, "ARP entry", line));
      return;
    }
    const words = (m[3] ?? "").trim().split(/\s+/);
    const at = m[2]!;
    out.push(arpNeighbour(m[1]!, at.startsWith("<") ? undefined : at, m[4]!, {
      resolved: !at.startsWith("<"),
      permanent: words.includes("PERM"),
      proxy: words.includes("PUB"),
    }));
  });
  return { value: out, warnings };
}
