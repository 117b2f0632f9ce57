/**
 * `ip -j route show table all` and `ip -j addr`: iproute2's JSON output, which shows what /proc
 * cannot (policy tables, route types and protocols, every address with its prefix).
 */
import type { Family, InterfaceAddress, NetInterface, Nexthop, Route } from "../../model.ts";
import { canonicalAddress } from "../../net/address.ts";
import { ParseError } from "../../errors.ts";
import { routeDestination, tableId } from "../../net/routes.ts";
import { cannotRead, type Parsed, readAtItem } from "../text.ts";

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function parseJsonArray(json: string, source: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json.trim() === "" ? "[]" : json);
  } catch (err) {
    throw new ParseError(
      source,
      1,
      json.split("\n")[0] ?? "",
      `not JSON (${(err as Error).message})`,
    );
  }
  if (!Array.isArray(doc)) {
    throw new ParseError(source, 1, json.split("\n")[0] ?? "", "expected a JSON array");
  }
  return doc;
}

/** Parses `ip -j [-4|-6] route show table all` into routes; `family` applies where ip omits it. */
export function parseIpJsonRoutes(
  json: string,
  family: Family,
  source = "ip -j route",
): Parsed<Route[]> {
  const routes: Route[] = [];
  const warnings: string[] = [];
  parseJsonArray(json, source).forEach((raw, i) => {
    const r = raw as Record<string, unknown>;
    const dst = str(r.dst);
    const table = tableId(r.table);
    if (dst === undefined || table === undefined) {
      warnings.push(cannotRead(`${source}[${i}]`, undefined, "route", JSON.stringify(raw)));
      return;
    }
    const fam: Family = dst.includes(":") || str(r.gateway)?.includes(":") ? "inet6" : family;
    const route: Route = {
      family: fam,
      table,
      type: str(r.type) ?? "unicast",
      destination: routeDestination(dst, fam),
      metric: typeof r.metric === "number" ? r.metric : 0,
    };
    const gw = str(r.gateway);
    if (gw) route.gateway = canonicalAddress(gw);
    const dev = str(r.dev);
    if (dev) route.interface = dev;
    const proto = r.protocol === undefined ? undefined : String(r.protocol);
    if (proto) route.protocol = proto;
    const scope = r.scope === undefined ? undefined : String(r.scope);
    if (scope) route.scope = scope;
    const src = str(r.prefsrc);
    if (src) route.source = canonicalAddress(src);
    if (Array.isArray(r.flags) && r.flags.length) route.flags = r.flags.map(String).sort();
    if (Array.isArray(r.nexthops)) {
      route.nexthops = r.nexthops.map((nh: Record<string, unknown>) => {
        const out: Nexthop = {};
        const g = str(nh.gateway);
        if (g) out.gateway = canonicalAddress(g);
        const d = str(nh.dev);
        if (d) out.interface = d;
        if (typeof nh.weight === "number") out.weight = nh.weight;
        return out;
      });
    }
    routes.push(readAtItem(route, i));
  });
  return { value: routes, warnings };
}

/** Parses `ip -j addr` into interfaces with their addresses (no counters). */
export function parseIpJsonAddr(
  json: string,
  source = "ip -j addr",
): Parsed<NetInterface[]> {
  const interfaces: NetInterface[] = [];
  const warnings: string[] = [];
  parseJsonArray(json, source).forEach((raw, i) => {
    const r = raw as Record<string, unknown>;
    const name = str(r.ifname);
    if (name === undefined) {
      warnings.push(
        cannotRead(`${source}[${i}]`, undefined, "interface without a name", JSON.stringify(raw)),
      );
      return;
    }
    const itf: NetInterface = {
      name,
      flags: Array.isArray(r.flags) ? r.flags.map(String) : [],
      addresses: [],
    };
    if (typeof r.ifindex === "number") itf.index = r.ifindex;
    const mac = str(r.address);
    if (mac && r.link_type !== "none") itf.mac = mac;
    if (typeof r.mtu === "number") itf.mtu = r.mtu;
    const op = str(r.operstate);
    if (op) itf.operState = op.toLowerCase();
    for (const a of Array.isArray(r.addr_info) ? r.addr_info as Record<string, unknown>[] : []) {
      const local = str(a.local);
      const fam = a.family === "inet6" ? "inet6" : a.family === "inet" ? "inet" : undefined;
      if (!local || !fam || typeof a.prefixlen !== "number") continue;
      const addr: InterfaceAddress = {
        family: fam,
        address: canonicalAddress(local),
        prefixLength: a.prefixlen,
      };
      const scope = str(a.scope);
      if (scope) addr.scope = scope;
      const brd = str(a.broadcast);
      if (brd) addr.broadcast = brd;
      itf.addresses.push(addr);
    }
    interfaces.push(readAtItem(itf, i));
  });
  return { value: interfaces, warnings };
}
