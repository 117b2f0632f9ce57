/**
 * `nsnap check --init SNAPSHOT`: a policy the snapshot passes, grouped and commented so that a
 * person can tighten it — goss's autoadd, done with care for what should not be pinned.
 *
 * Decisions:
 * - Listeners: one allow rule per program, protocol and scope (`any` for 0.0.0.0 and ::), with
 *   the ports as a list (runs of three or more as a range); a comment names the addresses and
 *   the user. Each program's ports are `required` too, one rule per port (one rule for them all
 *   past 8 ports), since a policy generated from a working host should notice a service that
 *   went away. Default deny.
 * - Listeners on ephemeral ports (the snapshot's ip_local_port_range, else the platform's):
 *   allowed by program over the whole range, in a block of their own with a note, never
 *   required — the next start picks another port.
 * - Other namespaces' listeners (a capture across namespaces): grouped by namespace, with
 *   `namespace:` and their exposure (internal, published, host-network) as the scope.
 * - Left out, and said so in a comment: UDP client sockets (unconnected, on an ephemeral port,
 *   no TCP listener on it — see `facts.ts`), and every connected socket (sessions come and go).
 * - Routes: the default route of each family in the own namespace's main table is required
 *   (the lowest metric, with its gateway); nothing is forbidden. The gateway's MAC and the
 *   rules beyond the kernel's defaults are commented suggestions.
 * - Interfaces: the own namespace's that are up (not lo, not the veth/cali/lxc/tap/vnet kind
 *   that come and go with containers) must stay up; their MTUs are written as comments.
 * - Sysctls and rates are examples in comments: a snapshot is one moment, a threshold is a
 *   choice.
 * - YAML is written by hand for the layout and comments; every value from the snapshot goes
 *   through `scalar()` (plain when unambiguous, else a JSON string, which YAML 1.2 reads, with
 *   `\u` escapes for what YAML readers refuse or fold: see `escapeYamlUnprintable`), and every
 *   comment through `commentText()` (no line breaks, control characters or noncharacters). A
 *   program name is matched as a glob, so `*`, `?` and `[` in it are written as `[*]`, `[?]`,
 *   `[[]`.
 */
import type { NetInterface, Route, Rule, Snapshot } from "../model.ts";
import { describeRoute } from "../diff/routes.ts";
import { ownNamespaceId } from "../net/namespaces.ts";
import { type ListenerFact, listenerFacts, sysctlsOf } from "./facts.ts";
import { endpoint } from "../net/sockets.ts";
import { POLICY_SCHEMA_ID } from "./schema.ts";
import { escapeYamlUnprintable } from "../util/escape.ts";

/** A program with more ports than this gets one required rule for all of them. */
const MAX_REQUIRED_PORTS = 8;

/** Interfaces that come and go with containers and VMs: left out of the generated rules. */
const TRANSIENT = /^(veth|cali|lxc|tap|vnet|flannel\.|cni|docker|br-)/;

/** Writes a scalar as YAML: plain when that reads back as the same string, else quoted. */
export function scalar(v: string | number | boolean): string {
  if (typeof v !== "string") return String(v);
  const plain = /^[A-Za-z_./][A-Za-z0-9_./:@+-]*$/.test(v) && !v.endsWith(":") &&
    !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(v) && !/^[0-9.+-]/.test(v);
  // JSON's escapes, which YAML shares, and \uXXXX for what YAML readers refuse or fold.
  return plain ? v : escapeYamlUnprintable(JSON.stringify(v));
}

