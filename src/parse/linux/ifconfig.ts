/**
 * Linux net-tools `ifconfig` / `ifconfig -a`, both layouts: the old one (`Link encap:`,
 * `inet addr:… Bcast:… Mask:…`, `RX packets:…`) and the newer one (`flags=4163<UP,…>  mtu 1500`,
 * `inet … netmask … broadcast …`, `RX packets N  bytes N`). An alias (`eth0:5`) is an address
 * label, not an interface: its addresses are added to `eth0`.
 */
import type { InterfaceAddress, InterfaceStatName, NetInterface } from "../../model.ts";
import { canonicalAddress, canonicalMac, parseIPv4, prefixOfMask } from "../../net/address.ts";
import { cannotRead, own, type Parsed, readAt, splitLines } from "../text.ts";

/** ifconfig's counter words → /proc/net/dev counters (overruns is the fifo count). */
const RX: Record<string, InterfaceStatName> = {
  packets: "rxPackets",
  bytes: "rxBytes",
  errors: "rxErrors",
  dropped: "rxDropped",
  overruns: "rxFifo",
  frame: "rxFrame",
};
const TX: Record<string, InterfaceStatName> = {
  packets: "txPackets",
  bytes: "txBytes",
  errors: "txErrors",
  dropped: "txDropped",
  overruns: "txFifo",
  carrier: "txCarrier",
  collisions: "txCollisions",
};

/** A netmask (dotted, or 0xffffff00) as a prefix length; undefined unless contiguous. */
function maskBits(mask: string): number | undefined {
  const n = /^0x[0-9a-fA-F]{1,8}$/.test(mask) ? parseInt(mask, 16) : parseIPv4(mask);
  return n === undefined ? undefined : prefixOfMask(n);
}

/** Parses Linux `ifconfig` output (old or new net-tools) into interfaces with counters. */
export function parseLinuxIfconfig(
  text: string,
  source = "ifconfig",
): Parsed<NetInterface[]> {
  const interfaces: NetInterface[] = [];
  const byName = new Map<string, NetInterface>();
  const warnings: string[] = [];
  let cur: NetInterface | undefined;
  let curIsAlias = false;
  splitLines(text).forEach((line, idx) => {
    if (line.trim() === "") return;
    if (!/^\s/.test(line)) {
      const m = /^(\S+)\s+Link encap:/.exec(line) ?? /^(\S+?):\s+flags=/.exec(line);
      if (!m) {
        warnings.push(cannotRead(source, idx + 1, "ifconfig line", line));
        cur = undefined;
        return;
      }
      // "eth0:5" (a numbered label) is an alias of eth0; "foo:veth0@eth0" is a name.
      const alias = /^(.+):[0-9]+$/.exec(m[1]!);
      const name = alias ? alias[1]! : m[1]!;
      const isAlias = alias !== null;
      let itf = byName.get(name);
      if (!itf) {
        itf = { name, flags: [], addresses: [] };
        byName.set(name, itf);
        interfaces.push(readAt(itf, idx + 1));
      }
      cur = itf;
      curIsAlias = isAlias;
      readHeader(cur, line, isAlias);
      return;
    }
    if (cur === undefined) {
      warnings.push(cannotRead(source, idx + 1, "ifconfig line", line));
      return;
    }
    if (!readBody(cur, line.trim(), curIsAlias)) {
      warnings.push(cannotRead(source, idx + 1, "ifconfig line", line));
    }
  });
  return { value: interfaces, warnings };
}

function setMac(itf: NetInterface, text: string | undefined) {
  // net-tools prints two digits per octet: anything else is not a hardware address.
  const mac = text !== undefined && /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i.test(text)
    ? canonicalMac(text)
    : undefined;
  if (mac !== undefined) itf.mac = mac;
}

function readHeader(itf: NetInterface, line: string, alias: boolean) {
  const hw = /\sHWaddr\s+(\S+)/.exec(line);
  if (hw && !alias) setMac(itf, hw[1]);
  const flags = /flags=[0-9]+<([^>]*)>/.exec(line);
  if (flags && !alias) itf.flags = flags[1]!.split(",").filter((f) => f !== "");
  const mtu = /\smtu\s+([0-9]+)/.exec(line);
  if (mtu && !alias) itf.mtu = Number(mtu[1]);
}

