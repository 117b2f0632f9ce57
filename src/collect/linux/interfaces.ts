/**
 * The Linux collector's interfaces: each link's attributes from /sys/class/net/<iface>, its
 * counters from /proc/net/dev, and its addresses from `ip -j addr show`.
 */
import { readdirSync } from "node:fs";
import type { NetInterface } from "../../model.ts";
import { parseProcNetDev } from "../../parse/linux/proc_net_dev.ts";
import { parseIpJsonAddr } from "../../parse/linux/ip_json.ts";
import { parseSysClassNetFlags } from "../../parse/linux/sys_class_net_flags.ts";
import type { Place } from "../contract.ts";
import { type Section, section } from "../section.ts";
import { readText, under, unreadable } from "./files.ts";
import { runIp } from "./ip.ts";

/** One /sys attribute, trimmed; undefined where absent or not applicable (a virtual link's speed). */
function sysValue(dir: string, name: string): string | undefined {
  return readText(`${dir}/${name}`)?.trim();
}

/** An interface's attributes from its /sys/class/net folder; absent values are left out, not 0. */
function fromSys(dir: string, name: string): NetInterface {
  const itf: NetInterface = { name, flags: [], addresses: [] };
  const index = Number(sysValue(dir, "ifindex"));
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

/** Reads the interfaces; what one source cannot tell is a warning, the others still count. */
export function collectInterfaces(place: Place): Section<NetInterface[]> {
  return section("/sys/class/net, /proc/net/dev, ip -j", [], (warnings) => {
    const sysNet = under(place.root, "/sys/class/net");
    const byName = new Map<string, NetInterface>();
    let names: string[] = [];
    try {
      names = readdirSync(sysNet);
    } catch (err) {
      warnings.push(unreadable(sysNet, err));
    }
    for (const name of names) byName.set(name, fromSys(`${sysNet}/${name}`, name));
    const devPath = under(place.root, "/proc/net/dev");
    const devText = readText(devPath, warnings);
    if (devText !== undefined) {
      const dev = parseProcNetDev(devText, devPath);
      warnings.push(...dev.warnings);
      for (const { name, stats } of dev.value) {
        const itf = byName.get(name) ?? { name, flags: [], addresses: [] };
        itf.stats = stats;
        byName.set(name, itf);
      }
    }
    const r = runIp(place.runner, ["-j", "addr", "show"]);
    if (r.ok) {
      const parsed = parseIpJsonAddr(r.stdout, "ip -j addr show");
      warnings.push(...parsed.warnings);
      for (const a of parsed.value) {
        const itf = byName.get(a.name);
        if (itf) itf.addresses = a.addresses;
      }
    } else {
      warnings.push(`interface addresses unknown: ${r.reason ?? "ip failed"}`);
    }
    return [...byName.values()];
  });
}
