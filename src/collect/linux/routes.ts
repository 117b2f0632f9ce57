/**
 * The Linux collector's routes: every table of both families, over rtnetlink where it can be
 * used, else from `ip -j route show table all`; where `ip` cannot run either, the main tables
 * from /proc/net/route and /proc/net/ipv6_route, and the section says so. The netlink records
 * are mapped to what `ip -j` gives (from_netlink.ts), so either source diffs clean against the
 * other.
 */
import type { Route } from "../../model.ts";
import { parseIpJsonRoutes } from "../../parse/linux/ip_json.ts";
import { parseProcNetRoute } from "../../parse/linux/proc_net_route.ts";
import { parseProcNetIpv6Route } from "../../parse/linux/proc_net_ipv6_route.ts";
import type { Parsed } from "../../parse/text.ts";
import type { Place } from "../contract.ts";
import { noteStatus, type Section, section } from "../section.ts";
import { readText, under } from "./files.ts";
import { routeFrom } from "./from_netlink.ts";
import { runIp } from "./ip.ts";
import { dumpRoutes } from "./netlink.ts";
import { outputJson } from "./tools.ts";

/** Every table of both families from `ip -j`; the reason when ip cannot run. */
export function routesFromIp(place: Place): Parsed<Route[]> | string {
  const out: Parsed<Route[]> = { value: [], warnings: [] };
  for (const [flag, family] of [["-4", "inet"], ["-6", "inet6"]] as const) {
    const r = runIp(place.runner, ["-j", flag, "route", "show", "table", "all"]);
    if (!r.ok) return r.reason ?? "ip failed";
    let parsed: Parsed<Route[]>;
    try {
      // Device names are bytes: read whatever they hold (outputJson), by the host-text rule.
      parsed = parseIpJsonRoutes(outputJson(r), family, `ip -j ${flag} route show table all`);
    } catch (err) {
      return (err as Error).message;
    }
    out.value.push(...parsed.value);
    out.warnings.push(...parsed.warnings);
  }
  return out;
}

/** The main tables from /proc (no policy tables); a file that cannot be read is a warning. */
function fromProc(place: Place, warnings: string[]): Route[] {
  return procRoutesIn(under(place.root, "/proc/net"), warnings);
}

/** The main tables of one /proc/net folder (/proc/PID/net: the namespace of PID). */
export function procRoutesIn(dir: string, warnings: string[]): Route[] {
  const routes: Route[] = [];
  for (
    const [file, parse] of [["route", parseProcNetRoute], [
      "ipv6_route",
      parseProcNetIpv6Route,
    ]] as const
  ) {
    const path = `${dir}/${file}`;
    const text = readText(path, warnings);
    if (text === undefined) continue;
    const r = parse(text, path);
    routes.push(...r.value);
    warnings.push(...r.warnings);
  }
  return routes;
}

/** Every table of both families over rtnetlink; the reason when a part cannot be read. */
function fromNetlink(
  place: Place,
  names: ReadonlyMap<number, string> | undefined,
): Parsed<Route[]> | string {
  const r = dumpRoutes({
    ...(place.netns === undefined ? {} : { netns: place.netns }),
    ...(names === undefined ? {} : { names }),
  });
  if (!r.ok) return r.reason;
  if (r.incomplete.length > 0) return r.warnings.join("; ") || `${r.incomplete.join(", ")} unread`;
  return { value: r.records.map(routeFrom), warnings: r.warnings };
}

/**
 * Reads the routes: over netlink when `netlink` (with the namespace's interface names), else (or
 * when netlink cannot read them, which is noted) from `ip -j` where it runs, else from /proc.
 */
export function collectRoutes(
  place: Place,
  netlink = false,
  names?: ReadonlyMap<number, string>,
): Section<Route[]> {
  let source = netlink ? "netlink" : "ip -j";
  const notes: string[] = [];
  const routes = section(source, [], (warnings) => {
    if (netlink) {
      const nl = fromNetlink(place, names);
      if (typeof nl !== "string") {
        warnings.push(...nl.warnings);
        return nl.value;
      }
      notes.push(`netlink: ${nl}; ran ip -j instead`);
      source = "ip -j";
    }
    const ip = routesFromIp(place);
    if (typeof ip !== "string") {
      warnings.push(...ip.warnings);
      return ip.value;
    }
    source = "proc";
    warnings.push(
      ip,
      "read /proc/net/route and /proc/net/ipv6_route instead: main table only, no policy tables",
    );
    return fromProc(place, warnings);
  });
  return { ...routes, status: noteStatus(routes.status, notes), source };
}
