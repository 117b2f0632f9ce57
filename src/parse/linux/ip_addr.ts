/**
 * iproute2 `ip addr` / `ip link` text, including `-o` (oneline, `\` between a link's lines),
 * `-s` (RX/TX counter blocks) and `-d` (detail lines, read past). `ip -j addr` JSON is read by
 * `parseIpJsonAddr` in ip_json.ts instead.
 */
import type { InterfaceAddress, InterfaceStatName, NetInterface } from "../../model.ts";
import { canonicalAddress } from "../../net/address.ts";
import { cannotRead, own, type Parsed, readAt, splitLines } from "../text.ts";

/** `N: name[@link]: <FLAGS> key value …` — the first line of a link. */
const LINK_LINE = /^([0-9]+):\s+(.+?):\s+<([^>]*)>(.*)$/;
/** `N: name inet|inet6 …` — an address line of `ip -o addr`. */
const ONELINE_ADDR = /^([0-9]+):\s+(\S+)\s+(inet6?\s.*)$/;

/** ip's RX/TX column names → /proc/net/dev counters (see parseStats for `missed`). */
const RX: Record<string, InterfaceStatName> = {
  bytes: "rxBytes",
  packets: "rxPackets",
  errors: "rxErrors",
  dropped: "rxDropped",
  mcast: "rxMulticast",
  fifo: "rxFifo",
  compressed: "rxCompressed",
};
const TX: Record<string, InterfaceStatName> = {
  bytes: "txBytes",
  packets: "txPackets",
  errors: "txErrors",
  dropped: "txDropped",
  carrier: "txCarrier",
  collsns: "txCollisions",
  fifo: "txFifo",
  compressed: "txCompressed",
};

/** The second-level `ip -s -s` error lines: only fifo is a /proc/net/dev column as such. */
const RX_ERR: Record<string, InterfaceStatName> = { fifo: "rxFifo" };
const TX_ERR: Record<string, InterfaceStatName> = { fifo: "txFifo" };

/** Link types whose address is a hardware address worth keeping as `mac`. */
const MAC_LINK = /^link\/(ether|loopback|infiniband|ieee802\.11|fddi|tr|arcnet)$/;

/** Parses `ip addr` / `ip link` text (any of -o, -s, -d) into interfaces. */
export function parseIpAddr(
  text: string,
  source = "ip addr",
): Parsed<NetInterface[]> {
  const interfaces: NetInterface[] = [];
  const byName = new Map<string, NetInterface>();
  const warnings: string[] = [];
  let cur: NetInterface | undefined;
  /** The RX:/TX: header whose numbers the next line holds. */
  let pending: { map: Record<string, InterfaceStatName>; cols: string[] } | undefined;
  const lines = splitLines(text);
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    // Oneline output joins a link's lines with "\"; read them as the indented lines they were.
    const parts = raw.split("\\");
    parts.forEach((part, k) => {
      const line = k === 0 ? part : "    " + part.trim();
      if (line.trim() === "") return;
      const link = LINK_LINE.exec(line);
      if (link) {
        pending = undefined;
        cur = readAt(startLink(link, byName, interfaces), lineNo);
        return;
      }
      const one = ONELINE_ADDR.exec(line);
      if (one) {
        cur = byName.get(one[2]!) ??
          addLink(
            readAt({ name: one[2]!, index: Number(one[1]), flags: [], addresses: [] }, lineNo),
            byName,
            interfaces,
          );
        if (!readIndented(cur, one[3]!)) warnings.push(cannotRead(source, lineNo, "address", raw));
        return;
      }
      if (!/^\s/.test(line) || cur === undefined) {
        warnings.push(cannotRead(source, lineNo, "ip line", line));
        return;
      }
      const body = line.trim();
      if (pending) {
        const nums = body.split(/\s+/);
        if (nums.length === pending.cols.length && nums.every((n) => /^[0-9]+$/.test(n))) {
          applyStats(cur, pending, nums);
          pending = undefined;
          return;
        }
        pending = undefined;
        warnings.push(cannotRead(source, lineNo, "counter line", line));
        return;
      }
      const stats = /^(RX|TX)( errors)?:\s+(.*)$/.exec(body);
      if (stats) {
        const map = stats[2]
          ? (stats[1] === "RX" ? RX_ERR : TX_ERR)
          : (stats[1] === "RX" ? RX : TX);
        pending = { map, cols: stats[3]!.trim().split(/\s+/) };
        return;
      }
      if (!readIndented(cur, body)) warnings.push(cannotRead(source, lineNo, "address", line));
    });
  });
  return { value: interfaces, warnings };
}

