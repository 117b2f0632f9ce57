/**
 * BSD routing tables (macOS `netstat -rn`, `-rnl`, `-r`; FreeBSD `netstat -r(n)`): the
 * "Internet:" and "Internet6:" sections into routes. Columns are located from each header line.
 */
import type { Family, Route } from "../../model.ts";
import { ParseError } from "../../errors.ts";
import { canonicalAddress, parseIPv4, parseIPv6 } from "../../net/address.ts";
import {
  assignColumns,
  cannotRead,
  type Column,
  headerColumns,
  type Parsed,
  readAt,
  splitLines,
} from "../text.ts";

/** Parses BSD `netstat -rn`-family output into routes (table 254, metric 0). */
export function parseNetstatRn(text: string, source = "<netstat -rn>"): Parsed<Route[]> {
  const routes: Route[] = [];
  const warnings: string[] = [];
  let family: Family | undefined;
  let skipping = false;
  let cols: Column[] | undefined;
  let truncated = false;
  let headerSeen = false;
  const all = splitLines(text);
  all.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    if (line.trim() === "" || /^Routing tables/.test(line)) return;
    const sec = /^(\S[^:]*):$/.exec(line);
    if (sec) {
      skipping = !/^Internet6?$/.test(sec[1]!);
      family = sec[1] === "Internet6" ? "inet6" : sec[1] === "Internet" ? "inet" : undefined;
      cols = undefined;
      return;
    }
    if (skipping) return;
    if (/^Destination\s/.test(line)) {
      cols = headerColumns(line);
      headerSeen = true;
      return;
    }
    if (!cols) {
      warnings.push(cannotRead(source, n, "line before a table header", line));
      return;
    }
    const f = assignColumns(line, cols);
    const dest = f.get("Destination");
    const gw = f.get("Gateway");
    const flagText = f.get("Flags");
    if (!dest || !gw || !flagText || !/^[A-Za-z0-9]+$/.test(flagText)) {
      warnings.push(cannotRead(source, n, "route", line));
      return;
    }
    const flags = [...flagText];
    const fam: Family = family ??
      (dest.includes(":") || gw.includes(":") && !isMac(gw) ? "inet6" : "inet");
    const width = destinationWidth(cols);
    // A destination that fills its column may have been cut short, unless it ends in its
    // "/prefix" (printed last, so nothing was cut): keep a cut one exactly as printed.
    const cut = dest.length >= width && !/\/[0-9]+$/.test(dest);
    const d = cut ? { text: dest, valid: false } : destination(dest, fam, flags.includes("H"));
    if (!d.valid) truncated = true;
    const route: Route = {
      family: fam,
      table: 254,
      type: routeType(flags),
      destination: d.text,
      metric: 0,
      flags,
    };
    const netif = f.get("Netif");
    if (netif) route.interface = netif;
    if (!/^link#[0-9]+$/.test(gw)) {
      route.gateway = isMac(gw) ? gw.toLowerCase() : canonicalAddress(gw);
    }
    routes.push(readAt(route, n));
  });
  if (!headerSeen && all.some((l) => l.trim() !== "")) {
    const idx = all.findIndex((l) => l.trim() !== "");
    throw new ParseError(source, idx + 1, all[idx] ?? "", "cannot find the routing table header");
  }
  if (truncated) {
    warnings.push(
      `${source}: some destinations are names or truncated by the column width; kept as printed`,
    );
  }
  return { value: routes, warnings };
}

function destinationWidth(cols: readonly Column[]): number {
  const next = cols[1];
  return next ? next.start - cols[0]!.start - 1 : Infinity;
}

function isMac(text: string): boolean {
  return /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5,7}$/.test(text);
}

/** BSD flags to a route type: R reject, B blackhole, b broadcast, m multicast, else unicast. */
function routeType(flags: readonly string[]): string {
  if (flags.includes("R")) return "reject";
  if (flags.includes("B")) return "blackhole";
  if (flags.includes("b")) return "broadcast";
  if (flags.includes("m")) return "multicast";
  return "unicast";
}

/** BSD destination text to CIDR: `default`, abbreviated IPv4 nets ("192.168.1"), hosts, names. */
function destination(
  text: string,
  family: Family,
  host: boolean,
): { text: string; valid: boolean } {
  if (text === "default") return { text: family === "inet6" ? "::/0" : "0.0.0.0/0", valid: true };
  const slash = text.lastIndexOf("/");
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const lenText = slash >= 0 ? text.slice(slash + 1) : undefined;
  if (family === "inet6" || addr.includes(":")) {
    if (parseIPv6(addr) === undefined) return { text, valid: false };
    const len = lenText ?? "128";
    return { text: `${canonicalAddress(addr)}/${len}`, valid: /^[0-9]{1,3}$/.test(len) };
  }
  const parts = addr.split(".");
  if (parts.length > 4 || parts.some((p) => !/^[0-9]{1,3}$/.test(p))) {
    return { text, valid: false };
  }
  const full = [...parts, "0", "0", "0"].slice(0, 4).join(".");
  if (parseIPv4(full) === undefined) return { text, valid: false };
  const len = lenText ?? (host || parts.length === 4 ? "32" : String(parts.length * 8));
  return { text: `${full}/${len}`, valid: /^[0-9]{1,2}$/.test(len) };
}
