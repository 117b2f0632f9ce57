/**
 * Fleet keys: when two hosts made "the same change". A fleet key is the change's kind and its
 * key with what differs from host to host taken out — pids, start times, executables, counts,
 * and the host's own addresses, which become their scope (scope.ts). Changes of one fleet key
 * roll up into one line ("listener-opened tcp 0.0.0.0:9100 (node_exporter) on 37 of 40 hosts").
 *
 * One rule per kind, in `LINE_RULES`; docs/diff.md ("Fleets") states each. Counters and
 * interface traffic do not become lines: they roll up as a sum and a distribution (rollup.ts).
 * A kind without a rule here (a kind added later) rolls up by its diff key as it is, and a test
 * holds the table to the list of kinds.
 */
import type { Change, ChangeKind, ChangeOf } from "../diff/types.ts";
import type { Neighbour, Qdisc, Route } from "../model.ts";
import { endpoint } from "../net/sockets.ts";
import { describeRule, ruleAction } from "../net/rules.ts";
import { describeQdisc } from "../net/qdiscs.ts";
import { type AddressRole, fleetAddress, type HostAddresses } from "./scope.ts";

/** A fleet key's fields: flat, strings and integers only. */
export type FleetKey = Record<string, string | number>;

/** A change's fleet key with its wording: `what` uses scopes, `literal` this host's values. */
export interface FleetKeyed {
  key: FleetKey;
  what: string;
  literal: string;
}

/** The kinds that roll up as a sum and a distribution rather than as identical lines. */
export const TALLIED_KINDS = ["counter-increased", "gauge-changed", "interface-traffic"] as const;

/** A kind that rolls up as a sum and a distribution. */
export type TalliedKind = typeof TALLIED_KINDS[number];

/** True for the kinds of `TALLIED_KINDS`. */
export function isTallied(kind: ChangeKind): kind is TalliedKind {
  return (TALLIED_KINDS as readonly string[]).includes(kind);
}

/** The host an address is judged against: its own addresses before and after. */
export interface HostContext {
  before: HostAddresses;
  after: HostAddresses;
}

/** Maps an address for one side of a change; identity for the literal wording. */
type Addr = (address: string, role: AddressRole, side: "before" | "after") => string;

type Rule<K extends ChangeKind> = (c: ChangeOf<K>, a: Addr) => { key: FleetKey; what: string };

const program = (p: string | undefined) => p ?? "";
const progText = (p: string | undefined) => (p === undefined || p === "" ? "unknown program" : p);

function listenerRule<K extends "listener-opened" | "listener-closed" | "listener-restarted">(
  side: "before" | "after",
): Rule<K> {
  return (c, a) => {
    const s = side === "after"
      ? (c as { after: ChangeOf<"listener-opened">["after"] }).after
      : (c as { before: ChangeOf<"listener-closed">["before"] }).before;
    const address = a(s.address, "local", side);
    return {
      key: {
        protocol: s.protocol,
        family: s.family,
        address,
        port: s.port,
        program: program(s.program),
      },
      what: `${s.protocol} ${endpoint(address, s.port)} (${progText(s.program)})`,
    };
  };
}

/** An address that gained or lost sockets: the programs that did, not how many or which pids. */
function instanceRule(
  s: ChangeOf<"listener-instance-added">["after"],
  list: ReadonlyArray<{ program?: string | undefined }>,
  a: Addr,
  side: "before" | "after",
  verb: string,
): { key: FleetKey; what: string } {
  const address = a(s.address, "local", side);
  const programs = [...new Set(list.map((i) => program(i.program)))].sort().join(",");
  return {
    key: { protocol: s.protocol, family: s.family, address, port: s.port, programs },
    what: `${s.protocol} ${endpoint(address, s.port)} ${verb} ${
      programs === "" ? "an unknown program" : programs
    }`,
  };
}

