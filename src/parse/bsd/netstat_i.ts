/**
 * BSD interface tables (macOS `netstat -i`, `-ib`, `-ibn`, `-ibdln`; FreeBSD `-i`, `-ibdn`):
 * `<Link#N>` rows give an interface with its MAC and counters; address rows add addresses.
 */
import type { Family, InterfaceAddress, InterfaceStats, NetInterface } from "../../model.ts";
import { ParseError } from "../../errors.ts";
import { canonicalAddress, canonicalMac, parseIPv4, parseIPv6 } from "../../net/address.ts";
import {
  cannotRead,
  type Column,
  headerColumns,
  own,
  parseCount,
  type Parsed,
  parseSmallInt,
  readAt,
  splitLines,
  tokenize,
} from "../text.ts";

const STAT_COLUMNS: Record<string, keyof InterfaceStats> = {
  Ipkts: "rxPackets",
  Ierrs: "rxErrors",
  Idrop: "rxDropped",
  Ibytes: "rxBytes",
  Opkts: "txPackets",
  Oerrs: "txErrors",
  Obytes: "txBytes",
  Coll: "txCollisions",
  Drop: "txDropped",
};

/**
 * Parses BSD `netstat -i`-family output into interfaces with stats and addresses. The counter
 * columns are every column after Address, in header order; those nsnap has no field for are
 * read past.
 */
export function parseNetstatI(text: string, source = "<netstat -i>"): Parsed<NetInterface[]> {
  const interfaces: NetInterface[] = [];
  const warnings: string[] = [];
  let cols: Column[] | undefined;
  let numeric: string[] = [];
  let narrow = false;
  let unreadableAddresses = 0;
  const all = splitLines(text);
  all.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    if (line.trim() === "") return;
    if (/^Name\s+Mtu\s/.test(line)) {
      cols = headerColumns(line);
      const a = cols.findIndex((c) => c.name === "Address");
      numeric = a >= 0 ? cols.slice(a + 1).map((c) => c.name) : [];
      const next = cols[a + 1];
      narrow = a >= 0 && next !== undefined && next.start - cols[a]!.start < 30;
      return;
    }
    if (!cols) {
      warnings.push(cannotRead(source, n, "line before a table header", line));
      return;
    }
    const tokens = tokenize(line).map((t) => t.text);
    let tail = 0;
    while (
      tail < numeric.length && tail < tokens.length - 3 &&
      /^([0-9]+|-)$/.test(tokens[tokens.length - 1 - tail]!)
    ) tail++;
    const head = tokens.slice(0, tokens.length - tail);
    const values = tokens.slice(tokens.length - tail);
    const [nameText, mtuText, network, address, ...extra] = head;
    if (!nameText || !mtuText || !network || extra.length > 0 || tail === 0) {
      warnings.push(cannotRead(source, n, "interface row", line));
      return;
    }
    const down = nameText.endsWith("*");
    const name = down ? nameText.slice(0, -1) : nameText;
    const mtu = parseSmallInt(mtuText);
    const link = /^<Link#([0-9]+)>$/.exec(network);
    if (link) {
      const iface: NetInterface = { name, index: Number(link[1]), flags: [], addresses: [] };
      if (mtu !== undefined) iface.mtu = mtu;
      if (down) iface.operState = "down";
      const mac = address === undefined ? undefined : canonicalMac(address);
      if (mac) iface.mac = mac;
      const stats: InterfaceStats = {};
      values.forEach((v, k) => {
        const key = own(STAT_COLUMNS, numeric[k]!);
        const c = parseCount(v);
        if (key && c !== undefined) stats[key] = c;
      });
      iface.stats = stats;
      interfaces.push(readAt(iface, n));
      return;
    }
    let iface = interfaces.findLast((x) => x.name === name);
    if (!iface) {
      iface = { name, flags: [], addresses: [] };
      if (mtu !== undefined) iface.mtu = mtu;
      interfaces.push(readAt(iface, n));
    }
    const addr = address === undefined ? undefined : readAddress(network, address, narrow);
    if (addr) {
      if (!iface.addresses.some((a) => a.address === addr.address)) iface.addresses.push(addr);
    } else unreadableAddresses++;
  });
  if (!cols && all.some((l) => l.trim() !== "")) {
    const idx = all.findIndex((l) => l.trim() !== "");
    throw new ParseError(source, idx + 1, all[idx] ?? "", "cannot find the interface table header");
  }
  if (unreadableAddresses > 0) {
    warnings.push(
      `${source}: ${unreadableAddresses} address rows show names or truncated text; their addresses are left out (ifconfig has them)`,
    );
  }
  return { value: interfaces, warnings };
}

/** An address row's address with its prefix, or undefined when the view cut or resolved it. */
function readAddress(
  network: string,
  address: string,
  narrow: boolean,
): InterfaceAddress | undefined {
  if (narrow && address.length >= 17) return undefined;
  const slash = network.lastIndexOf("/");
  const shownLen = slash >= 0 ? network.slice(slash + 1) : undefined;
  if (shownLen !== undefined && !/^[0-9]{1,3}$/.test(shownLen)) return undefined;
  const family: Family = address.includes(":") ? "inet6" : "inet";
  if (family === "inet6") {
    if (parseIPv6(address) === undefined || shownLen === undefined) return undefined;
    const prefixLength = Number(shownLen);
    if (prefixLength > 128) return undefined;
    return { family, address: canonicalAddress(address), prefixLength };
  }
  if (parseIPv4(address) === undefined) return undefined;
  let prefixLength: number;
  if (shownLen !== undefined) prefixLength = Number(shownLen);
  else {
    // BSD prints a network without a mask as its significant octets ("192.168.1" is a /24).
    const parts = network.split(".");
    if (parts.some((p) => !/^[0-9]{1,3}$/.test(p)) || parts.length > 4) return undefined;
    prefixLength = parts.length * 8;
  }
  if (prefixLength > 32) return undefined;
  return { family, address: canonicalAddress(address), prefixLength };
}
