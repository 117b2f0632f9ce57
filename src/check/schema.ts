/**
 * The policy file `nsnap check` reads (`nsnap-policy/v1`), defined once: the TypeScript types,
 * the loader's validation and the published JSON Schema (`nsnap schema --policy`) come from
 * these definitions. Every object is strict: a key nsnap does not know is an error naming its
 * path, since a misspelt rule that silently matches everything is worse than no rule.
 *
 * Keys are kebab-case like the diff's `--config` file. Values that need more than a type check
 * (port ranges, CIDRs, thresholds, comparisons) are checked here too, so every mistake is
 * reported with its path and line by the one loader (`policy.ts`).
 */
import { z } from "zod";
import { publishedJsonSchema } from "../schema.ts";
import { parseCidr } from "../net/address.ts";
import { ExpressionError, parseComparison, parseThreshold } from "./expr.ts";

/** The schema identifier every policy carries. */
export const POLICY_SCHEMA_ID = "nsnap-policy/v1";

/** One value, or a non-empty list of them (`port: 80` or `port: [80, 443]`). */
function oneOrMany<T extends z.ZodType>(t: T) {
  return z.union([t, z.array(t).min(1)]);
}

/** Adds a custom issue when `check` returns a message. */
function refined(base: z.ZodString, check: (v: string) => string | undefined) {
  return base.superRefine((v, ctx) => {
    const msg = check(v);
    if (msg !== undefined) ctx.addIssue({ code: "custom", message: msg, input: v });
  });
}

function portRangeProblem(v: string): string | undefined {
  const m = /^\s*([0-9]{1,5})\s*-\s*([0-9]{1,5})\s*$/.exec(v) ??
    /^\s*([0-9]{1,5})\s*$/.exec(v);
  if (!m) return `expected a port or a range such as 8000-8100, got ${JSON.stringify(v)}`;
  const lo = Number(m[1]), hi = Number(m[2] ?? m[1]);
  if (lo > 65535 || hi > 65535) return `a port is at most 65535, got ${JSON.stringify(v)}`;
  if (hi < lo) return `a range goes from low to high, got ${JSON.stringify(v)}`;
  return undefined;
}

const PortNumber = z.int().min(0).max(65535);
const PortRange = refined(
  z.string().regex(
    /^\s*[0-9]{1,5}\s*(-\s*[0-9]{1,5}\s*)?$/,
    "expected a port or a range such as 8000-8100",
  ),
  portRangeProblem,
).meta({ id: "PortRange", description: 'A port range, low-high: "8000-8100".' });
const Port = z.union([PortNumber, PortRange]);

const cidrProblem = (v: string) =>
  parseCidr(v.trim())
    ? undefined
    : `expected an address or a CIDR such as 10.0.0.0/8, got ${JSON.stringify(v)}`;
const Cidr = refined(z.string(), cidrProblem).meta({
  id: "Cidr",
  description: "An address or a CIDR block (10.0.0.0/8, fd00::/8, 127.0.0.1).",
});

const expressionProblem = (parse: (s: string) => unknown) => (v: string) => {
  try {
    parse(v);
    return undefined;
  } catch (e) {
    if (e instanceof ExpressionError) return `${JSON.stringify(v)}: ${e.message}`;
    throw e;
  }
};

/** `2` or a comparison such as ">= 2". */
const Count = z.union([
  z.int().min(0),
  refined(z.string(), expressionProblem(parseComparison)),
]).meta({
  id: "Count",
  description: 'A number (at least that many) or a comparison such as ">= 2".',
});

const Glob = z.string().min(1).meta({
  id: "Glob",
  description: "A name or a glob: * any run, ? one character, [abc] one of.",
});

/** Where a listener can be reached from. */
export const ListenerScope = z.enum([
  "loopback",
  "link-local",
  "private",
  "public",
  "any",
  "published",
  "host-network",
  "internal",
]).meta({
  id: "ListenerScope",
  description:
    "loopback, link-local, private (RFC 1918, RFC 6598, RFC 4193), public, any (every address); " +
    "published, host-network, internal for container namespaces.",
});

