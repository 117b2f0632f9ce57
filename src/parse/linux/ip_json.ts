/**
 * `ip -j route show table all` and `ip -j addr`: iproute2's JSON output, which shows what /proc
 * cannot (policy tables, route types and protocols, route attributes such as the path MTU, every
 * address with its prefix). A metric ip locks (`mtu lock 1400`) is read as its value: ip -j does
 * not say which are locked.
 */
import type { Family, InterfaceAddress, NetInterface, Nexthop, Route } from "../../model.ts";
import { canonicalAddress } from "../../net/address.ts";
import { ParseError } from "../../errors.ts";
import { routeDestination, tableId } from "../../net/routes.ts";
import { cannotRead, type Parsed, readAtItem } from "../text.ts";
import { hostText } from "../../util/host_text.ts";

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * A link's flags as ip prints them; with `ip -d`, PROMISC and ALLMULTI follow its promiscuity
 * and allmulti counts, as /sys/class/net/NAME/flags shows them (set while anyone asked, a bridge
 * port or a capture), where ip's own flags show them only when set by hand.
 */
function linkFlags(r: Record<string, unknown>): string[] {
  const flags = Array.isArray(r.flags) ? r.flags.map(String) : [];
  const follow = (name: string, count: unknown) => {
    if (typeof count !== "number") return;
    const at = flags.indexOf(name);
    if (count > 0 && at < 0) flags.push(name);
    if (count === 0 && at >= 0) flags.splice(at, 1);
  };
  follow("PROMISC", r.promiscuity);
  follow("ALLMULTI", r.allmulti);
  return flags;
}

const ESCAPED: Readonly<Record<string, number>> = {
  '"': 0x22,
  "\\": 0x5c,
  "/": 0x2f,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
};

/**
 * `ip -j` output made valid JSON, whatever bytes its strings hold. iproute2 writes an interface
 * name's bytes as they are, escaping only `"`, `\` and a few controls: one name with ESC or a
 * byte that is not UTF-8 (both allowed by the kernel) makes the whole output invalid JSON. Each
 * string is taken apart to its bytes (ip's escapes undone), decoded by the host-text rule
 * (util/host_text.ts, the same text /sys and /proc give for those bytes) and written back as a
 * proper JSON string; everything outside strings is kept.
 *
 * @example
 * ```ts
 * import { ipJsonText } from "./ip_json.ts";
 * const raw = new Uint8Array([...new TextEncoder().encode('[{"ifname":"a'), 0x1b, 0x62, 0x22, 0x7d, 0x5d]);
 * JSON.parse(ipJsonText(raw))[0].ifname; // "a\x1bb"
 * ```
 */
export function ipJsonText(bytes: Uint8Array): string {
  if (plainAscii(bytes)) return ASCII.decode(bytes);
  let out = "";
  let plainFrom = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x22) continue;
    out += ASCII.decode(bytes.subarray(plainFrom, i));
    const str: number[] = [];
    let j = i + 1;
    for (; j < bytes.length && bytes[j] !== 0x22; j++) {
      const b = bytes[j]!;
      const next = j + 1 < bytes.length ? String.fromCharCode(bytes[j + 1]!) : "";
      const hex = next === "u" ? ASCII.decode(bytes.subarray(j + 2, j + 6)) : "";
      if (b !== 0x5c) str.push(b);
      else if (Object.hasOwn(ESCAPED, next)) {
        str.push(ESCAPED[next]!);
        j++;
      } else if (/^[0-9a-fA-F]{4}$/.test(hex)) {
        str.push(...new TextEncoder().encode(String.fromCharCode(parseInt(hex, 16))));
        j += 5;
      } else str.push(b);
    }
    out += JSON.stringify(hostText(Uint8Array.from(str)));
    i = j;
    plainFrom = j + 1;
  }
  return out + ASCII.decode(bytes.subarray(plainFrom));
}

/** One byte per character, for the text between strings (ASCII in ip's output). */
const ASCII = new TextDecoder("utf-8");

/** Printable ASCII, line ends and tabs, no backslash: JSON as it is, nothing to repair. */
function plainAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x7f || b === 0x5c || (b < 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)) {
      return false;
    }
  }
  return true;
}

/** Parses a tool's JSON output (empty text is `empty`); a ParseError when it is not JSON. */
export function parseToolJson(json: string, source: string, empty: string): unknown {
  try {
    return JSON.parse(json.trim() === "" ? empty : json);
  } catch (err) {
    // A name with a control character (or a byte that is not UTF-8) broke ip's JSON: its
    // strings repaired, it may still be read.
    try {
      return JSON.parse(ipJsonText(new TextEncoder().encode(json)));
    } catch {
      throw new ParseError(
        source,
        1,
        json.split("\n")[0] ?? "",
        `not JSON (${(err as Error).message})`,
      );
    }
  }
}

/** Parses iproute2 JSON output: an array (empty text is an empty array), else a ParseError. */
export function parseJsonArray(json: string, source: string): unknown[] {
  const doc = parseToolJson(json, source, "[]");
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
    // A gateway of the other family (`via inet6 fe80::1` on an IPv4 route) is the gateway too.
    const gw = str(r.gateway) ?? str((r.via as Record<string, unknown> | undefined)?.host);
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
    Object.assign(route, jsonRouteAttributes(r));
    routes.push(readAtItem(route, i));
  });
  return { value: routes, warnings };
}

/** The `metrics` ip -j prints (integers, times in ms) by the route field that keeps them. */
const METRIC_FIELDS = {
  mtu: "mtu",
  advmss: "advmss",
  hoplimit: "hoplimit",
  initcwnd: "initcwnd",
  initrwnd: "initrwnd",
  rtt: "rtt",
  rttvar: "rttvar",
  ssthresh: "ssthresh",
  cwnd: "cwnd",
  window: "window",
  reordering: "reordering",
  quickack: "quickack",
  rto_min: "rtoMin",
} as const satisfies Record<string, keyof Route>;

/**
 * A route's attributes from ip -j: the `metrics` (path MTU, windows, RTT, congestion control,
 * features), `pref`, `expires` and the realms (`flow`). Values ip does not print are absent.
 */
export function jsonRouteAttributes(r: Record<string, unknown>): Partial<Route> {
  const out: Partial<Route> = {};
  const metrics = Array.isArray(r.metrics) ? r.metrics : r.metrics ? [r.metrics] : [];
  for (const m of metrics as Record<string, unknown>[]) {
    if (m === null || typeof m !== "object") continue;
    for (const [key, field] of Object.entries(METRIC_FIELDS)) {
      const v = m[key];
      if (typeof v === "number" && Number.isFinite(v) && v >= 0) {
        (out as Record<string, number>)[field] = v;
      }
    }
    if (typeof m.congestion === "string") out.congestion = m.congestion;
    if (Object.hasOwn(m, "ecn")) out.features = ["ecn"];
  }
  const pref = str(r.pref);
  if (pref) out.pref = pref;
  if (typeof r.expires === "number" && Number.isInteger(r.expires) && r.expires >= 0) {
    out.expires = r.expires;
  }
  const flow = r.flow as { from?: unknown; to?: unknown } | undefined;
  if (flow && typeof flow === "object" && typeof flow.to === "string") {
    out.realms = typeof flow.from === "string" ? `${flow.from}/${flow.to}` : flow.to;
  }
  return out;
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
    const itf: NetInterface = { name, flags: linkFlags(r), addresses: [] };
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
