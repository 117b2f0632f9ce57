/**
 * net-tools routing tables: `route -n`, `route -vn`, `route` (names), `route -6 -n`, and the same
 * tables from `netstat -rn`, `-rne`, `-rnee` and `netstat -r`. Columns are found from the header;
 * resolved names (`default`, a gateway's host name) are kept as printed.
 */
import type { Family, Route } from "../../model.ts";
import { canonicalAddress, parseIPv4, prefixOfMask } from "../../net/address.ts";
import { ParseError } from "../../errors.ts";
import { cannotRead, extraValues, type Parsed, readAt, splitLines } from "../text.ts";

/** The prefix length of a dotted netmask, or undefined when it is not contiguous. */
function maskBits(mask: string): number | undefined {
  const n = parseIPv4(mask);
  return n === undefined ? undefined : prefixOfMask(n);
}

/** Parses a net-tools routing table (IPv4 or IPv6) into routes of the main table (254). */
export function parseRouteN(
  text: string,
  source = "route -n",
): Parsed<Route[]> {
  const lines = splitLines(text);
  const h = lines.findIndex((l) => /^Destination\s+(Gateway|Next Hop)\s/.test(l));
  if (h < 0) throw new ParseError(source, 1, lines[0] ?? "", "no Destination header");
  const header = lines[h]!.replace("Next Hop", "NextHop").trim().split(/\s+/);
  const family: Family = header[1] === "NextHop" ? "inet6" : "inet";
  const col = (...names: string[]) => header.findIndex((x) => names.includes(x));
  const cDst = 0, cGw = 1, cMask = col("Genmask"), cFlags = col("Flags", "Flag");
  const cMetric = col("Metric", "Met"), cIface = col("Iface", "If");
  const routes: Route[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < h; i++) {
    const l = lines[i]!.trim();
    if (l !== "" && !/^Kernel IP(v6)? routing table$/.test(l)) {
      warnings.push(cannotRead(source, i + 1, "route line", l));
    }
  }
  // Rows with words past the last column (a tool that appends a field, an edited file) keep
  // their columns; the extra words are left out, with one warning for the file.
  let extraRows = 0, firstExtra = 0;
  for (let i = h + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const f = line.trim().split(/\s+/);
    if (f.length > header.length) {
      if (extraRows++ === 0) firstExtra = i + 1;
      f.length = header.length;
    }
    const route = family === "inet"
      ? readV4(f, cDst, cGw, cMask, cFlags, cMetric, cIface, header.length)
      : readV6(f, cDst, cGw, cFlags, cMetric, cIface, header.length);
    if (route === undefined) warnings.push(cannotRead(source, i + 1, "route line", line));
    else routes.push(readAt(route, i + 1));
  }
  if (extraRows > 0) warnings.push(extraValues(source, firstExtra, extraRows, header.at(-1)!));
  return { value: routes, warnings };
}

function metricOf(text: string | undefined): number | undefined {
  if (text === undefined) return 0;
  // The IPv6 table prints the kernel's u32 metric 0xffffffff as -1.
  if (text === "-1") return 0xffffffff;
  return /^[0-9]+$/.test(text) ? Number(text) : undefined;
}

function finish(route: Route, flags: string): Route {
  route.flags = [...flags];
  if (flags.includes("!")) route.type = "unreachable";
  return route;
}

function readV4(
  f: string[],
  cDst: number,
  cGw: number,
  cMask: number,
  cFlags: number,
  cMetric: number,
  cIface: number,
  width: number,
): Route | undefined {
  if (f.length !== width || cMask < 0 || cFlags < 0 || cIface < 0) return undefined;
  const dst = f[cDst]!, gw = f[cGw]!, flags = f[cFlags]!;
  const bits = maskBits(f[cMask]!);
  const metric = metricOf(cMetric < 0 ? undefined : f[cMetric]);
  if (bits === undefined || metric === undefined || !/^[A-Za-z!]+$/.test(flags)) return undefined;
  const route: Route = {
    family: "inet",
    table: 254,
    type: "unicast",
    destination: `${dst === "default" ? "0.0.0.0" : canonicalAddress(dst)}/${bits}`,
    interface: f[cIface]!,
    metric,
  };
  if (gw !== "0.0.0.0" && gw !== "*") route.gateway = canonicalAddress(gw);
  return finish(route, flags);
}

/** net-tools prints the IPv4-mapped block ::ffff:0.0.0.0/96 as "0.0.0.0/96"; restore it. */
function v6Address(text: string): string {
  return canonicalAddress(parseIPv4(text) === undefined ? text : `::ffff:${text}`);
}

function readV6(
  f: string[],
  cDst: number,
  cGw: number,
  cFlags: number,
  cMetric: number,
  cIface: number,
  width: number,
): Route | undefined {
  if (f.length !== width || cFlags < 0 || cIface < 0) return undefined;
  const dst = f[cDst]!, gw = f[cGw]!, flags = f[cFlags]!;
  const slash = dst.lastIndexOf("/");
  const metric = metricOf(cMetric < 0 ? undefined : f[cMetric]);
  if (slash < 0 || metric === undefined || !/^[A-Za-z!]+$/.test(flags)) return undefined;
  const prefix = dst.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > 128) return undefined;
  const route: Route = {
    family: "inet6",
    table: 254,
    type: "unicast",
    destination: `${v6Address(dst.slice(0, slash))}/${prefix}`,
    interface: f[cIface]!,
    metric,
  };
  if (gw !== "::" && gw !== "*") route.gateway = canonicalAddress(gw);
  return finish(route, flags);
}
