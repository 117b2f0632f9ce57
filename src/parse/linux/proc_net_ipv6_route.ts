/**
 * /proc/net/ipv6_route: IPv6 routes of every table, without the table id, addresses as plain
 * 32-digit hex in network order, prefix lengths and metric in hex.
 */
import type { Route } from "../../model.ts";
import { formatIPv6Groups } from "../../net/address.ts";
import { cannotRead, type Parsed, readAt } from "../text.ts";

const RTF_GATEWAY = 0x2;
const RTF_REJECT = 0x200;
const RTF_LOCAL = 0x80000000;

function hex128(h: string): string | undefined {
  if (!/^[0-9a-fA-F]{32}$/.test(h)) return undefined;
  const g: number[] = [];
  for (let i = 0; i < 32; i += 4) g.push(parseInt(h.slice(i, i + 4), 16));
  return formatIPv6Groups(g);
}

/**
 * Parses /proc/net/ipv6_route. The file does not say which table a route is in: local routes
 * (RTF_LOCAL) are put in table 255, every other route in 254.
 */
export function parseProcNetIpv6Route(
  text: string,
  source = "/proc/net/ipv6_route",
): Parsed<Route[]> {
  const routes: Route[] = [];
  const warnings: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const f = line.split(/\s+/);
    const dst = hex128(f[0] ?? "");
    const plen = parseInt(f[1] ?? "", 16);
    const nextHop = hex128(f[4] ?? "");
    const metric = parseInt(f[5] ?? "", 16);
    const flags = parseInt(f[8] ?? "", 16);
    const iface = f[9];
    if (
      f.length !== 10 || dst === undefined || nextHop === undefined || Number.isNaN(plen) ||
      Number.isNaN(metric) || Number.isNaN(flags) || iface === undefined
    ) {
      warnings.push(cannotRead(source, i + 1, "route line", line));
      continue;
    }
    const route: Route = {
      family: "inet6",
      table: flags & RTF_LOCAL ? 255 : 254,
      type: flags & RTF_REJECT ? "unreachable" : flags & RTF_LOCAL ? "local" : "unicast",
      destination: `${dst}/${plen}`,
      interface: iface,
      metric,
    };
    if (flags & RTF_GATEWAY) route.gateway = nextHop;
    routes.push(readAt(route, i + 1));
  }
  return { value: routes, warnings };
}
