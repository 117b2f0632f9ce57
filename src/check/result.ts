/**
 * The result of `nsnap check` (`nsnap-check/v1`, written by `--format json`), defined once: its
 * types, its reader and its published JSON Schema (`nsnap schema --check`).
 *
 * One document covers every host checked (a folder is many hosts): per host, one result per rule
 * with its status — `pass`, `fail` (with the violations) or `not-evaluated` (with the reason: the
 * snapshot lacks what the rule needs, or the rule could not be decided for some records) — and the
 * line of the rule in the policy file.
 */
import { z } from "zod";
import { CounterValue, Family, Protocol, publishedJsonSchema, Route } from "../schema.ts";

/** The schema identifier every check result carries. */
export const CHECK_SCHEMA_ID = "nsnap-check/v1";

const uint = () => z.int().nonnegative();

/** A rule's outcome. */
export const RuleStatus = z.enum(["pass", "fail", "not-evaluated"]);

/** The policy sections, in report order. */
export const CheckSection = z.enum([
  "listeners",
  "routes",
  "routing-rules",
  "neighbours",
  "settings",
  "rates",
]);

const Exact = CounterValue.meta({
  id: "Exact",
  description: "Exact integer: a JSON number while |v| ≤ 2^53-1, a decimal string beyond that.",
});

/** A listener as a rule saw it. */
export const ListenerRecord = z.object({
  protocol: Protocol,
  family: Family,
  address: z.string(),
  port: uint(),
  scope: z.enum(["loopback", "link-local", "private", "public", "any"]),
  program: z.string().optional(),
  pid: uint().optional(),
  user: z.string().optional(),
  uid: uint().optional(),
  namespace: z.string().optional(),
  sockets: uint().meta({ description: "Sockets on this address with this owner (SO_REUSEPORT)." }),
});

/** One thing that breaks a rule, with the record it concerns. */
export const Violation = z.object({
  message: z.string().meta({ description: "One line in plain words: the record and why." }),
  listener: ListenerRecord.optional(),
  route: Route.optional(),
  interface: z.object({
    name: z.string(),
    mtu: uint().optional(),
    operState: z.string().optional(),
    flags: z.array(z.string()),
  }).optional(),
  setting: z.object({ name: z.string(), value: z.string().optional() }).optional(),
  measurement: z.object({
    subject: z.string(),
    observed: z.string().optional(),
    value: Exact.optional(),
    of: Exact.optional(),
    seconds: z.number().optional(),
  }).optional(),
  entry: z.record(z.string(), z.unknown()).optional().meta({
    description: "A routing rule or neighbour entry as the snapshot holds it.",
  }),
});

/** The outcome of one rule on one host. */
export const RuleResult = z.object({
  id: z.string().meta({ description: "The rule's path in the policy: listeners.deny[0]." }),
  line: uint().meta({ description: "The line of the rule in the policy file (1-based)." }),
  section: CheckSection,
  name: z.string().optional(),
  rule: z.string().meta({ description: "What the rule says, in one line." }),
  status: RuleStatus,
  reason: z.string().optional().meta({ description: "Why the rule was not evaluated." }),
  checked: uint().meta({ description: "Records the rule looked at." }),
  undetermined: uint().optional().meta({
    description: "Records the rule could not decide (an owner unknown …).",
  }),
  violations: z.array(Violation),
});

const Counts = z.object({
  rules: uint(),
  passed: uint(),
  failed: uint(),
  notEvaluated: uint(),
  violations: uint(),
});

/** Every rule's outcome on one snapshot. */
export const HostResult = z.object({
  host: z.string().meta({ description: "meta.host.hostname of the snapshot." }),
  file: z.string().optional(),
  capturedAt: z.string(),
  baseline: z.object({ file: z.string().optional(), capturedAt: z.string() }).optional(),
  verdict: z.enum(["pass", "fail"]),
  warnings: z.array(z.string()),
  rules: z.array(RuleResult),
  summary: Counts,
});

/** The `nsnap-check/v1` document. */
export const CheckDocument = z.object({
  schema: z.literal(CHECK_SCHEMA_ID),
  policy: z.object({ file: z.string() }),
  strict: z.boolean().meta({ description: "With --strict a rule not evaluated fails the host." }),
  verdict: z.enum(["pass", "fail"]),
  hosts: z.array(HostResult),
  summary: z.object({
    hosts: uint(),
    hostsFailed: uint(),
    passed: uint().meta({ description: "Rule results that passed, summed over the hosts." }),
    failed: uint(),
    notEvaluated: uint(),
    violations: uint(),
  }),
});

export type CheckSectionName = z.output<typeof CheckSection>;
export type ListenerRecordOut = z.output<typeof ListenerRecord>;
export type ViolationOut = z.output<typeof Violation>;
export type RuleResultOut = z.output<typeof RuleResult>;
export type HostResultOut = z.output<typeof HostResult>;
export type CheckDocumentOut = z.output<typeof CheckDocument>;

/** Reads a check document back (e.g. from `--format json`), integers as bigint. */
export function parseCheckDocument(value: unknown): CheckDocumentOut {
  return CheckDocument.parse(value);
}

/** Produces the published JSON Schema of `nsnap-check/v1`. */
export function checkJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(
    CheckDocument,
    "urn:nsnap:schema:nsnap-check-v1",
    "nsnap check result (nsnap-check/v1)",
  );
}