function readBody(itf: NetInterface, body: string, alias: boolean): boolean {
  // Old layout: "inet addr:10.0.0.1  Bcast:10.0.0.255  Mask:255.255.255.0"
  let m = /^inet addr:(\S+)(.*)$/.exec(body);
  if (m) {
    const mask = /Mask:(\S+)/.exec(m[2]!)?.[1];
    const bits = mask === undefined ? 32 : maskBits(mask);
    if (bits === undefined || parseIPv4(m[1]!) === undefined) return false;
    const a: InterfaceAddress = { family: "inet", address: m[1]!, prefixLength: bits };
    const b = /Bcast:(\S+)/.exec(m[2]!)?.[1];
    if (b) a.broadcast = b;
    addAddress(itf, a);
    return true;
  }
  m = /^inet6 addr:\s*(\S+)\/([0-9]+)(?:\s+Scope:(\S+))?/.exec(body);
  if (m) {
    const a: InterfaceAddress = {
      family: "inet6",
      address: canonicalAddress(m[1]!),
      prefixLength: Number(m[2]),
    };
    if (m[3]) a.scope = m[3].toLowerCase();
    addAddress(itf, a);
    return true;
  }
  // New layout: "inet 10.0.0.1  netmask 255.255.255.0  broadcast 10.0.0.255"
  m = /^inet\s+(\S+)(.*)$/.exec(body);
  if (m) {
    const mask = /netmask\s+(\S+)/.exec(m[2]!)?.[1];
    const bits = mask === undefined ? 32 : maskBits(mask);
    if (bits === undefined || parseIPv4(m[1]!) === undefined) return false;
    const a: InterfaceAddress = { family: "inet", address: m[1]!, prefixLength: bits };
    const b = /broadcast\s+(\S+)/.exec(m[2]!)?.[1];
    if (b) a.broadcast = b;
    addAddress(itf, a);
    return true;
  }
  m = /^inet6\s+(\S+)\s+prefixlen\s+([0-9]+)(?:\s+scopeid\s+\S+<([^>]*)>)?/.exec(body);
  if (m) {
    const a: InterfaceAddress = {
      family: "inet6",
      address: canonicalAddress(m[1]!),
      prefixLength: Number(m[2]),
    };
    if (m[3]) a.scope = m[3];
    addAddress(itf, a);
    return true;
  }
  m = /^ether\s+(\S+)/.exec(body);
  if (m) {
    setMac(itf, m[1]);
    return true;
  }
  // Old layout flag line: "UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1"
  m = /^(.*?)\s*MTU:([0-9]+)/.exec(body);
  if (m) {
    if (itf.mtu === undefined) itf.mtu = Number(m[2]);
    if (itf.flags.length === 0) itf.flags = m[1]!.split(/\s+/).filter((f) => f !== "");
    return true;
  }
  const rxtx = /^(RX|TX)\s+(.*)$/.exec(body);
  if (rxtx) {
    // "RX bytes:1 (1.0 B)  TX bytes:2 (2.0 B)" carries both directions on one line. An alias
    // repeats its interface's counters: they are not counted twice.
    if (!alias) readCounters(itf, body);
    return true;
  }
  if (/^collisions:/.test(body)) {
    if (!alias) readCounters(itf, "TX " + body);
    return true;
  }
  // loop/unspec/txqueuelen, Interrupt:, Memory:, device … carry nothing a snapshot keeps.
  return /^(loop|unspec|infiniband|txqueuelen|Interrupt:|Memory:|Base address:|device|DMA)/
    .test(body) || /^[a-z0-9]+\s+txqueuelen/.test(body);
}

function readCounters(itf: NetInterface, body: string) {
  const stats = (itf.stats ??= {});
  let map = RX;
  for (const m of body.matchAll(/(RX|TX)|([a-z]+)[: ]([0-9]+)/g)) {
    if (m[1]) {
      map = m[1] === "RX" ? RX : TX;
      continue;
    }
    const stat = own(map, m[2]!);
    if (stat) stats[stat] = BigInt(m[3]!);
  }
}

function addAddress(itf: NetInterface, a: InterfaceAddress) {
  if (!itf.addresses.some((x) => x.address === a.address && x.prefixLength === a.prefixLength)) {
    itf.addresses.push(a);
  }
}
