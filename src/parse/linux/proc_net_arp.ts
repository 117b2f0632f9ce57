/**
 * /proc/net/arp: the kernel's IPv4 neighbour table in text, for captures where `ip` cannot run.
 * Columns: IP address, HW type, Flags (ATF_COM 0x2 resolved, ATF_PERM 0x4 static, ATF_PUBL 0x8
 * proxy), HW address, Mask, Device.
 *
 * Decisions: this table does not show the NUD state. A resolved dynamic entry is written without
 * a state (absent, not guessed); a static one is PERMANENT; an unresolved one INCOMPLETE, which
 * here also stands for FAILED (the file cannot tell them apart); a proxy entry has no state.
 */
import type { Neighbour } from "../../model.ts";
import { canonicalAddress } from "../../net/address.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";
import { linkLayerAddress } from "./ip_neigh.ts";

const ATF_COM = 0x2;
const ATF_PERM = 0x4;
const ATF_PUBL = 0x8;

/** A neighbour from what /proc/net/arp and `arp -an` both show: flags, address, MAC, device. */
export function arpNeighbour(
  address: string,
  mac: string | undefined,
  device: string,
  flags: { resolved: boolean; permanent: boolean; proxy: boolean },
): Neighbour {
  const n: Neighbour = { family: "inet", address: canonicalAddress(address), interface: device };
  if (flags.proxy) {
    n.proxy = true;
    return n;
  }
  if (flags.resolved && mac !== undefined) n.mac = linkLayerAddress(mac);
  if (flags.permanent) n.state = "PERMANENT";
  else if (!flags.resolved) n.state = "INCOMPLETE";
  return n;
}

/** Parses /proc/net/arp into IPv4 neighbour entries. */
export function parseProcNetArp(text: string, source = "/proc/net/arp"): Parsed<Neighbour[]> {
  const out: Neighbour[] = [];
  const warnings: string[] = [];
  splitLines(text).forEach((line, idx) => {
    if (line.trim() === "" || /^IP address\s/.test(line)) return;
    const f = line.trim().split(/\s+/);
    const [addr, , flagsHex, mac, , dev] = f;
    const flags = /^0x[0-9a-f]+$/i.test(flagsHex ?? "") ? parseInt(flagsHex!, 16) : NaN;
    if (
      f.length < 6 || dev === undefined || !/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(addr ?? "") ||
      Number.isNaN(flags)
    ) {
      warnings.push(cannotRead(source, idx + 1, "ARP entry", line));
      return;
    }
    out.push(arpNeighbour(addr!, mac, dev, {
      resolved: (flags & ATF_COM) !== 0,
      permanent: (flags & ATF_PERM) !== 0,
      proxy: (flags & ATF_PUBL) !== 0,
    }));
  });
  return { value: out, warnings };
}