const listenerMatch = {
  protocol: oneOrMany(z.enum(["tcp", "udp"])).optional(),
  family: oneOrMany(z.enum(["inet", "inet6"])).optional(),
  port: oneOrMany(Port).optional().meta({
    description: 'Ports or ranges: 443, [80, 443], "8000-8100".',
  }),
  address: oneOrMany(Cidr).optional().meta({
    description: "The bound address lies in one of these CIDRs (0.0.0.0 is the wildcard itself).",
  }),
  scope: oneOrMany(ListenerScope).optional(),
  program: oneOrMany(Glob).optional().meta({
    description: "The owning program, as show names it.",
  }),
  user: oneOrMany(z.union([Glob, z.int().min(0)])).optional().meta({
    description: "The owning user: a name (glob) or a numeric uid.",
  }),
  namespace: oneOrMany(Glob).optional().meta({
    description: "The network namespace's id: host, pod:NS/POD, compose:PROJECT/SERVICE/N, " +
      "docker:NAME, podman:NAME, container:RUNTIME/NAME, netns:NAME, inode:N.",
  }),
};

const ruleName = z.string().min(1).optional().meta({
  description: "A label for the rule in reports.",
});

/** What a listener rule matches: every given key must match. */
export const ListenerMatch = z.strictObject(listenerMatch).meta({
  id: "ListenerMatch",
  description: "What a listener rule matches: every key given must match.",
});

/** An allowed listener. */
export const ListenerAllow = z.strictObject({ name: ruleName, ...listenerMatch }).meta({
  id: "ListenerAllow",
  description: "A listener that may be there: every key given must match.",
});

/** A forbidden listener, with optional exceptions. */
export const ListenerDeny = z.strictObject({
  name: ruleName,
  ...listenerMatch,
  except: z.array(ListenerMatch).min(1).optional().meta({
    description: "Listeners this rule does not deny after all (any one of these matching).",
  }),
}).meta({
  id: "ListenerDeny",
  description: "A listener that must not be there, whatever allow says.",
});

/** A listener that must exist. */
export const ListenerRequired = z.strictObject({
  name: ruleName,
  ...listenerMatch,
  count: Count.optional(),
}).meta({ id: "ListenerRequired", description: "A listener that must be there." });

const Table = z.union([z.int().min(0), z.enum(["main", "local", "default"])]).meta({
  id: "Table",
  description: "Routing table: main (254), local (255), default (253) or a number.",
});

/** The namespace key of a route, routing-rule, neighbour or interface rule. */
const recordNamespace = oneOrMany(Glob).optional().meta({
  description: "The network namespace's id (globs as for listeners: host, docker:NAME, " +
    "pod:NS/POD …); absent: the snapshot's own namespace only, so a container's records " +
    "never satisfy a rule about the host's.",
});

/** What a route rule matches. */
export const RouteMatch = z.strictObject({
  name: ruleName,
  family: z.enum(["inet", "inet6"]).optional(),
  destination: z.union([z.literal("default"), Cidr]).optional().meta({
    description: "The destination CIDR exactly; default is 0.0.0.0/0 or ::/0.",
  }),
  gateway: z.union([z.literal("none"), Cidr]).optional().meta({
    description: "A gateway inside this CIDR (any next hop); none for a directly connected route.",
  }),
  interface: Glob.optional(),
  table: Table.optional(),
  type: z.string().min(1).optional().meta({ description: "unicast, local, blackhole …" }),
  metric: z.int().min(0).optional(),
  protocol: z.string().min(1).optional().meta({ description: "kernel, boot, static, dhcp …" }),
  scope: z.string().min(1).optional(),
  source: Cidr.optional(),
  namespace: recordNamespace,
}).meta({ id: "RouteMatch", description: "A route rule: every key given must match." });

const Fwmark = z.union([
  z.int().min(0),
  z.string().regex(/^0x[0-9a-fA-F]{1,8}$/, "expected a number or hex such as 0x10"),
]);

/** What a policy-routing rule (`ip rule`) rule matches. */
export const RoutingRuleMatch = z.strictObject({
  name: ruleName,
  family: z.enum(["inet", "inet6"]).optional(),
  priority: z.int().min(0).optional(),
  from: z.union([z.literal("all"), Cidr]).optional(),
  to: z.union([z.literal("all"), Cidr]).optional(),
  iif: Glob.optional(),
  oif: Glob.optional(),
  fwmark: Fwmark.optional(),
  table: Table.optional(),
  action: z.string().min(1).optional(),
  namespace: recordNamespace,
}).meta({
  id: "RoutingRuleMatch",
  description: "A policy-routing rule (ip rule) rule: every key given must match.",
});

