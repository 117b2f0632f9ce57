/**
 * Matching records against a rule's keys, in three values: a key matches, does not match, or
 * cannot be decided (the snapshot does not know the owner, has no namespaces …) — and "cannot be
 * decided" is never taken for either answer. Keys combine with AND, a rule's `except` list with
 * AND NOT, and a list of rules with OR, in Kleene's logic: false wins an AND, true wins an OR,
 * otherwise unknown stays unknown.
 *
 * Scope asks where a listener can be reached from. A listener bound to 0.0.0.0 or :: is reachable
 * on every address of the host, so it is in every scope: a `deny` or `required` rule's scopes
 * match a listener reachable in any of them, an `allow` rule's scopes only a listener reachable
 * nowhere else — `allow: scope: loopback` never allows 0.0.0.0.
 */
import type { Route } from "../model.ts";
import { type Cidr, cidrContains, parseCidr } from "../net/address.ts";
import type { AddressScope } from "../net/scope.ts";
import { globToRegExp } from "../diff/ignore.ts";
import { parseTable } from "../view/routes.ts";
import type { ListenerFact, LooseRecord } from "./facts.ts";
import type {
  ListenerMatchSpec,
  ListenerScopeName,
  NeighbourSpec,
  RouteMatchSpec,
  RoutingRuleSpec,
} from "./schema.ts";

/** A three-valued answer: true, false, or unknown with the reason. */
export type Tri = boolean | { unknown: string };

/** AND of three-valued answers. */
export function and(values: Iterable<Tri>): Tri {
  let unknown: Tri | undefined;
  for (const v of values) {
    if (v === false) return false;
    if (v !== true) unknown ??= v;
  }
  return unknown ?? true;
}

/** OR of three-valued answers. */
export function or(values: Iterable<Tri>): Tri {
  let unknown: Tri | undefined;
  for (const v of values) {
    if (v === true) return true;
    if (v !== false) unknown ??= v;
  }
  return unknown ?? false;
}

/** NOT of a three-valued answer. */
export function not(v: Tri): Tri {
  return typeof v === "boolean" ? !v : v;
}

/** One key of a rule, ready to test a record. */
export interface KeyTest<R> {
  /** The key as written in the policy (`scope`, `program`). */
  key: string;
  /** What the key asks for, for messages (`loopback`, `nginx`). */
  wants: string;
  test(record: R): Tri;
  /** A test the policy did not write (the own namespace by default): left out of its text. */
  implicit?: true;
}

/** A value or a list of them, as a list. */
export function list<T>(v: T | readonly T[] | undefined): readonly T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v as T];
}

/** Matches text against a glob (`*`, `?`, `[…]`), compiled once. */
export function globTest(globs: readonly string[]): (s: string) => boolean {
  const res = globs.map(globToRegExp);
  return (s) => res.some((re) => re.test(s));
}

/** Parses `80` or `"8000-8100"` to an inclusive range. */
export function portRange(p: number | string): [number, number] {
  if (typeof p === "number") return [p, p];
  const [lo, hi = lo] = p.split("-").map((x) => Number(x.trim()));
  return [lo!, hi!];
}

const IP_SCOPES: readonly AddressScope[] = ["loopback", "link-local", "private", "public"];
const NAMESPACE_SCOPES = new Set<ListenerScopeName>(["published", "host-network", "internal"]);

/** True for a listener rule about other namespaces: a `namespace` key or a container scope. */
export function needsNamespaces(spec: ListenerMatchSpec): boolean {
  return spec.namespace !== undefined || list(spec.scope).some((s) => NAMESPACE_SCOPES.has(s));
}

/**
 * Where a listener can be reached: its scope, or every scope for the wildcard; nowhere for a
 * container's internal listener (nothing on the host leads to it, whatever it is bound to).
 */
export function reach(f: ListenerFact): readonly AddressScope[] {
  if (f.exposure === "internal") return [];
  return f.scope === "any" ? IP_SCOPES : [f.scope];
}

/** How a rule's scopes compare with a listener's reach. */
export type ScopeMode = "within" | "touches";

/** What the evaluator knows about the snapshot beyond each record. */
export interface MatchContext {
  /** Why owners are unknown when they are (not root …), for messages. */
  ownerUnknown: string;
  /** Undefined when the snapshot has namespaces; else why namespace keys cannot be decided. */
  noNamespaces?: string;
}

