/**
 * iproute2 `ip route` text: `ip route`, `ip -6 route`, `ip -o route` (oneline, `\` between a
 * multipath route's nexthops) and `ip route show table all` (route types, `table local`…).
 *
 * A line is `[TYPE] DESTINATION` then keyword/value pairs (`via`, `dev`, `table`, `proto`, `scope`,
 * `src`, `metric`, …) and bare flags (`linkdown`, `onlink`). Route attributes (`mtu`, `advmss`,
 * `hoplimit`, `initcwnd`, `initrwnd`, `rtt`, `rttvar`, `ssthresh`, `cwnd`, `window`,
 * `reordering`, `quickack`, `congctl`, `features`, `rto_min`, `pref`, `expires`, `realm(s)`) are
 * kept as ip -j gives them (times in ms, `expires` in seconds); `lock` before a value is read
 * past, as ip -j does not show it either. Other values (`error`, `nhid`, `tos`, encapsulation …)
 * are read and left out.
 */
import type { Family, Nexthop, Route } from "../../model.ts";
import { canonicalAddress } from "../../net/address.ts";
import { routeDestination, tableId } from "../../net/routes.ts";
import { cannotRead, type Parsed, readAt, splitLines } from "../text.ts";

const TYPES = new Set([
  "unicast",
  "local",
  "broadcast",
  "multicast",
  "throw",
  "unreachable",
  "prohibit",
  "blackhole",
  "nat",
  "anycast",
]);

/** Route attributes kept as whole numbers, by the word ip prints before them. */
const NUMERIC_ATTRIBUTES = {
  mtu: "mtu",
  advmss: "advmss",
  hoplimit: "hoplimit",
  initcwnd: "initcwnd",
  initrwnd: "initrwnd",
  ssthresh: "ssthresh",
  cwnd: "cwnd",
  window: "window",
  reordering: "reordering",
  quickack: "quickack",
} as const satisfies Record<string, keyof Route>;

/** Route attributes that are times, kept in milliseconds. */
const TIME_ATTRIBUTES = {
  rtt: "rtt",
  rttvar: "rttvar",
  rto_min: "rtoMin",
} as const satisfies Record<
  string,
  keyof Route
>;

/** Keywords followed by a value that a snapshot does not keep. */
const SKIPPED_WITH_VALUE = new Set([
  "error",
  "nhid",
  "tos",
  "dsfield",
  "ttl-propagate",
  "fastopen_no_cookie",
  "encap",
  "as",
  "mark",
]);

/** Keywords followed by a value (`lock` optional before it) that `parseRouteWords` keeps. */
const KEPT_WITH_VALUE = new Set([
  ...Object.keys(NUMERIC_ATTRIBUTES),
  ...Object.keys(TIME_ATTRIBUTES),
  "congctl",
  "features",
  "pref",
  "expires",
  "realm",
  "realms",
]);

/** A time as ip prints it (`10ms`, `1.5s`, `300us`) in milliseconds. */
function milliseconds(text: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(us|ms|s)?$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === "s" ? n * 1000 : m[2] === "us" ? n / 1000 : n;
}

/** Keeps one route attribute; false when its value cannot be read. */
function setAttribute(route: Route, key: string, value: string): boolean {
  if (Object.hasOwn(NUMERIC_ATTRIBUTES, key)) {
    if (!/^[0-9]{1,10}$/.test(value)) return false;
    route[NUMERIC_ATTRIBUTES[key as keyof typeof NUMERIC_ATTRIBUTES]] = Number(value);
  } else if (Object.hasOwn(TIME_ATTRIBUTES, key)) {
    const ms = milliseconds(value);
    if (ms === undefined) return false;
    route[TIME_ATTRIBUTES[key as keyof typeof TIME_ATTRIBUTES]] = ms;
  } else if (key === "congctl") route.congestion = value;
  else if (key === "features") route.features = value.split(",");
  else if (key === "pref") route.pref = value;
  else if (key === "expires") {
    const m = /^(-?[0-9]+)sec$/.exec(value);
    if (!m) return false;
    route.expires = Math.max(0, Number(m[1]));
  } else route.realms = value;
  return true;
}

/** Reads `via [inet|inet6] ADDR`, returning the address and how many words it took. */
function via(words: string[], k: number): [string | undefined, number] {
  const w = words[k + 1];
  if (w === "inet" || w === "inet6") return [words[k + 2], 3];
  return [w, 2];
}

function parseNexthop(text: string): Nexthop | undefined {
  const words = text.trim().split(/\s+/);
  if (words[0] !== "nexthop") return undefined;
  const nh: Nexthop = {};
  for (let k = 1; k < words.length;) {
    const key = words[k]!;
    if (key === "via") {
      const [gw, n] = via(words, k);
      if (gw === undefined) return undefined;
      nh.gateway = canonicalAddress(gw);
      k += n;
    } else if (key === "dev" && words[k + 1] !== undefined) {
      nh.interface = words[k + 1]!;
      k += 2;
    } else if (key === "weight" && /^[0-9]+$/.test(words[k + 1] ?? "")) {
      nh.weight = Number(words[k + 1]);
      k += 2;
    } else {
      // Nexthop flags (onlink, dead, linkdown) do not change which path it is.
      k += SKIPPED_WITH_VALUE.has(key) || KEPT_WITH_VALUE.has(key) ? 2 : 1;
    }
  }
  return nh;
}