function sessionKey(
  k: ChangeOf<"session-opened">["key"],
  a: Addr,
  side: "before" | "after",
): { key: FleetKey; what: string } {
  if ("direction" in k && k.direction === "inbound") {
    const remote = a(k.remoteAddress, "client", side);
    return {
      key: {
        direction: "inbound",
        protocol: k.protocol,
        localPort: k.localPort,
        remoteAddress: remote,
      },
      what: `inbound ${k.protocol} to port ${k.localPort} from ${remote}`,
    };
  }
  if ("direction" in k) {
    const remote = a(k.remoteAddress, "remote", side);
    return {
      key: {
        direction: "outbound",
        protocol: k.protocol,
        remoteAddress: remote,
        remotePort: k.remotePort,
      },
      what: `outbound ${k.protocol} to ${endpoint(remote, k.remotePort)}`,
    };
  }
  const local = a(k.localAddress, "local", side), remote = a(k.remoteAddress, "remote", side);
  return {
    key: {
      protocol: k.protocol,
      localAddress: local,
      localPort: k.localPort,
      remoteAddress: remote,
      remotePort: k.remotePort,
    },
    what: `${k.protocol} ${endpoint(local, k.localPort)} ↔ ${endpoint(remote, k.remotePort)}`,
  };
}

/** A route's fields in a fleet key: the host's own addresses in it become scopes. */
function routeFields(r: Route, a: Addr, side: "before" | "after"): FleetKey {
  const slash = r.destination.indexOf("/");
  const dest = slash < 0 ? r.destination : r.destination.slice(0, slash);
  const len = slash < 0 ? "" : r.destination.slice(slash);
  const k: FleetKey = {
    family: r.family,
    table: r.table,
    type: r.type,
    destination: a(dest, "remote", side) + len,
    metric: r.metric,
  };
  if (r.interface !== undefined) k.interface = r.interface;
  if (r.gateway !== undefined) k.gateway = a(r.gateway, "remote", side);
  if (r.source !== undefined) k.source = a(r.source, "local", side);
  if (r.nexthops !== undefined) {
    k.nexthops = r.nexthops.map((h) =>
      `${h.gateway === undefined ? "-" : a(h.gateway, "remote", side)}@${h.interface ?? "-"}` +
      (h.weight === undefined ? "" : `*${h.weight}`)
    ).join(",");
  }
  return k;
}

const TABLE_NAMES: Record<number, string> = { 253: "default", 254: "main", 255: "local" };

function routeText(k: FleetKey): string {
  const parts = [k.family === "inet6" ? "IPv6" : "IPv4"];
  if (k.type !== "unicast") parts.push(String(k.type));
  parts.push(String(k.destination));
  if (k.gateway !== undefined) parts.push(`via ${k.gateway}`);
  if (k.nexthops !== undefined) parts.push(`nexthops ${k.nexthops}`);
  if (k.interface !== undefined) parts.push(`dev ${k.interface}`);
  if (k.metric !== 0) parts.push(`metric ${k.metric}`);
  if (k.table !== 254) parts.push(`table ${TABLE_NAMES[k.table as number] ?? k.table}`);
  return parts.join(" ");
}

/** A listener's fleet fields after a change: its address as a scope, protocol, port, program. */
function listenerHead(
  s: ChangeOf<"listener-owner-changed">["after"],
  a: Addr,
): { key: FleetKey; address: string } {
  const address = a(s.address, "local", "after");
  return {
    address,
    key: {
      protocol: s.protocol,
      family: s.family,
      address,
      port: s.port,
      program: program(s.program),
    },
  };
}

/** A route attribute (mtu, pref, onlink …) as text, for the fields routeFields leaves out. */
function routeAttribute(r: Route, field: string): string | undefined {
  if (field === "onlink") return r.flags?.includes("onlink") ? "yes" : undefined;
  const v = (r as Record<string, unknown>)[field];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(",") : String(v);
}

function neighbourKey(
  k: { family: string; interface: string; address: string },
  a: Addr,
  side: "before" | "after",
): FleetKey {
  return { family: k.family, interface: k.interface, address: a(k.address, "remote", side) };
}

function neighbourText(n: Neighbour, address: string): string {
  return `neighbour ${address} dev ${n.interface}${n.proxy ? " proxy" : ""}`;
}

