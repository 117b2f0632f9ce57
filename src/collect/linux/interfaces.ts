/**
 * The Linux collector's interfaces: over rtnetlink, links (with their IFLA_STATS64 counters, the
 * /proc/net/dev columns) and addresses, and the speed from /sys/class/net/<iface>/speed in the
 * capture's own namespace; else each link's attributes from /sys/class/net/<iface>, its counters
 * from /proc/net/dev, and its addresses from `ip -j addr show`.
 *
 * Decisions:
 * - Names are bytes on the host: the folder names of /sys/class/net, the names in
 *   /proc/net/dev and in ip's output are all decoded by one rule (util/host_text.ts), so an
 *   interface named `é-ü` is one interface, and one with a byte that is not UTF-8 reads `\xff`
 *   everywhere. Where the runtime lists folder names only as UTF-8 (Deno: such a byte arrives as
 *   U+FFFD, and the folder cannot be opened by that name), the link is read from ip and
 *   /proc/net/dev instead of /sys.
 * - ip's JSON is read whatever bytes a name holds (ipJsonText): a name with ESC in it costs
 *   nothing, and output ip cannot give at all costs the addresses, never the section.
 * - sysfs shows the network namespace of whoever mounted it, /proc/net and netlink (ip) the
 *   reader's: after `nsenter -n` (network namespace changed, mount namespace not), /sys is the
 *   host's. When /sys disagrees with this namespace (a link of /sys that ip or /proc/net/dev do
 *   not list here, or one with another index or MAC address; or this process in another network
 *   namespace than pid 1 in the same mount namespace), /sys is not used: the links come from ip
 *   (or, without ip, /proc/net/dev and /proc/net/if_inet6), and the section says why. Over
 *   netlink the links are this namespace's whatever /sys shows; only their speed comes from
 *   /sys, and not when it shows another namespace (by the same tests, on the ifindex alone).
 */
import { readdirSync, statSync } from "node:fs";
import { Buffer } from "node:buffer";
import type { NetInterface } from "../../model.ts";
import { parseProcNetDev } from "../../parse/linux/proc_net_dev.ts";
import { parseIpJsonAddr } from "../../parse/linux/ip_json.ts";
import { parseProcNetIfInet6 } from "../../parse/linux/proc_net_if_inet6.ts";
import { orderIffNames, parseSysClassNetFlags } from "../../parse/linux/sys_class_net_flags.ts";
import { errnoText } from "../../errors.ts";
import { escapeText } from "../../util/escape.ts";
import { hostText } from "../../util/host_text.ts";
import type { Place } from "../contract.ts";
import { noteStatus, type Section, section } from "../section.ts";
import { readText, under, unreadable } from "./files.ts";
import { runIp } from "./ip.ts";
import { interfacesFrom } from "./from_netlink.ts";
import { dumpAddresses, type DumpResult } from "./netlink.ts";
import type { Link } from "../../parse/netlink/rtnl_link.ts";
import { outputJson } from "./tools.ts";

/** One /sys attribute, trimmed; undefined where absent or not applicable (a virtual link's speed). */
function sysValue(dir: Buffer, name: string): string | undefined {
  return readText(Buffer.concat([dir, Buffer.from(`/${name}`)]))?.trim();
}

/**
 * An interface's attributes from its /sys/class/net folder; absent values are left out, not 0.
 * Undefined when the folder cannot be read (gone, or a name the runtime cannot open).
 */
function fromSys(dir: Buffer, name: string): NetInterface | undefined {
  const ifindex = sysValue(dir, "ifindex");
  if (ifindex === undefined) return undefined;
  const itf: NetInterface = { name, flags: [], addresses: [] };
  const index = Number(ifindex);
  if (Number.isInteger(index) && index > 0) itf.index = index;
  const mac = sysValue(dir, "address");
  if (mac) itf.mac = mac;
  const mtu = Number(sysValue(dir, "mtu"));
  if (Number.isInteger(mtu)) itf.mtu = mtu;
  const flags = parseSysClassNetFlags(sysValue(dir, "flags") ?? "");
  if (flags !== undefined) itf.flags = flags;
  if (sysValue(dir, "carrier") === "1" && !itf.flags.includes("LOWER_UP")) {
    itf.flags.push("LOWER_UP");
  }
  const op = sysValue(dir, "operstate");
  if (op) itf.operState = op;
  const speed = Number(sysValue(dir, "speed"));
  if (Number.isInteger(speed) && speed > 0) itf.speedMbps = speed;
  return itf;
}