/** Compiles a listener rule's keys into tests. `within` for allow rules, `touches` otherwise. */
export function listenerTests(
  spec: ListenerMatchSpec,
  mode: ScopeMode,
  ctx: MatchContext,
): KeyTest<ListenerFact>[] {
  const tests: KeyTest<ListenerFact>[] = [];
  const protocols = list(spec.protocol);
  if (protocols.length) {
    tests.push({
      key: "protocol",
      wants: protocols.join(","),
      test: (f) => protocols.includes(f.protocol),
    });
  }
  const families = list(spec.family);
  if (families.length) {
    tests.push({
      key: "family",
      wants: families.join(","),
      test: (f) => families.includes(f.family),
    });
  }
  const ports = list(spec.port).map(portRange);
  if (ports.length) {
    tests.push({
      key: "port",
      wants: list(spec.port).join(","),
      test: (f) => ports.some(([lo, hi]) => f.port >= lo && f.port <= hi),
    });
  }
  const cidrs = list(spec.address).map((a) => parseCidr(a.trim())!);
  if (cidrs.length) {
    tests.push({
      key: "address",
      wants: list(spec.address).join(","),
      test: (f) => cidrs.some((c) => cidrContains(c, f.address.replace(/%.*$/, ""))),
    });
  }
  const scopes = list(spec.scope);
  if (scopes.length) tests.push(scopeTest(scopes, mode, ctx));
  const programs = list(spec.program);
  if (programs.length) {
    const m = globTest(programs);
    tests.push({
      key: "program",
      wants: programs.join(","),
      test: (f) => f.program === undefined ? { unknown: ctx.ownerUnknown } : m(f.program),
    });
  }
  const users = list(spec.user);
  if (users.length) {
    const names = globTest(users.filter((u): u is string => typeof u === "string"));
    const uids = new Set(users.map(String).filter((u) => /^[0-9]+$/.test(u)).map(Number));
    tests.push({
      key: "user",
      wants: users.join(","),
      test: (f) => {
        if (f.uid !== undefined && uids.has(f.uid)) return true;
        if (f.user !== undefined) return names(f.user);
        return f.uid !== undefined && uids.size === users.length
          ? false
          : { unknown: ctx.ownerUnknown };
      },
    });
  }
  const namespaces = list(spec.namespace);
  if (namespaces.length) {
    const m = globTest(namespaces);
    tests.push({
      key: "namespace",
      wants: namespaces.join(","),
      test: (f) =>
        ctx.noNamespaces !== undefined
          ? { unknown: ctx.noNamespaces }
          : f.namespace === undefined
          ? { unknown: "the listener's namespace is unknown" }
          : m(f.namespace),
    });
  }
  return tests;
}

function scopeTest(
  scopes: readonly ListenerScopeName[],
  mode: ScopeMode,
  ctx: MatchContext,
): KeyTest<ListenerFact> {
  const wanted = new Set<AddressScope>();
  for (const s of scopes) {
    if (s === "any") IP_SCOPES.forEach((x) => wanted.add(x));
    else if (!NAMESPACE_SCOPES.has(s)) wanted.add(s as AddressScope);
  }
  const nsScopes = scopes.filter((s) => NAMESPACE_SCOPES.has(s));
  return {
    key: "scope",
    wants: scopes.join(","),
    test: (f) => {
      if (nsScopes.length) {
        if (ctx.noNamespaces !== undefined) return { unknown: ctx.noNamespaces };
        if (f.exposure !== undefined && nsScopes.includes(f.exposure)) return true;
        if (wanted.size === 0) return false;
      }
      const r = reach(f);
      return mode === "within" ? r.every((x) => wanted.has(x)) : r.some((x) => wanted.has(x));
    },
  };
}

/** Runs a rule's tests on a record: the AND, and the keys that answered false. */
export function runTests<R>(
  tests: readonly KeyTest<R>[],
  record: R,
): { result: Tri; failed: KeyTest<R>[] } {
  const answers = tests.map((t) => t.test(record));
  return { result: and(answers), failed: tests.filter((_, i) => answers[i] === false) };
}

/** A route's gateways: its own and its next hops'. */
function gateways(r: Route): string[] {
  const out = r.gateway !== undefined ? [r.gateway] : [];
  for (const n of r.nexthops ?? []) if (n.gateway !== undefined) out.push(n.gateway);
  return out;
}

