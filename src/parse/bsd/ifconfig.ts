/**
 * BSD `ifconfig` (macOS, FreeBSD): one block per interface, a `name: flags=…<…> mtu N` line and
 * tab-indented detail lines (ether, inet, inet6, status, media). Details nsnap does not model
 * (options, nd6, groups, bridge members) are passed over.
 */
import type { InterfaceAddress, NetInterface } from "../../model.ts";
import { ParseError } from "../../errors.ts";
import {
  canonicalAddress,
  canonicalMac,
  parseIPv4,
  parseIPv6,
  prefixOfMask,
} from "../../net/address.ts";
import { cannotRead, type Parsed, readAt, splitLines } from "../text.ts";

const HEADER = /^(\S+?):\s+flags=([0-9a-fA-F]+)<([^>]*)>(.*)$/;

/** Parses BSD `ifconfig -a` output into interfaces (flags, MTU, MAC, addresses, state). */
export function parseIfconfig(text: string, source = "<ifconfig>"): Parsed<NetInterface[]> {
  const interfaces: NetInterface[] = [];
  const warnings: string[] = [];
  let cur: NetInterface | undefined;
  let status: string | undefined;
  const finish = () => {
    if (!cur) return;
    if (status !== undefined) cur.operState = status;
    else if (!cur.flags.includes("UP")) cur.operState = "down";
    interfaces.push(cur);
    cur = undefined;
    status = undefined;
  };
  const all = splitLines(text);
  all.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    if (line.trim() === "") return;
    if (!/^\s/.test(line)) {
      const h = HEADER.exec(line);
      finish();
      if (!h) {
        warnings.push(cannotRead(source, n, "interface header", line));
        return;
      }
      cur = readAt({
        name: h[1]!,
        flags: h[3]!.split(",").filter((f) => f !== ""),
        addresses: [],
      }, n);
      const mtu = /\bmtu\s+([0-9]{1,9})\b/.exec(h[4]!);
      if (mtu) cur.mtu = Number(mtu[1]);
      return;
    }
    if (!cur) {
      warnings.push(cannotRead(source, n, "detail line before an interface", line));
      return;
    }
    const words = line.trim().split(/\s+/);
    const key = words[0]!;
    if (key === "ether" || key === "lladdr") {
      const mac = canonicalMac(words[1] ?? "");
      if (mac) cur.mac = mac;
      else warnings.push(cannotRead(source, n, "MAC address", line));
    } else if (key === "inet" || key === "inet6") {
      const a = key === "inet" ? readInet(words) : readInet6(words, cur);
      if (a) {
        if (!cur.addresses.some((x) => x.address === a.address)) cur.addresses.push(a);
      } else warnings.push(cannotRead(source, n, `${key} address`, line));
    } else if (key === "status:") {
      const s = words.slice(1).join(" ");
      status = s === "active" ? "up" : "down";
    }
    // FreeBSD can print media on the hwaddr line ("hwaddr …     media: Ethernet 10Gbase-LR").
    const media = line.indexOf("media:");
    if (media >= 0) {
      const speed = mediaSpeed(line.slice(media));
      if (speed !== undefined) cur.speedMbps = speed;
    }
  });
  finish();
  if (interfaces.length === 0 && all.some((l) => l.trim() !== "")) {
    const idx = all.findIndex((l) => l.trim() !== "");
    throw new ParseError(source, idx + 1, all[idx] ?? "", "cannot find an ifconfig interface");
  }
  return { value: interfaces, warnings };
}

/** `inet 192.168.1.2 netmask 0xffffff00 broadcast 192.168.1.255` (or `--> peer`). */
function readInet(words: readonly string[]): InterfaceAddress | undefined {
  const addr = words[1] ?? "";
  const slash = addr.indexOf("/");
  const bare = slash >= 0 ? addr.slice(0, slash) : addr;
  if (parseIPv4(bare) === undefined) return undefined;
  let prefixLength: number | undefined = slash >= 0 ? Number(addr.slice(slash + 1)) : undefined;
  const mask = value(words, "netmask");
  if (mask !== undefined) prefixLength = netmaskPrefix(mask);
  if (prefixLength === undefined || !Number.isInteger(prefixLength) || prefixLength > 32) {
    return undefined;
  }
  const out: InterfaceAddress = { family: "inet", address: canonicalAddress(bare), prefixLength };
  const bc = value(words, "broadcast");
  if (bc !== undefined && parseIPv4(bc) !== undefined) out.broadcast = bc;
  return out;
}

/** `inet6 fe80::1%lo0 prefixlen 64 scopeid 0x1` — the scope id is the interface index. */
function readInet6(words: readonly string[], iface: NetInterface): InterfaceAddress | undefined {
  const addr = words[1] ?? "";
  if (parseIPv6(addr) === undefined) return undefined;
  const len = value(words, "prefixlen");
  if (len === undefined || !/^[0-9]{1,3}$/.test(len) || Number(len) > 128) return undefined;
  const scopeid = value(words, "scopeid");
  if (scopeid !== undefined && /^0x[0-9a-fA-F]{1,8}$/.test(scopeid) && iface.index === undefined) {
    iface.index = parseInt(scopeid, 16);
  }
  return { family: "inet6", address: canonicalAddress(addr), prefixLength: Number(len) };
}

function value(words: readonly string[], key: string): string | undefined {
  const i = words.indexOf(key);
  return i >= 0 ? words[i + 1] : undefined;
}

/** Netmask (hex 0xffffff00 or dotted) to its prefix length; undefined unless contiguous. */
function netmaskPrefix(mask: string): number | undefined {
  const n = /^0x[0-9a-fA-F]{8}$/.test(mask) ? parseInt(mask, 16) : parseIPv4(mask);
  return n === undefined ? undefined : prefixOfMask(n);
}

/** The active media's speed: "(1000baseT <full-duplex>)" → 1000, "10Gbase-LR" → 10000. */
function mediaSpeed(line: string): number | undefined {
  const active = /\(([^)]*)\)/.exec(line)?.[1] ?? line;
  const m = /\b([0-9]+)(G?)base/i.exec(active);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] ? 1000 : 1);
}