/** The links /sys/class/net lists, by name (decoded by the host-text rule). */
function readSys(sysNet: string, warnings: string[]): Map<string, NetInterface> {
  const out = new Map<string, NetInterface>();
  let names: Buffer[] = [];
  try {
    names = readdirSync(sysNet, { encoding: "buffer" });
  } catch (err) {
    warnings.push(unreadable(sysNet, err));
  }
  const base = Buffer.from(`${sysNet}/`);
  for (const raw of names) {
    const name = hostText(raw);
    const itf = fromSys(Buffer.concat([base, raw]), name);
    if (itf !== undefined) out.set(name, itf);
  }
  return out;
}

/** The inode of a namespace link under /proc, or undefined when it cannot be read. */
function nsInode(place: Place, path: string): number | undefined {
  try {
    return statSync(under(place.root, path)).ino;
  } catch {
    return undefined;
  }
}

/**
 * Why /sys/class/net does not show this process's network namespace; undefined when it does (or
 * nothing tells). `here` is what this namespace lists: ip's links, else /proc/net/dev's names.
 */
function sysElsewhere(
  place: Place,
  sys: ReadonlyMap<string, NetInterface>,
  here: ReadonlyMap<string, NetInterface | undefined>,
): string | undefined {
  const missing = [...sys.keys()].filter((n) => !here.has(n)).sort();
  if (missing.length > 0) {
    const some = missing.slice(0, 3).map(escapeText).join(", ") +
      (missing.length > 3 ? ", …" : "");
    return `${missing.length} of its links are not here (${some})`;
  }
  for (const [name, itf] of sys) {
    const other = here.get(name);
    if (other === undefined) continue;
    if (other.index !== undefined && itf.index !== undefined && other.index !== itf.index) {
      return `${escapeText(name)} has index ${itf.index} there and ${other.index} here`;
    }
    if (other.mac !== undefined && itf.mac !== undefined && other.mac !== itf.mac) {
      return `${escapeText(name)} has MAC address ${itf.mac} there and ${other.mac} here`;
    }
  }
  const net = nsInode(place, "/proc/self/ns/net"), net1 = nsInode(place, "/proc/1/ns/net");
  const mnt = nsInode(place, "/proc/self/ns/mnt"), mnt1 = nsInode(place, "/proc/1/ns/mnt");
  if (
    net !== undefined && net1 !== undefined && net !== net1 && mnt !== undefined && mnt === mnt1
  ) {
    return "this process is in another network namespace than pid 1 but shares its mounts";
  }
  return undefined;
}

/**
 * Why /sys/class/net does not show the namespace of a link dump (sysElsewhere's tests, with each
 * /sys link's ifindex only); undefined when it does.
 */
function sysShowsOther(place: Place, links: readonly Link[]): string | undefined {
  const sysNet = under(place.root, "/sys/class/net");
  const sys = new Map<string, NetInterface>();
  let names: Buffer[] = [];
  try {
    names = readdirSync(sysNet, { encoding: "buffer" });
  } catch {
    return undefined; // no /sys: no speed, and nothing to tell
  }
  const base = Buffer.from(`${sysNet}/`);
  for (const raw of names) {
    // A folder the runtime cannot open by its name (fromSys's rule) says nothing either way.
    const ifindex = sysValue(Buffer.concat([base, raw]), "ifindex");
    if (ifindex === undefined) continue;
    const itf: NetInterface = { name: hostText(raw), flags: [], addresses: [] };
    const index = Number(ifindex);
    if (Number.isInteger(index) && index > 0) itf.index = index;
    sys.set(itf.name, itf);
  }
  const here = new Map(
    links.map((l): [string, NetInterface] => [l.name, {
      name: l.name,
      index: l.index,
      flags: [],
      addresses: [],
    }]),
  );
  return sysElsewhere(place, sys, here);
}

/**
 * Reads the interfaces over netlink from the capture's link dump (`links`, when netlink is in
 * use) and an address dump; when that cannot be done (noted), or without netlink, from /sys,
 * /proc/net/dev and `ip -j`.
 */