function qdiscKey(q: Omit<Qdisc, "stats">): FleetKey {
  const k: FleetKey = { interface: q.interface, parent: q.parent, kind: q.kind, handle: q.handle };
  if (q.options !== undefined) k.options = q.options;
  return k;
}

/** "a/24" with the address part mapped. */
function prefixed(text: string, a: Addr, side: "before" | "after"): string {
  const slash = text.indexOf("/");
  return slash < 0
    ? a(text, "local", side)
    : a(text.slice(0, slash), "local", side) + text.slice(slash);
}

/** One rule per kind that rolls up into lines. */
/** A UNIX listener's fleet key: its type, name and program (names are configuration). */
function unixRule(
  k: { type: string; path: string },
  prog: string | undefined,
  what: string,
): { key: FleetKey; what: string } {
  return {
    key: { type: k.type, path: k.path, program: program(prog) },
    what: `unix ${k.type} ${k.path} (${progText(prog)}) ${what}`,
  };
}

/** A raw or packet socket's fleet key: its diff key as it is (no address in it). */
function socketRule(
  k: Record<string, string | number | undefined>,
  what: string,
): { key: FleetKey; what: string } {
  const key: FleetKey = {};
  for (const [n, v] of Object.entries(k)) if (v !== undefined) key[n] = v;
  const dev = k.interface === undefined ? "" : ` on ${k.interface}`;
  return { key, what: `${what}${dev} (${progText(String(k.program ?? ""))})` };
}

