/**
 * /proc/net/route: the IPv4 main routing table, tab-separated, addresses as little-endian hex.
 * Only the main table is visible here; the collector prefers `ip -j route show table all`.
 */
import type { Route } from "../../model.ts";
import { prefixOfMask } from "../../net/address.ts";
import { cannotRead, type Parsed, readAt } from "../text.ts";
import { decodeHexAddress } from "./proc_net_tcp.ts";

const RTF_GATEWAY = 0x2;
const RTF_HOST = 0x4;
const RTF_REJECT = 0x200;

/** Counts the leading one bits of a netmask given as little-endian hex; undefined when not contiguous. */
function maskPrefix(hex: string): number | undefined {
  const dotted = decodeHexAddress(hex);
  if (dotted === undefined) return undefined;
  return prefixOfMask(dotted.split(".").reduce((acc, o) => acc * 256 + Number(o), 0));
}

/** Parses /proc/net/route into routes of table 254 (main). */
export function parseProcNetRoute(
  text: string,
  source = "/proc/net/route",
): Parsed<Route[]> {
  const routes: Route[] = [];
  const warnings: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("Iface")) continue;
    const f = line.split(/\s+/);
    const [iface, dst, gw, flagsHex, , , metric, mask] = f;
    const destination = dst === undefined ? undefined : decodeHexAddress(dst);
    const gateway = gw === undefined ? undefined : decodeHexAddress(gw);
    const prefix = mask === undefined ? undefined : maskPrefix(mask);
    const flags = flagsHex === undefined ? NaN : parseInt(flagsHex, 16);
    if (
      iface === undefined || destination === undefined || gateway === undefined ||
      prefix === undefined || Number.isNaN(flags) || !/^[0-9]+$/.test(metric ?? "")
    ) {
      warnings.push(cannotRead(source, i + 1, "route line", line));
      continue;
    }
    const flagNames = [
      "U",
      ...(flags & RTF_GATEWAY ? ["G"] : []),
      ...(flags & RTF_HOST ? ["H"] : []),
      ...(flags & RTF_REJECT ? ["!"] : []),
    ];
    // A route through no device is "*": unreachable and prohibit carry RTF_REJECT (the file
    // cannot tell the two apart), a blackhole (or a throw route, which the main table seldom
    // holds) nothing. A unicast route has its device: through a gateway, on a link named `*`
    // (Linux allows the name) it stays one.
    const noDevice = iface === "*" && !(flags & RTF_GATEWAY);
    const route: Route = {
      family: "inet",
      table: 254,
      type: flags & RTF_REJECT ? "unreachable" : noDevice ? "blackhole" : "unicast",
      destination: `${destination}/${prefix}`,
      ...(noDevice ? {} : { interface: iface }),
      metric: Number(metric),
      flags: flagNames,
    };
    if (flags & RTF_GATEWAY) route.gateway = gateway;
    routes.push(readAt(route, i + 1));
  }
  return { value: routes, warnings };
}