export function collectInterfaces(
  place: Place,
  links?: DumpResult<Link>,
): Section<NetInterface[]> {
  if (links === undefined) return fromSysfs(place);
  const own = place.netns === undefined;
  let why: string;
  if (links.ok && links.incomplete.length === 0) {
    const names = new Map(links.records.map((l) => [l.index, l.name]));
    const addresses = dumpAddresses({
      ...(place.netns === undefined ? {} : { netns: place.netns }),
      names,
    });
    if (addresses.ok && addresses.incomplete.length === 0) {
      const sysNet = under(place.root, "/sys/class/net");
      const speed = (name: string) => {
        const mbps = Number(sysValue(Buffer.from(`${sysNet}/${name}`), "speed"));
        return Number.isInteger(mbps) ? mbps : undefined;
      };
      const elsewhere = own ? sysShowsOther(place, links.records) : undefined;
      const withSpeed = own && elsewhere === undefined;
      return section(withSpeed ? "netlink+sysfs" : "netlink", [], (warnings) => {
        warnings.push(...links.warnings, ...addresses.warnings);
        if (elsewhere !== undefined) {
          warnings.push(
            `/sys/class/net shows another network namespace (nsenter -n without -m?): ${elsewhere}; link speeds unknown`,
          );
        }
        return interfacesFrom(links.records, addresses.records, withSpeed ? speed : undefined);
      });
    }
    why = addresses.ok ? addresses.warnings.join("; ") : addresses.reason;
  } else why = links.ok ? links.warnings.join("; ") : links.reason;
  const s = fromSysfs(place);
  return { ...s, status: noteStatus(s.status, [`netlink: ${why}; read /sys instead`]) };
}

/**
 * The links and addresses `ip -j addr show` lists (run by the place's runner: in another
 * namespace, through nsenter); undefined, with a warning, when ip cannot tell.
 */
export function interfacesFromIp(
  place: Place,
  warnings: string[],
  details = false,
): NetInterface[] | undefined {
  const args = details ? ["-d", "-j", "addr", "show"] : ["-j", "addr", "show"];
  const r = runIp(place.runner, args);
  if (!r.ok) {
    warnings.push(`interface addresses unknown: ${r.reason ?? "ip failed"}`);
    return undefined;
  }
  try {
    const parsed = parseIpJsonAddr(outputJson(r), `ip ${args.join(" ")}`);
    warnings.push(...parsed.warnings);
    return parsed.value;
  } catch (err) {
    warnings.push(`interface addresses unknown: ${(err as Error).message ?? errnoText(err)}`);
    return undefined;
  }
}

/** Reads the interfaces from /sys, /proc/net/dev and `ip -j`; what one cannot tell is a warning. */
function fromSysfs(place: Place): Section<NetInterface[]> {
  return section("sysfs+proc+ip -j", [], (warnings) => {
    const sysNet = under(place.root, "/sys/class/net");
    const sys = readSys(sysNet, warnings);
    const devPath = under(place.root, "/proc/net/dev");
    const devText = readText(devPath, warnings);
    const dev = devText === undefined ? undefined : parseProcNetDev(devText, devPath);
    if (dev) warnings.push(...dev.warnings);
    // ip lists this namespace's links (over netlink), whatever /sys shows.
    const ip = interfacesFromIp(place, warnings);
    const here = ip
      ? new Map(ip.map((i) => [i.name, i]))
      : new Map(dev?.value.map((d) => [d.name, undefined]) ?? []);
    const elsewhere = ip || dev ? sysElsewhere(place, sys, here) : undefined;
    const byName = elsewhere === undefined ? sys : new Map<string, NetInterface>();
    if (elsewhere !== undefined) {
      warnings.push(
        `/sys/class/net shows another network namespace (nsenter -n without -m?): ${elsewhere}; ` +
          (ip
            ? "links read from ip instead, their speed and RUNNING flag unknown"
            : "links read from /proc/net/dev and /proc/net/if_inet6 instead, their attributes and IPv4 addresses unknown"),
      );
    }
    for (const a of ip ?? []) {
      const itf = byName.get(a.name);
      if (itf) itf.addresses = a.addresses;
      else {
        // A link /sys cannot show here: what ip says of it (flags in the kernel's bit order).
        byName.set(a.name, { ...a, flags: orderIffNames(a.flags) });
      }
    }
    for (const { name, stats } of dev?.value ?? []) {
      const itf = byName.get(name) ?? { name, flags: [], addresses: [] };
      itf.stats = stats;
      byName.set(name, itf);
    }
    if (elsewhere !== undefined && !ip) {
      const path = under(place.root, "/proc/net/if_inet6");
      const text = readText(path, warnings);
      const v6 = text === undefined ? undefined : parseProcNetIfInet6(text, path);
      warnings.push(...v6?.warnings ?? []);
      for (const e of v6?.value ?? []) {
        const itf = byName.get(e.name);
        if (!itf) continue;
        itf.index ??= e.index;
        itf.addresses.push(e.address);
      }
    }
    return [...byName.values()];
  });
}