/** Text for a comment: one line, control characters and noncharacters shown as escapes. */
export function commentText(s: string): string {
  return s.replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Noncharacter_Code_Point}]/gu,
    (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`,
  );
}

/** A program name as a glob that matches only itself. */
export function literalGlob(name: string): string {
  return name.replace(/[*?[]/g, (c) => `[${c}]`);
}

/** Ports as a list, runs of three or more written as "lo-hi". */
function portList(ports: readonly number[]): Array<number | string> {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const out: Array<number | string> = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 2) out.push(`${sorted[i]}-${sorted[j]}`);
    else for (let k = i; k <= j; k++) out.push(sorted[k]!);
    i = j + 1;
  }
  return out;
}

function flow(values: ReadonlyArray<number | string>): string {
  return values.length === 1 ? scalar(values[0]!) : `[${values.map(scalar).join(", ")}]`;
}

/** Lines of YAML with an indentation helper. */
class Out {
  readonly lines: string[] = [];
  line(indent: number, text: string): void {
    this.lines.push(" ".repeat(indent) + text);
  }
  comment(indent: number, text: string): void {
    this.line(indent, `# ${commentText(text)}`.trimEnd());
  }
  /** A comment wrapped to fit 100 columns, each line starting with `# `. */
  paragraph(indent: number, text: string): void {
    const width = 98 - indent;
    let line = "";
    for (const word of commentText(text).split(" ")) {
      if (line !== "" && line.length + 1 + word.length > width) {
        this.line(indent, `# ${line}`);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
    if (line !== "") this.line(indent, `# ${line}`);
  }
}

interface Group {
  /** The namespace id of a listener not in the own namespace. */
  namespace: string | undefined;
  program: string | undefined;
  protocol: "tcp" | "udp";
  /** An address scope, or for another namespace's listener its exposure. */
  scope: string;
  /** On a port of the ephemeral range: allowed over the whole range, never required. */
  ephemeral: boolean;
  ports: number[];
  addresses: Set<string>;
  users: Set<string>;
}

function groupListeners(
  facts: readonly ListenerFact[],
  own: string,
  range: readonly [number, number],
): Group[] {
  const groups = new Map<string, Group>();
  for (const f of facts) {
    // An empty program name cannot be a rule's glob: it is left unpinned, like an unknown owner.
    const program = f.program === "" ? undefined : f.program;
    const namespace = f.namespace !== undefined && f.namespace !== own ? f.namespace : undefined;
    // Another namespace's listener by who reaches it (internal, published, host-network): its
    // bound address says little once it is inside a container.
    const scope = namespace !== undefined && f.exposure !== undefined ? f.exposure : f.scope;
    const ephemeral = f.port >= range[0] && f.port <= range[1];
    const key = JSON.stringify([namespace ?? null, program ?? null, f.protocol, scope, ephemeral]);
    let g = groups.get(key);
    if (!g) {
      g = {
        namespace,
        program,
        protocol: f.protocol,
        scope,
        ephemeral,
        ports: [],
        addresses: new Set(),
        users: new Set(),
      };
      groups.set(key, g);
    }
    g.ports.push(f.port);
    g.addresses.add(endpoint(f.address, f.port));
    const user = f.user !== undefined
      ? `user ${f.user}`
      : f.uid !== undefined
      ? `uid ${f.uid}`
      : undefined;
    if (user !== undefined) g.users.add(user);
  }
  return [...groups.values()].sort((a, b) =>
    (a.namespace ?? "").localeCompare(b.namespace ?? "") ||
    Number(a.ephemeral) - Number(b.ephemeral) ||
    (a.program ?? "\uffff").localeCompare(b.program ?? "\uffff") ||
    a.protocol.localeCompare(b.protocol) ||
    a.scope.localeCompare(b.scope)
  );
}

const SCOPE_NOTES: Record<string, string> = {
  any: "bound to every address (0.0.0.0 or ::)",
  internal: "reachable inside its namespace only",
  published: "published on the host",
  "host-network": "in the host's network namespace",
};

/** The comment heading another namespace's rules: its id and what names it. */
function namespaceTitle(snap: Snapshot, id: string): string {
  const ns = snap.namespaces?.find((n) => n.id === id);
  const l = ns?.labels ?? {};
  const what = [
    l.container ? `container ${l.container}` : undefined,
    l.image ? `image ${l.image}` : undefined,
  ].filter((x) => x !== undefined);
  return `Namespace ${id}${what.length ? ` (${what.join(", ")})` : ""}: its listeners, by who ` +
    "reaches them (internal, published, host-network).";
}

function listenersBlock(o: Out, snap: Snapshot): void {
  const { facts, udpClients, range } = listenerFacts(snap);
  const own = ownNamespaceId(snap);
  o.line(0, "listeners:");
  o.comment(2, "A listener that no allow rule below matches is a violation.");
  o.line(2, "default: deny");
  if (udpClients > 0) {
    o.paragraph(
      2,
      `Left out: ${udpClients} UDP client socket${udpClients === 1 ? "" : "s"} (unconnected, on ` +
        `ephemeral ports ${range[0]}-${
          range[1]
        }, no TCP listener on the same port): resolvers, NTP ` +
        `and other clients, not services. Set ephemeral-ports to change the range.`,
    );
  }
  o.comment(2, "Connected sockets (sessions) are never rules: they come and go.");
  const groups = groupListeners(facts, own, range);
  if (groups.length === 0) {
    o.comment(2, "Nothing listened when the snapshot was taken.");
    o.line(2, "allow: []");
  } else {
    o.comment(2, "Allowed listeners, by program: narrow a scope or drop a port to tighten.");
    o.line(2, "allow:");
    let heading: string | undefined = "";
    let ephemeralSaid = false;
    for (const g of groups) {
      if (g.namespace !== heading) {
        heading = g.namespace;
        ephemeralSaid = false;
        if (g.namespace !== undefined) o.paragraph(4, namespaceTitle(snap, g.namespace));
      }
      if (g.ephemeral && !ephemeralSaid) {
        ephemeralSaid = true;
        o.paragraph(
          4,
          `Listeners on ephemeral ports (${range[0]}-${range[1]}, the range the kernel picks ` +
            "ports from, net.ipv4.ip_local_port_range): such a port changes at each start, so " +
            "these are allowed by program over the whole range and not required. Put a fixed " +
            "port in place of the range where it is one.",
        );
      }
      const who = g.program ?? "owner unknown";
      const users = g.users.size ? ` (${[...g.users].sort().join(", ")})` : "";
      o.comment(4, `${who}${users}: ${[...g.addresses].join(" ")}`);
      if (g.program === undefined) {
        o.comment(
          4,
          snap.meta.privileges.root
            ? "The owner was not known: add program: NAME once you know it."
            : "The capture was not run as root, so owners are unknown: add program: NAME.",
        );
      }
      const keys: string[] = [];
      if (g.namespace !== undefined) keys.push(`namespace: ${scalar(literalGlob(g.namespace))}`);
      if (g.program !== undefined) keys.push(`program: ${scalar(literalGlob(g.program))}`);
      keys.push(`protocol: ${g.protocol}`);
      keys.push(
        `port: ${g.ephemeral ? scalar(`${range[0]}-${range[1]}`) : flow(portList(g.ports))}`,
      );
      const note = SCOPE_NOTES[g.scope];
      keys.push(`scope: ${g.scope}${note ? `  # ${note}` : ""}`);
      keys.forEach((k, i) => o.line(i === 0 ? 4 : 6, i === 0 ? `- ${k}` : k));
    }
  }
  // The ports each program serves, over all its scopes: one required rule per port, unless a
  // program serves many (a proxy, a test harness), when one rule takes them all. Ephemeral
  // ports are never required: the next start picks another.
  const serves = new Map<
    string,
    { namespace: string | undefined; program: string; protocol: string; ports: Set<number> }
  >();
  for (const g of groups) {
    if (g.program === undefined || g.ephemeral) continue;
    const key = JSON.stringify([g.namespace ?? null, g.program, g.protocol]);
    const entry = serves.get(key) ??
      { namespace: g.namespace, program: g.program, protocol: g.protocol, ports: new Set() };
    for (const port of g.ports) entry.ports.add(port);
    serves.set(key, entry);
  }
  if (serves.size > 0) {
    o.comment(2, "Listeners that must be there: remove the ones that need not run.");
    o.line(2, "required:");
    for (const { namespace, program, protocol, ports } of serves.values()) {
      const sorted = [...ports].sort((a, b) => a - b);
      const each: Array<number | string>[] = sorted.length <= MAX_REQUIRED_PORTS
        ? sorted.map((p) => [p])
        : [portList(sorted)];
      if (each.length === 1 && sorted.length > 1) {
        o.comment(
          4,
          `${program} listens on ${sorted.length} ${protocol} ports: this asks for one of them at least.`,
        );
      }
      for (const port of each) {
        if (namespace !== undefined) {
          o.line(4, `- namespace: ${scalar(literalGlob(namespace))}`);
          o.line(6, `program: ${scalar(literalGlob(program))}`);
        } else o.line(4, `- program: ${scalar(literalGlob(program))}`);
        o.line(6, `protocol: ${protocol}`);
        o.line(6, `port: ${flow(port)}`);
      }
    }
  }
  o.comment(2, "Listeners never allowed, whatever allow says, for example:");
  o.comment(2, "deny:");
  o.comment(2, "  - scope: public");
  o.comment(2, "    port: [23, 2375, 6379]");
}

/** The lowest-metric default route of a family in the main table of the own namespace. */
function defaultRoute(routes: readonly Route[], family: "inet" | "inet6"): Route | undefined {
  return routes.filter((r) =>
    r.namespace === undefined && r.family === family && r.table === 254 &&
    (r.destination === "0.0.0.0/0" || r.destination === "::/0" || r.destination === "default") &&
    r.type === "unicast"
  ).sort((a, b) => a.metric - b.metric)[0];
}

function routesBlock(o: Out, snap: Snapshot): void {
  if (snap.meta.sections.routes.status === "error") {
    o.comment(0, "routes: the snapshot has no routes section, so no route rules were written.");
    return;
  }
  const defaults = (["inet", "inet6"] as const).map((f) => defaultRoute(snap.routes, f))
    .filter((r): r is Route => r !== undefined);
  o.line(0, "routes:");
  if (defaults.length === 0) {
    o.comment(2, "The snapshot has no default route; required routes would go here:");
    o.line(2, "required: []");
  } else {
    o.comment(2, "The default route must stay where it is.");
    o.line(2, "required:");
    for (const r of defaults) {
      o.comment(4, describeRoute(r));
      o.line(4, "- destination: default");
      o.line(6, `family: ${r.family}`);
      const gw = r.gateway ?? r.nexthops?.find((n) => n.gateway !== undefined)?.gateway;
      o.line(6, `gateway: ${gw === undefined ? "none" : scalar(gw)}`);
      o.line(6, "table: main");
    }
  }
  o.comment(2, "Routes that must never appear, for example:");
  o.comment(2, "forbidden:");
  o.comment(2, "  - destination: 0.0.0.0/0");
  o.comment(2, "    table: 100");
  gatewayBlock(o, snap, defaults);
  routingRulesBlock(o, snap);
}

/** The gateway of a default route, its own or its first next hop's. */
function gatewayOf(r: Route): string | undefined {
  return r.gateway ?? r.nexthops?.find((n) => n.gateway !== undefined)?.gateway;
}

/** A commented suggestion: each default gateway's link-layer address, from the neighbours. */
function gatewayBlock(o: Out, snap: Snapshot, defaults: readonly Route[]): void {
  const own = (snap.neighbours ?? []).filter((n) => n.namespace === undefined);
  const found = defaults.flatMap((r) => {
    const gw = gatewayOf(r);
    const n = own.find((x) => x.address === gw && x.mac !== undefined);
    return n ? [n] : [];
  });
  if (found.length === 0) return;
  o.line(0, "");
  o.paragraph(
    0,
    "The default gateway's link-layer address, to notice when another machine answers for it " +
      "(a replaced router, ARP spoofing); uncomment to hold it:",
  );
  o.comment(0, "neighbours:");
  o.comment(0, "  required:");
  for (const n of found) {
    o.comment(0, `    - address: ${scalar(n.address)}`);
    o.comment(0, `      mac: ${scalar(n.mac!)}`);
  }
}

/** Whether a rule is one of the kernel's defaults (0 local, 32766 main, 32767 default). */
function kernelDefaultRule(r: Rule): boolean {
  const plain = r.action === "lookup" && r.from === undefined && r.to === undefined &&
    r.not === undefined && r.iif === undefined && r.oif === undefined && r.fwmark === undefined;
  return plain && ((r.priority === 0 && r.table === 255) ||
    (r.priority === 32766 && r.table === 254) || (r.priority === 32767 && r.table === 253));
}

/** A commented suggestion: the own namespace's policy-routing rules beyond the defaults. */
function routingRulesBlock(o: Out, snap: Snapshot): void {
  const rules = (snap.rules ?? []).filter((r) => r.namespace === undefined && !kernelDefaultRule(r))
    .sort((a, b) => a.priority - b.priority || a.family.localeCompare(b.family));
  if (rules.length === 0) return;
  o.line(0, "");
  o.comment(
    0,
    "Policy-routing rules (ip rule) beyond the kernel's defaults; uncomment to hold them:",
  );
  o.comment(0, "routing-rules:");
  o.comment(0, "  required:");
  for (const r of rules.slice(0, 20)) {
    const keys = [`priority: ${r.priority}`, `family: ${r.family}`];
    if (r.from !== undefined) keys.push(`from: ${scalar(r.from)}`);
    if (r.to !== undefined) keys.push(`to: ${scalar(r.to)}`);
    if (r.iif !== undefined) keys.push(`iif: ${scalar(literalGlob(r.iif))}`);
    if (r.oif !== undefined) keys.push(`oif: ${scalar(literalGlob(r.oif))}`);
    if (r.fwmark !== undefined) keys.push(`fwmark: ${scalar(`0x${r.fwmark.toString(16)}`)}`);
    if (r.table !== undefined) keys.push(`table: ${r.table}`);
    keys.push(`action: ${scalar(r.action)}`);
    keys.forEach((k, i) => o.comment(0, `    ${i === 0 ? "- " : "  "}${k}`));
  }
  if (rules.length > 20) o.comment(0, `    # … and ${rules.length - 20} more`);
}

function interfacesBlock(o: Out, snap: Snapshot): void {
  o.line(0, "settings:");
  const sysctls = sysctlsOf(snap);
  o.comment(2, "Kernel settings to hold, as sysctl -a names them, for example:");
  o.comment(2, "sysctl:");
  const forward = sysctls?.["net.ipv4.ip_forward"];
  o.comment(2, `  net.ipv4.ip_forward: ${forward ?? 0}`);
  o.comment(2, `  net.core.somaxconn: ">= ${sysctls?.["net.core.somaxconn"] ?? 4096}"`);
  if (sysctls === undefined) {
    o.comment(2, "(this snapshot has no settings section to take values from)");
  }
  if (snap.meta.sections.interfaces.status === "error") {
    o.comment(2, "The snapshot has no interfaces section, so no interface rules were written.");
    o.line(2, "interfaces: []");
    return;
  }
  const byName = new Map<string, NetInterface[]>();
  // The own namespace's: a container's interfaces are not the host's (check looks at the own
  // namespace's unless a rule names another).
  for (const i of snap.interfaces) {
    if (i.namespace === undefined) byName.set(i.name, [...(byName.get(i.name) ?? []), i]);
  }
  const up: NetInterface[] = [], transient: string[] = [], down: string[] = [];
  for (const [name, list] of [...byName].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (name === "lo" || name === "") continue;
    if (TRANSIENT.test(name)) transient.push(name);
    else if (list.every((i) => i.flags.includes("UP"))) up.push(list[0]!);
    else down.push(name);
  }
  if (transient.length > 0) {
    o.paragraph(
      2,
      `Left out: ${transient.length} ${
        transient.length === 1 ? "interface that comes and goes" : "interfaces that come and go"
      } with containers (${transient.slice(0, 5).join(", ")}${transient.length > 5 ? ", …" : ""}).`,
    );
  }
  if (down.length > 0) o.paragraph(2, `Not up when the snapshot was taken: ${down.join(", ")}.`);
  if (up.length === 0) {
    o.line(2, "interfaces: []");
    return;
  }
  o.comment(2, "Interfaces that must be up; uncomment an MTU to hold it too.");
  o.line(2, "interfaces:");
  for (const i of up) {
    o.line(4, `- name: ${scalar(literalGlob(i.name))}`);
    o.line(6, "up: true");
    if (i.mtu !== undefined) o.comment(6, `mtu: ${i.mtu}`);
  }
}

function ratesBlock(o: Out): void {
  o.comment(0, "Thresholds on counters, measured against a baseline snapshot");
  o.comment(0, "(nsnap check POLICY AFTER --baseline BEFORE), for example:");
  o.comment(0, "rates:");
  o.comment(0, "  - Tcp.RetransSegs <= 1%              # of Tcp.OutSegs");
  o.comment(0, "  - TcpExt.ListenOverflows == 0");
  o.comment(0, "  - interface eth0 rxDropped <= 10/s");
}

/**
 * Writes a policy that `snap` passes, as commented YAML.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "../model.ts";
 * import { initPolicy } from "./init.ts";
 * declare const snap: Snapshot;
 * const yaml = initPolicy(snap, "before.json"); // "# nsnap policy written by …\nschema: …"
 * ```
 */
export function initPolicy(snap: Snapshot, file?: string): string {
  const o = new Out();
  o.paragraph(
    0,
    `nsnap policy written by \`nsnap check --init${file ? ` ${file}` : ""}\` from host ` +
      `${snap.meta.host.hostname}, captured ${snap.meta.capturedAt}. That snapshot passes every rule ` +
      "below. Tighten it: remove what should not run, narrow scopes, add users and deny rules.",
  );
  o.comment(
    0,
    "Rule reference: docs/check.md. Check a host with: nsnap check POLICY [SNAPSHOT|DIR|live]",
  );
  o.line(0, `schema: ${POLICY_SCHEMA_ID}`);
  o.line(0, "");
  if (snap.meta.sections.connections.status === "error") {
    o.comment(
      0,
      "listeners: the snapshot has no connections section, so no listener rules were written.",
    );
  } else listenersBlock(o, snap);
  o.line(0, "");
  routesBlock(o, snap);
  o.line(0, "");
  interfacesBlock(o, snap);
  o.line(0, "");
  ratesBlock(o);
  return o.lines.join("\n") + "\n";
}