function interfaces(r: Route): string[] {
  const out = r.interface !== undefined ? [r.interface] : [];
  for (const n of r.nexthops ?? []) if (n.interface !== undefined) out.push(n.interface);
  return out;
}

function sameCidr(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.prefix === b.prefix && a.bits === b.bits;
}

/** The default destination of a family (or both). */
function defaultDestinations(family: "inet" | "inet6" | undefined): Cidr[] {
  const all = [parseCidr("0.0.0.0/0")!, parseCidr("::/0")!];
  return family === undefined ? all : all.filter((c) => c.family === family);
}

/** Compiles a route rule's keys into tests. */
export function routeTests(spec: RouteMatchSpec): KeyTest<Route>[] {
  const tests: KeyTest<Route>[] = [];
  if (spec.destination !== undefined) {
    const wanted = spec.destination === "default"
      ? defaultDestinations(spec.family)
      : [parseCidr(spec.destination.trim())!];
    tests.push({
      key: "destination",
      wants: spec.destination,
      test: (r) => {
        const d = parseCidr(
          r.destination === "default"
            ? (r.family === "inet6" ? "::/0" : "0.0.0.0/0")
            : r.destination,
        );
        return d !== undefined && wanted.some((w) => sameCidr(w, d));
      },
    });
  }
  if (spec.gateway !== undefined) {
    const g = spec.gateway;
    const cidr = g === "none" ? undefined : parseCidr(g.trim());
    tests.push({
      key: "gateway",
      wants: g,
      test: (r) =>
        cidr === undefined
          ? gateways(r).length === 0
          : gateways(r).some((x) => cidrContains(cidr, x)),
    });
  }
  if (spec.interface !== undefined) {
    const m = globTest([spec.interface]);
    tests.push({ key: "interface", wants: spec.interface, test: (r) => interfaces(r).some(m) });
  }
  if (spec.family !== undefined) {
    const fam = spec.family;
    tests.push({ key: "family", wants: fam, test: (r) => r.family === fam });
  }
  if (spec.table !== undefined) {
    const t = typeof spec.table === "number" ? spec.table : parseTable(spec.table);
    tests.push({ key: "table", wants: String(spec.table), test: (r) => r.table === t });
  }
  const eq = (key: "type" | "protocol" | "scope", want: string | undefined) => {
    if (want !== undefined) tests.push({ key, wants: want, test: (r) => r[key] === want });
  };
  eq("type", spec.type);
  if (spec.metric !== undefined) {
    const m = spec.metric;
    tests.push({ key: "metric", wants: String(m), test: (r) => r.metric === m });
  }
  eq("protocol", spec.protocol);
  eq("scope", spec.scope);
  if (spec.source !== undefined) {
    const c = parseCidr(spec.source.trim())!;
    tests.push({
      key: "source",
      wants: spec.source,
      test: (r) => r.source !== undefined && cidrContains(c, r.source),
    });
  }
  return tests;
}

/** A field of a loose record (a section the snapshot schema does not define yet). */
function field(r: LooseRecord, ...names: string[]): unknown {
  for (const n of names) if (Object.hasOwn(r, n) && r[n] !== undefined) return r[n];
  return undefined;
}

function cidrKey<R extends LooseRecord>(key: string, text: string, names: string[]): KeyTest<R> {
  const all = text === "all";
  const c = all ? undefined : parseCidr(text.trim());
  return {
    key,
    wants: text,
    test: (r) => {
      const v = field(r, ...names);
      if (v === undefined) return all;
      if (typeof v !== "string") return false;
      const d = parseCidr(v);
      return c !== undefined && d !== undefined && sameCidr(c, d);
    },
  };
}

function equalKey<R extends LooseRecord>(key: string, want: unknown, names: string[]): KeyTest<R> {
  return { key, wants: String(want), test: (r) => field(r, ...names) === want };
}