export const LINE_RULES: { [K in Exclude<ChangeKind, TalliedKind>]: Rule<K> } = {
  "namespace-added": namespaceRule<"namespace-added">("started"),
  "namespace-removed": namespaceRule<"namespace-removed">("stopped"),
  "namespace-changed": namespaceRule<"namespace-changed">("re-created"),
  "listener-publish-changed": (c, a) => {
    const address = a(c.key.address, "local", "after");
    const key: FleetKey = {
      protocol: c.key.protocol,
      family: c.key.family,
      address,
      port: c.key.port,
      exposure: c.after.exposure,
      published: (c.after.published ?? []).join(","),
    };
    return {
      key,
      what: `${c.key.protocol} ${endpoint(address, c.key.port)} now ${
        c.after.published?.length
          ? `published on ${c.after.published.join(", ")}`
          : c.after.exposure
      }`,
    };
  },
  "listener-opened": listenerRule<"listener-opened">("after"),
  "listener-closed": listenerRule<"listener-closed">("before"),
  "listener-restarted": listenerRule<"listener-restarted">("after"),
  // Instances: which programs joined or left the address; their count and pids are the host's.
  "listener-instance-added": (c, a) => instanceRule(c.after, c.added, a, "after", "joined by"),
  "listener-instance-removed": (c, a) => instanceRule(c.before, c.removed, a, "before", "left by"),
  "listener-owner-changed": (c, a) => {
    const { key, address } = listenerHead(c.after, a);
    return {
      key: { ...key, was: program(c.before.program) },
      what: `${c.after.protocol} ${endpoint(address, c.after.port)} now held by ${
        progText(c.after.program)
      }, was ${progText(c.before.program)}`,
    };
  },
  "listener-exposure-changed": (c, a) => {
    const from = a(c.before.address, "local", "before"), to = a(c.after.address, "local", "after");
    return {
      key: {
        protocol: c.key.protocol,
        port: c.key.port,
        program: c.key.program,
        exposure: c.exposure,
        from,
        to,
      },
      what: `${c.key.protocol} port ${c.key.port} (${
        progText(c.key.program)
      }) ${c.exposure} from ${from} to ${to}`,
    };
  },
  "listener-queue-full": (c, a) => {
    const address = a(c.key.address, "local", "after");
    return {
      key: { ...c.key, address, program: program(c.after.program) },
      what: `tcp ${endpoint(address, c.key.port)} (${
        progText(c.after.program)
      }): accept queue near its limit`,
    };
  },
  "unix-listener-opened": (c) => unixRule(c.key, c.after.program, "opened"),
  "unix-listener-closed": (c) => unixRule(c.key, c.before.program, "closed"),
  "unix-listener-owner-changed": (c) => {
    const r = unixRule(c.key, c.after.program, "now held by another program");
    return { key: { ...r.key, was: program(c.before.program) }, what: r.what };
  },
  "unix-listener-restarted": (c) => unixRule(c.key, c.after.program, "restarted"),
  "session-retransmits": (c, a) => {
    const k = sessionKey(c.key, a, "after");
    return { key: k.key, what: `${k.what}: retransmits` };
  },
  "session-rtt-changed": (c, a) => {
    const k = sessionKey(c.key, a, "after");
    const way = c.after.rttUs > c.before.rttUs ? "rose" : "fell";
    return { key: { ...k.key, way }, what: `${k.what}: round-trip time ${way}` };
  },
  "raw-socket-opened": (c) => socketRule(c.key, "raw socket opened"),
  "raw-socket-closed": (c) => socketRule(c.key, "raw socket closed"),
  "packet-socket-opened": (c) => socketRule(c.key, "packet socket opened"),
  "packet-socket-closed": (c) => socketRule(c.key, "packet socket closed"),
  "session-opened": (c, a) => sessionKey(c.key, a, "after"),
  "session-closed": (c, a) => sessionKey(c.key, a, "before"),
  "session-half-closed": (c, a) => {
    const k = sessionKey(c.key, a, "before");
    const states = Object.keys(c.states).sort().join(",");
    return {
      key: { ...k.key, states, orphaned: c.orphaned === undefined ? "no" : "yes" },
      what: `${k.what}: left half-closed (${states}${
        c.orphaned === undefined ? "" : ", held by no process"
      })`,
    };
  },
  "session-unanswered": (c, a) => {
    const k = sessionKey(c.key, a, "after");
    return { key: k.key, what: `${k.what}: connection attempts unanswered` };
  },
  "session-state-buildup": (c) => ({
    key: { state: c.key.state },
    what: `${c.key.state} sockets piled up`,
  }),
  "route-added": (c, a) => {
    const key = routeFields(c.after, a, "after");
    return { key, what: routeText(key) };
  },
  "route-removed": (c, a) => {
    const key = routeFields(c.before, a, "before");
    return { key, what: routeText(key) };
  },
  "route-changed": (c, a) => {
    const b = routeFields(c.before, a, "before"), f = routeFields(c.after, a, "after");
    const key: FleetKey = {
      family: c.key.family,
      table: c.key.table,
      type: c.key.type,
      destination: b.destination!,
      metric: c.key.metric,
    };
    if (c.key.interface !== undefined) key.interface = c.key.interface;
    const words: string[] = [];
    for (const field of c.changed) {
      const x = String(b[field] ?? routeAttribute(c.before, field) ?? "none");
      const y = String(f[field] ?? routeAttribute(c.after, field) ?? "none");
      key[field] = `${x} → ${y}`;
      words.push(`${field} ${x} → ${y}`);
    }
    const { gateway: _g, interface: _i, source: _s, nexthops: _n, ...head } = b;
    return { key, what: `${routeText(head)}: ${words.join(", ")}` };
  },
  "interface-added": (c) => ({
    key: { interface: c.key.interface },
    what: `interface ${c.key.interface}`,
  }),
  "interface-removed": (c) => ({
    key: { interface: c.key.interface },
    what: `interface ${c.key.interface}`,
  }),
  "interface-renamed": (c) => ({
    key: { interface: c.key.interface, to: c.after.name },
    what: `interface ${c.key.interface} renamed to ${c.after.name}`,
  }),
  "interface-changed": (c, a) => {
    const key: FleetKey = { interface: c.key.interface };
    const words: string[] = [];
    for (const f of ["mtu", "operState", "speedMbps"] as const) {
      if (c.before[f] !== undefined || c.after[f] !== undefined) {
        key[f] = `${c.before[f] ?? "?"} → ${c.after[f] ?? "?"}`;
        words.push(
          `${f === "mtu" ? "MTU" : f === "operState" ? "state" : "speed (Mb/s)"} ${key[f]}`,
        );
      }
    }
    // A MAC is the host's own: that it changed is shared, its values are not.
    if (c.before.mac !== undefined || c.after.mac !== undefined) {
      key.mac = "changed";
      words.push("MAC changed");
    }
    if (c.before.flags !== undefined || c.after.flags !== undefined) {
      const fa = new Set(c.before.flags ?? []), fb = new Set(c.after.flags ?? []);
      const flags = [
        ...[...fb].filter((x) => !fa.has(x)).sort().map((x) => `+${x}`),
        ...[...fa].filter((x) => !fb.has(x)).sort().map((x) => `-${x}`),
      ].join(" ");
      key.flags = flags;
      words.push(`flags ${flags}`);
    }
    for (
      const [field, list, side] of [
        ["addressesAdded", c.addressesAdded, "after"],
        ["addressesRemoved", c.addressesRemoved, "before"],
      ] as const
    ) {
      if (list === undefined) continue;
      const v = [...new Set(list.map((x) => prefixed(x, a, side)))].sort().join(", ");
      key[field] = v;
      words.push(`address ${v} ${field === "addressesAdded" ? "added" : "removed"}`);
    }
    return { key, what: `interface ${c.key.interface}: ${words.join("; ")}` };
  },
  "listener-firewall-changed": (c, a) => {
    const { key, address } = listenerHead(c.after, a);
    return {
      key: { ...key, firewall: `${c.before.firewall} → ${c.after.firewall}` },
      what: `${c.after.protocol} ${endpoint(address, c.after.port)} (${
        progText(c.after.program)
      }) ${c.after.firewall === "filtered" ? "now filtered" : "no longer filtered"}`,
    };
  },
  // Rules, qdiscs, firewall rules and settings are configuration: the same text on every host.
  "rule-added": (c) => ({
    key: { ...c.key, action: ruleAction(c.after) },
    what: describeRule(c.after),
  }),
  "rule-removed": (c) => ({
    key: { ...c.key, action: ruleAction(c.before) },
    what: describeRule(c.before),
  }),
  "rule-changed": (c) => ({
    key: { ...c.key, action: `${ruleAction(c.before)} → ${ruleAction(c.after)}` },
    what: `rule ${c.key.priority} ${c.key.match}: ${ruleAction(c.before)} → ${ruleAction(c.after)}`,
  }),
  "neighbour-added": (c, a) => {
    const key = neighbourKey(c.key, a, "after");
    return {
      key: { ...key, state: c.after.state ?? "" },
      what: neighbourText(c.after, String(key.address)),
    };
  },
  "neighbour-removed": (c, a) => {
    const key = neighbourKey(c.key, a, "before");
    return {
      key: { ...key, state: c.before.state ?? "" },
      what: neighbourText(c.before, String(key.address)),
    };
  },
  // Which MAC answers is the host's own business; that another one does is shared.
  "neighbour-changed": (c, a) => {
    const key = neighbourKey(c.key, a, "after");
    return {
      key: { ...key, changed: c.changed.join(","), gateway: c.gateway ? "yes" : "no" },
      what: `${neighbourText(c.after, String(key.address))}: ${c.changed.join(", ")} changed`,
    };
  },
  "neighbour-failed": (c, a) => {
    const key = neighbourKey(c.key, a, "after");
    return {
      key: { ...key, gateway: c.gateway ? "yes" : "no" },
      what: `${neighbourText(c.after, String(key.address))} does not resolve`,
    };
  },
  "qdisc-added": (c) => ({ key: qdiscKey(c.after), what: describeQdisc(c.after) }),
  "qdisc-removed": (c) => ({ key: qdiscKey(c.before), what: describeQdisc(c.before) }),
  "qdisc-changed": (c) => ({
    key: { ...qdiscKey(c.after), was: describeQdisc(c.before) },
    what: `${describeQdisc(c.before)} → ${describeQdisc(c.after)}`,
  }),
  "qdisc-drops": (c) => ({
    key: { interface: c.key.interface, parent: c.key.parent, kind: c.qdisc.kind },
    what: `qdisc ${c.qdisc.kind} on ${c.key.interface} dropped packets`,
  }),
  "firewall-rule-added": (c) => ({
    key: { ...c.key },
    what: `${c.key.family} ${c.key.table} ${c.key.chain}: ${c.key.rule}`,
  }),
  "firewall-rule-removed": (c) => ({
    key: { ...c.key },
    what: `${c.key.family} ${c.key.table} ${c.key.chain}: ${c.key.rule}`,
  }),
  "firewall-chain-added": (c) => ({
    key: { ...c.key },
    what: `chain ${c.key.family} ${c.key.table} ${c.key.chain}`,
  }),
  "firewall-chain-removed": (c) => ({
    key: { ...c.key },
    what: `chain ${c.key.family} ${c.key.table} ${c.key.chain}`,
  }),
  "firewall-chain-changed": (c) => {
    const words = c.changed.map((f) =>
      f === "order" ? "rules reordered" : `${f} ${c.before[f] ?? "none"} → ${c.after[f] ?? "none"}`
    );
    return {
      key: { ...c.key, changed: words.join(", ") },
      what: `chain ${c.key.family} ${c.key.table} ${c.key.chain}: ${words.join(", ")}`,
    };
  },
  "sysctl-changed": (c) => ({
    key: { name: c.key.name, before: c.before, after: c.after },
    what: `${c.key.name} ${c.before} → ${c.after}`,
  }),
  "conntrack-near-limit": (c) => ({
    key: { name: c.key.name },
    what: "the conntrack table is nearly full",
  }),
  "counter-reset": (c) => ({
    key: { group: c.key.group, name: c.key.name },
    what: c.key.group === "*"
      ? "the host rebooted between the snapshots"
      : `${c.key.group}.${c.key.name} went backwards (reset or wrapped)`,
  }),
  "setting-changed": (c) => ({
    key: {
      group: c.key.group,
      name: c.key.name,
      before: String(c.before),
      after: String(c.after),
    },
    what: `${c.key.group}.${c.key.name} ${c.before} → ${c.after}`,
  }),
};