function addLink(
  itf: NetInterface,
  byName: Map<string, NetInterface>,
  list: NetInterface[],
): NetInterface {
  byName.set(itf.name, itf);
  list.push(itf);
  return itf;
}

function startLink(
  m: RegExpExecArray,
  byName: Map<string, NetInterface>,
  list: NetInterface[],
): NetInterface {
  // "eth0.11@eth0" names the link it sits on; the interface is "eth0.11".
  const full = m[2]!;
  const at = full.lastIndexOf("@");
  const name = at > 0 ? full.slice(0, at) : full;
  const itf = byName.get(name) ?? addLink({ name, flags: [], addresses: [] }, byName, list);
  itf.index = Number(m[1]);
  itf.flags = m[3]!.split(",").filter((f) => f !== "");
  const words = m[4]!.trim().split(/\s+/);
  for (let k = 0; k + 1 < words.length; k++) {
    const v = words[k + 1]!;
    if (words[k] === "mtu" && /^[0-9]+$/.test(v)) itf.mtu = Number(v);
    if (words[k] === "state") itf.operState = v.toLowerCase();
  }
  return itf;
}

function applyStats(
  itf: NetInterface,
  p: { map: Record<string, InterfaceStatName>; cols: string[] },
  nums: string[],
) {
  const stats = (itf.stats ??= {});
  let missed = 0n;
  p.cols.forEach((col, k) => {
    const v = BigInt(nums[k]!);
    // /proc/net/dev's drop column counts missed packets too; ip's RX line shows them apart.
    if (col === "missed" && p.map === RX) missed = v;
    const stat = own(p.map, col);
    if (stat) stats[stat] = v;
  });
  if (p.map === RX && missed > 0n && stats.rxDropped !== undefined) stats.rxDropped += missed;
}

/** Reads one indented line of a link (link/…, inet, inet6); detail lines are read past. */
function readIndented(itf: NetInterface, body: string): boolean {
  const w = body.split(/\s+/);
  const kind = w[0]!;
  if (kind.startsWith("link/")) {
    const mac = w[1];
    if (MAC_LINK.test(kind) && mac !== undefined && /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i.test(mac)) {
      itf.mac = mac.toLowerCase();
    }
    return true;
  }
  if (kind !== "inet" && kind !== "inet6") return true;
  const family = kind;
  const local = w[1];
  if (local === undefined) return false;
  let cidr = local;
  const peer = w.indexOf("peer");
  // "inet A peer B/32": the prefix printed is the peer's.
  if (!cidr.includes("/") && peer > 0 && w[peer + 1]?.includes("/")) {
    cidr = `${cidr}/${w[peer + 1]!.split("/")[1]}`;
  }
  const slash = cidr.indexOf("/");
  const address = slash < 0 ? cidr : cidr.slice(0, slash);
  const prefix = slash < 0 ? (family === "inet" ? 32 : 128) : Number(cidr.slice(slash + 1));
  const max = family === "inet" ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return false;
  if (family === "inet6" !== address.includes(":")) return false;
  const a: InterfaceAddress = { family, address: canonicalAddress(address), prefixLength: prefix };
  const scope = w.indexOf("scope");
  if (scope > 0 && w[scope + 1] !== undefined) a.scope = w[scope + 1]!;
  const brd = w.indexOf("brd");
  if (brd > 0 && w[brd + 1] !== undefined) a.broadcast = w[brd + 1]!;
  itf.addresses.push(a);
  return true;
}