/** Compiles a routing-rule (`ip rule`) rule's keys into tests on the captured rule records. */
export function routingRuleTests(spec: RoutingRuleSpec): KeyTest<LooseRecord>[] {
  const tests: KeyTest<LooseRecord>[] = [];
  if (spec.family !== undefined) tests.push(equalKey("family", spec.family, ["family"]));
  if (spec.priority !== undefined) tests.push(equalKey("priority", spec.priority, ["priority"]));
  if (spec.from !== undefined) tests.push(cidrKey("from", spec.from, ["from", "src"]));
  if (spec.to !== undefined) tests.push(cidrKey("to", spec.to, ["to", "dst"]));
  for (const k of ["iif", "oif"] as const) {
    const g = spec[k];
    if (g !== undefined) {
      const m = globTest([g]);
      tests.push({
        key: k,
        wants: g,
        test: (r) => typeof field(r, k) === "string" && m(field(r, k) as string),
      });
    }
  }
  if (spec.fwmark !== undefined) {
    const want = typeof spec.fwmark === "number" ? spec.fwmark : parseInt(spec.fwmark, 16);
    tests.push({
      key: "fwmark",
      wants: String(spec.fwmark),
      test: (r) => Number(field(r, "fwmark")) === want,
    });
  }
  if (spec.table !== undefined) {
    const t = typeof spec.table === "number" ? spec.table : parseTable(spec.table);
    tests.push(equalKey("table", t, ["table"]));
  }
  if (spec.action !== undefined) tests.push(equalKey("action", spec.action, ["action"]));
  return tests;
}

/** Compiles a neighbour rule's keys into tests on the captured neighbour records. */
export function neighbourTests(spec: NeighbourSpec): KeyTest<LooseRecord>[] {
  const tests: KeyTest<LooseRecord>[] = [];
  if (spec.family !== undefined) tests.push(equalKey("family", spec.family, ["family"]));
  if (spec.address !== undefined) {
    const c = parseCidr(spec.address.trim())!;
    tests.push({
      key: "address",
      wants: spec.address,
      test: (r) =>
        typeof field(r, "address") === "string" && cidrContains(c, field(r, "address") as string),
    });
  }
  if (spec.mac !== undefined) {
    const m = globTest([spec.mac.toLowerCase()]);
    tests.push({
      key: "mac",
      wants: spec.mac,
      test: (r) => {
        const v = field(r, "mac", "lladdr");
        return typeof v === "string" && m(v.toLowerCase());
      },
    });
  }
  if (spec.interface !== undefined) {
    const m = globTest([spec.interface]);
    tests.push({
      key: "interface",
      wants: spec.interface,
      test: (r) => typeof field(r, "interface") === "string" && m(field(r, "interface") as string),
    });
  }
  const states = list(spec.state);
  if (states.length) {
    tests.push({
      key: "state",
      wants: states.join(","),
      test: (r) => {
        const v = field(r, "states", "state");
        const have = Array.isArray(v)
          ? v.map(String)
          : typeof v === "string"
          ? v.split(/[\s,]+/)
          : [];
        return have.some((s) => states.includes(s.toUpperCase()));
      },
    });
  }
  for (const k of ["router", "proxy"] as const) {
    const want = spec[k];
    if (want !== undefined) {
      tests.push({
        key: k,
        wants: String(want),
        test: (r) => (field(r, k) === true) === want,
      });
    }
  }
  return tests;
}

/**
 * The namespace key of a route, routing-rule, neighbour or interface rule. With globs: records
 * of the namespaces whose id matches (`recordNamespaceId`: the own one's records carry none),
 * unknown on a snapshot of one namespace (`noNamespaces`, as for listeners). Without: only the
 * own namespace's records, an implicit test, and none on a snapshot of one namespace.
 */
export function namespaceTests<R>(
  globs: string | readonly string[] | undefined,
  ownId: string | undefined,
  noNamespaces: string | undefined,
): KeyTest<R>[] {
  const of = (r: R): string | undefined => {
    const v = (r as { namespace?: unknown }).namespace;
    return typeof v === "string" ? v : undefined;
  };
  const wanted = list(globs);
  if (wanted.length === 0) {
    if (noNamespaces !== undefined) return [];
    return [{
      key: "namespace",
      wants: ownId ?? "own",
      test: (r) => of(r) === undefined,
      implicit: true,
    }];
  }
  const m = globTest(wanted);
  return [{
    key: "namespace",
    wants: wanted.join(","),
    test: (r) =>
      noNamespaces !== undefined ? { unknown: noNamespaces } : m(of(r) ?? ownId ?? "host"),
  }];
}

/** A rule's keys in one line, as the policy states them: `protocol tcp, port 80,443`. */
export function describeKeys(tests: readonly KeyTest<unknown>[]): string {
  const written = tests.filter((t) => !t.implicit);
  return written.length === 0 ? "anything" : written.map((t) => `${t.key} ${t.wants}`).join(", ");
}