/** The fleet key of a change that rolls up into a line (not a tallied kind). */
export function fleetKey(c: Change, host: HostContext): FleetKeyed {
  const rule = (LINE_RULES as Record<string, Rule<ChangeKind> | undefined>)[c.kind];
  const fleet: Addr = (x, role, side) => fleetAddress(x, role, host[side]);
  const literal: Addr = (x) => x;
  if (!rule) {
    // A kind this table does not know yet: its diff key, as it is.
    const key: FleetKey = {};
    for (const [k, v] of Object.entries(c.key)) {
      if (typeof v === "string" || typeof v === "number") key[k] = v;
    }
    const what = Object.values(key).join(" ");
    return { key, what, literal: what };
  }
  const f = rule(c as never, fleet);
  const lit = rule(c as never, literal).what;
  // A change inside a container is that container's, on whichever host it runs.
  if (c.namespace !== undefined && !c.kind.startsWith("namespace-")) {
    return {
      key: { ...f.key, namespace: c.namespace },
      what: `${c.namespace}: ${f.what}`,
      literal: `${c.namespace}: ${lit}`,
    };
  }
  return { key: f.key, what: f.what, literal: lit };
}

/** A namespace change: its id and kind of namespace; listeners and inodes are the host's. */
function namespaceRule<K extends "namespace-added" | "namespace-removed" | "namespace-changed">(
  verb: string,
): Rule<K> {
  return (change: ChangeOf<K>) => {
    const c = change as ChangeOf<"namespace-added" | "namespace-removed" | "namespace-changed">;
    const side = "after" in c ? c.after : c.before;
    const key: FleetKey = { namespace: c.key.namespace, kind: side.kind };
    if ("changed" in c) key.changed = c.changed.join(",");
    return { key, what: `${side.title} ${verb}` };
  };
}