/** What a neighbour (ARP/NDP entry) rule matches. */
export const NeighbourMatch = z.strictObject({
  name: ruleName,
  family: z.enum(["inet", "inet6"]).optional(),
  address: Cidr.optional(),
  mac: Glob.optional().meta({ description: "Link-layer address glob (52:54:00:*)." }),
  interface: Glob.optional(),
  state: oneOrMany(z.string().regex(/^[A-Z_]+$/, "expected a state in capitals, e.g. REACHABLE"))
    .optional().meta({
      description: "REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT …",
    }),
  router: z.boolean().optional(),
  proxy: z.boolean().optional(),
  namespace: recordNamespace,
}).meta({
  id: "NeighbourMatch",
  description: "A neighbour (ARP/NDP entry) rule: every key given must match.",
});

/** An expected state of the interfaces whose names match. */
export const InterfaceRule = z.strictObject({
  name: Glob,
  present: z.boolean().optional().meta({
    description: "true (default): an interface must match; false: none may.",
  }),
  up: z.boolean().optional().meta({ description: "The UP flag is set (true) or not (false)." }),
  "oper-state": oneOrMany(z.string().min(1)).optional().meta({
    description: "Operational state: up, down, unknown, dormant, lowerlayerdown …",
  }),
  mtu: Count.optional().meta({ description: 'The MTU, or a comparison such as ">= 1500".' }),
  namespace: recordNamespace,
}).meta({
  id: "InterfaceRule",
  description: "The state the interfaces whose names match must have.",
});

const SysctlValue = z.union([
  z.int(),
  z.string().superRefine((v, ctx) => {
    const msg = /^\s*(<|>|==|!=)/.test(v) ? expressionProblem(parseComparison)(v) : undefined;
    if (msg !== undefined) ctx.addIssue({ code: "custom", message: msg, input: v });
  }),
]).meta({
  description: 'The value (1, "bbr", "4096 131072 6291456") or a comparison (">= 4096").',
});

const Threshold = refined(z.string(), expressionProblem(parseThreshold)).meta({
  id: "Threshold",
  description: "A threshold: Tcp.RetransSegs <= 1%, TcpExt.ListenOverflows == 0, " +
    "interface eth0 rxDropped <= 10/s.",
});

/** One rate rule: a threshold, with a name if wanted. */
export const RateRule = z.union([
  Threshold,
  z.strictObject({ name: ruleName, expr: Threshold }),
]);

const requiredForbidden = <T extends z.ZodType>(t: T) =>
  z.strictObject({
    required: z.array(t).optional(),
    forbidden: z.array(t).optional(),
  });

/** The `nsnap-policy/v1` document. */
export const Policy = z.strictObject({
  schema: z.literal(POLICY_SCHEMA_ID),
  description: z.string().optional(),
  listeners: z.strictObject({
    default: z.enum(["allow", "deny"]).optional().meta({
      description: "A listener no allow rule matches: deny (default when allow is given) or allow.",
    }),
    "ephemeral-ports": PortRange.optional().meta({
      description:
        "Unconnected UDP sockets on these ports without a TCP listener are clients, not " +
        "listeners (default: the snapshot's ip_local_port_range, else 32768-60999).",
    }),
    allow: z.array(ListenerAllow).optional(),
    deny: z.array(ListenerDeny).optional(),
    required: z.array(ListenerRequired).optional(),
  }).optional(),
  routes: requiredForbidden(RouteMatch).optional(),
  "routing-rules": requiredForbidden(RoutingRuleMatch).optional(),
  neighbours: requiredForbidden(NeighbourMatch).optional(),
  settings: z.strictObject({
    sysctl: z.record(
      z.string().regex(
        /^[A-Za-z0-9_.*?/\[\]-]+$/,
        "expected a sysctl name such as net.core.somaxconn",
      ),
      SysctlValue,
    ).optional(),
    interfaces: z.array(InterfaceRule).optional(),
  }).optional(),
  rates: z.array(RateRule).optional().meta({
    description: "Thresholds on counter deltas against --baseline.",
  }),
});

/** A policy as validated (the document's own shape). */
export type PolicyDocument = z.output<typeof Policy>;
export type ListenerMatchSpec = z.output<typeof ListenerMatch>;
export type RouteMatchSpec = z.output<typeof RouteMatch>;
export type RoutingRuleSpec = z.output<typeof RoutingRuleMatch>;
export type NeighbourSpec = z.output<typeof NeighbourMatch>;
export type ListenerScopeName = z.output<typeof ListenerScope>;

/** Produces the published JSON Schema of `nsnap-policy/v1`. */
export function policyJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(
    Policy,
    "urn:nsnap:schema:nsnap-policy-v1",
    "nsnap policy (nsnap-policy/v1)",
  );
}