/**
 * Parses `ip route` text into routes. A `default` route names no address, so its family comes
 * from what the line says (a gateway, IPv6's `pref`, its nexthops), else from the routes printed
 * next to it (ip lists every IPv4 route, then every IPv6 one), else from `family`, else IPv4.
 *
 * @example
 * ```ts
 * import { parseIpRoute } from "./ip_route.ts";
 * const { value } = parseIpRoute("default via 10.0.0.1 dev eth0\n", "ip route");
 * value[0]?.destination; // "0.0.0.0/0"
 * ```
 */
export function parseIpRoute(
  text: string,
  source = "ip route",
  family?: Family,
): Parsed<Route[]> {
  const read: { route: Route; known: boolean }[] = [];
  const warnings: string[] = [];
  let last: { route: Route; known: boolean } | undefined;
  splitLines(text).forEach((line, idx) => {
    if (line.trim() === "") return;
    const segments = line.split("\\");
    let first = segments[0]!;
    if (/^\s+nexthop\s/.test(first)) {
      // Multi-line multipath: the nexthop belongs to the route above.
      segments.unshift("");
      first = "";
    }
    if (first.trim() !== "") {
      const r = parseRouteWords(first.trim().split(/\s+/));
      if (typeof r === "string") {
        warnings.push(cannotRead(source, idx + 1, `route (${r})`, line));
        last = undefined;
        return;
      }
      if (r.tableName !== undefined) {
        warnings.push(
          `${source}:${idx + 1}: table "${r.tableName}" has no number in this output; ` +
            `route ${r.route.destination} kept under table 0`,
        );
      }
      last = { route: readAt(r.route, idx + 1), known: r.known };
      read.push(last);
    }
    for (const seg of segments.slice(1)) {
      if (seg.trim() === "") continue;
      const nh = parseNexthop(seg);
      if (nh === undefined || last === undefined) {
        warnings.push(cannotRead(source, idx + 1, "route nexthop", line));
        continue;
      }
      (last.route.nexthops ??= []).push(nh);
      if (!last.known && nh.gateway !== undefined) {
        last.route.family = nh.gateway.includes(":") ? "inet6" : "inet";
        last.known = true;
      }
    }
  });
  // A route of unknown family takes the family of the nearest route before it that says, else
  // after it: ip prints one family's routes together.
  const known = read.map((r) => r.known ? r.route.family : undefined);
  read.forEach((r, i) => {
    if (r.known) return;
    let guess: Family | undefined;
    for (let k = i - 1; k >= 0 && guess === undefined; k--) guess = known[k];
    for (let k = i + 1; k < read.length && guess === undefined; k++) guess = known[k];
    r.route.family = family ?? guess ?? "inet";
  });
  for (const { route } of read) {
    route.destination = routeDestination(route.destination, route.family);
  }
  return { value: read.map((r) => r.route), warnings };
}

/** One route line's words; `known` says whether the line itself tells the family. */
function parseRouteWords(
  words: string[],
): { route: Route; known: boolean; tableName?: string } | string {
  let k = 0;
  let type = "unicast";
  if (TYPES.has(words[0]!)) type = words[k++]!;
  const dst = words[k++];
  if (dst === undefined || !/^(default|[0-9a-fA-F.:]+(\/[0-9]{1,3})?)$/.test(dst)) {
    return "bad destination";
  }
  let known = dst !== "default";
  let family: Family = dst.includes(":") ? "inet6" : "inet";
  const route: Route = { family, table: 254, type, destination: dst, metric: 0 };
  let tableName: string | undefined;
  const flags: string[] = [];
  while (k < words.length) {
    const key = words[k]!;
    const value = words[k + 1];
    if (key === "via") {
      const [gw, n] = via(words, k);
      if (gw === undefined) return "via without address";
      route.gateway = canonicalAddress(gw);
      if (dst === "default") {
        family = gw.includes(":") ? "inet6" : "inet";
        known = true;
      }
      k += n;
      continue;
    }
    if (key === "nexthop") return "nexthop inside route";
    if (value !== undefined) {
      if (key === "dev") route.interface = value;
      else if (key === "proto") route.protocol = value;
      else if (key === "scope") route.scope = value;
      else if (key === "src") route.source = canonicalAddress(value);
      else if (key === "metric" || key === "preference") {
        if (!/^[0-9]+$/.test(value)) return "bad metric";
        route.metric = Number(value);
      } else if (key === "table") {
        // tableId looks names up in a plain object: only a number is an answer.
        const id = tableId(value);
        if (typeof id !== "number") {
          tableName = value;
          route.table = 0;
          flags.push(`table=${value}`);
        } else route.table = id;
      } else if (KEPT_WITH_VALUE.has(key)) {
        const locked = value === "lock";
        const v = locked ? words[k + 2] : value;
        if (v === undefined || !setAttribute(route, key, v)) return `bad ${key}`;
        // Only IPv6 routes have a router preference.
        if (key === "pref") {
          family = "inet6";
          known = true;
        }
        k += locked ? 3 : 2;
        continue;
      } else if (SKIPPED_WITH_VALUE.has(key)) {
        // Read past.
      } else {
        flags.push(key);
        k += 1;
        continue;
      }
      k += 2;
      continue;
    }
    if (SKIPPED_WITH_VALUE.has(key) || KEPT_WITH_VALUE.has(key)) return `${key} without a value`;
    flags.push(key);
    k += 1;
  }
  route.family = family;
  if (flags.length > 0) route.flags = flags.sort();
  return tableName === undefined ? { route, known } : { route, known, tableName };
}
