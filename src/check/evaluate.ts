/**
 * The evaluator: a policy and a snapshot (and its baseline, for rates) in, one result per rule
 * out (`nsnap-check/v1`). Pure: no I/O, deterministic.
 *
 * How each section is decided (docs/check.md has the reference):
 * - listeners: each `deny` rule fails for every listener it matches (its `except` list taken
 *   out); when the default is deny (the default once `allow` is given), every listener no deny
 *   rule matched must be matched by some `allow` rule, else it fails the allow list
 *   (`listeners.allow`); each `required` rule counts the listening sockets it matches.
 * - routes, routing-rules, neighbours: a `required` rule passes when some record matches it, a
 *   `forbidden` rule fails for every record it matches.
 * - settings: each sysctl must have its value; each interface rule holds for every interface
 *   its name matches (and some must, unless `present: false`).
 * - rates: each threshold must hold, measured against the baseline.
 * A rule whose data the snapshot lacks is `not-evaluated` with the reason, as is one that some
 * records left undecided and none broke; `--strict` makes those fail the host.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "../model.ts";
 * import { parsePolicy } from "./policy.ts";
 * import { checkSnapshot } from "./evaluate.ts";
 * declare const snap: Snapshot;
 * const policy = parsePolicy("schema: nsnap-policy/v1\nlisteners:\n  deny: [{scope: public}]\n", "p.yaml");
 * const host = checkSnapshot(policy, snap);
 * for (const r of host.rules) if (r.status === "fail") console.log(r.id, r.violations[0]?.message);
 * ```
 */
import type { NetInterface, Route, Snapshot } from "../model.ts";
import { describeRoute } from "../diff/routes.ts";
import { ownNamespaceId } from "../net/namespaces.ts";
import { formatPath } from "../snapshot/read.ts";
import {
  compareRational,
  type Comparison,
  decimalRational,
  holds,
  looksLikeComparison,
  parseComparison,
  parseDecimal,
  parseThreshold,
  type Rational,
} from "./expr.ts";
import {
  type ListenerFact,
  listenerFacts,
  listenerText,
  type LooseRecord,
  namespacesOf,
  neighboursOf,
  routingRulesOf,
  sysctlsOf,
} from "./facts.ts";
import {
  describeKeys,
  globTest,
  type KeyTest,
  list,
  listenerTests,
  type MatchContext,
  namespaceTests,
  needsNamespaces,
  neighbourTests,
  not,
  or,
  portRange,
  routeTests,
  routingRuleTests,
  runTests,
  type Tri,
} from "./match.ts";
import type { PolicySource } from "./policy.ts";
import type { RouteMatchSpec } from "./schema.ts";
import {
  CHECK_SCHEMA_ID,
  type CheckDocumentOut,
  type CheckSectionName,
  type HostResultOut,
  type ListenerRecordOut,
  type RuleResultOut,
  type ViolationOut,
} from "./result.ts";
import { measureThreshold } from "./threshold.ts";

/** What to check a snapshot with, besides the policy. */
export interface CheckOptions {
  /** The snapshot rates are measured against. */
  baseline?: Snapshot;
  /** File names to record in the result. */
  file?: string;
  baselineFile?: string;
  /** A rule not evaluated fails the host. */
  strict?: boolean;
}

/** Where a rule was written and what it says. */
interface RuleHead {
  id: string;
  line: number;
  section: CheckSectionName;
  name?: string | undefined;
  rule: string;
}

/** Builds a rule result from what the rule found. */
class Outcome {
  readonly violations: ViolationOut[] = [];
  checked = 0;
  undetermined = 0;
  unknownReason: string | undefined;
  constructor(readonly head: RuleHead, public notEvaluated?: string) {}

  /** Counts a record and what the rule made of it: true breaks the rule, unknown is undecided. */
  see(answer: Tri, violation: () => ViolationOut): void {
    this.checked++;
    if (answer === true) this.violations.push(violation());
    else if (answer !== false) {
      this.undetermined++;
      this.unknownReason ??= answer.unknown;
    }
  }

  done(): RuleResultOut {
    const r: RuleResultOut = {
      id: this.head.id,
      line: this.head.line,
      section: this.head.section,
      rule: this.head.rule,
      status: "pass",
      checked: this.checked,
      violations: this.violations,
    };
    if (this.head.name !== undefined) r.name = this.head.name;
    if (this.undetermined > 0) r.undetermined = this.undetermined;
    if (this.violations.length > 0) r.status = "fail";
    else if (this.notEvaluated !== undefined) {
      r.status = "not-evaluated";
      r.reason = this.notEvaluated;
    } else if (this.undetermined > 0) {
      r.status = "not-evaluated";
      r.reason = this.undetermined === this.checked
        ? this.unknownReason
        : `undecided for ${this.undetermined} of ${this.checked}: ${this.unknownReason}`;
    }
    return r;
  }
}

function head(
  p: PolicySource,
  path: PropertyKey[],
  section: CheckSectionName,
  rule: string,
  name?: string,
): RuleHead {
  return { id: formatPath(path), line: p.lineOf(path), section, name, rule };
}

/** The listener fact as the result document carries it. */
function listenerRecord(f: ListenerFact): ListenerRecordOut {
  return { ...f };
}

const WHERE: Record<ListenerFact["scope"], string> = {
  any: "on every address",
  loopback: "on loopback",
  "link-local": "on a link-local address",
  private: "on a private address",
  public: "on a public address",
};

function listenerLine(f: ListenerFact): string {
  return `${listenerText(f)} ${WHERE[f.scope]}`;
}

function sectionMissing(
  snap: Snapshot,
  section: "connections" | "routes" | "interfaces",
): string | undefined {
  const st = snap.meta.sections[section];
  return st.status === "error"
    ? `the snapshot has no ${section}${st.error ? ` (${st.error})` : ""}`
    : undefined;
}

/** The keys a near miss is best explained by, most telling first (a scope, not a port). */
const MISS_RANK = [
  "scope",
  "address",
  "family",
  "user",
  "namespace",
  "program",
  "protocol",
  "port",
];

/** The rule a record fails on one key only, the most telling such key first. */
function nearMiss<R>(
  rules: ReadonlyArray<{ path: PropertyKey[]; tests: KeyTest<R>[] }>,
  record: R,
): { path: PropertyKey[]; test: KeyTest<R> } | undefined {
  let best: { path: PropertyKey[]; test: KeyTest<R>; rank: number } | undefined;
  for (const r of rules) {
    const { result, failed } = runTests(r.tests, record);
    if (result !== false || failed.length !== 1) continue;
    const rank = MISS_RANK.indexOf(failed[0]!.key);
    if (!best || rank < best.rank) best = { path: r.path, test: failed[0]!, rank };
  }
  return best;
}

function ownerUnknownReason(snap: Snapshot): string {
  return snap.meta.privileges.root
    ? "the owner is unknown"
    : "the owner is unknown (the capture was not run as root)";
}

function evaluateListeners(p: PolicySource, snap: Snapshot): RuleResultOut[] {
  const L = p.doc.listeners;
  if (!L) return [];
  const missing = sectionMissing(snap, "connections");
  const ctx: MatchContext = { ownerUnknown: ownerUnknownReason(snap) };
  if (namespacesOf(snap) === undefined) ctx.noNamespaces = "the snapshot has no namespaces";
  const eph = L["ephemeral-ports"] !== undefined ? portRange(L["ephemeral-ports"]) : undefined;
  const facts = missing ? [] : listenerFacts(snap, eph).facts;
  const out: RuleResultOut[] = [];
  const denied = new Set<ListenerFact>();
  (L.deny ?? []).forEach((spec, i) => {
    const path = ["listeners", "deny", i];
    const tests = listenerTests(spec, "touches", ctx);
    const excepts = (spec.except ?? []).map((e) => listenerTests(e, "within", ctx));
    const rule = `deny ${describeKeys(tests)}${
      excepts.length ? `; except ${excepts.map((e) => describeKeys(e)).join(" or ")}` : ""
    }`;
    // A rule about other namespaces cannot pass on a snapshot that saw only its own.
    const o = new Outcome(
      head(p, path, "listeners", rule, spec.name),
      missing ?? (needsNamespaces(spec) ? ctx.noNamespaces : undefined),
    );
    for (const f of facts) {
      const answer: Tri = and2(
        runTests(tests, f).result,
        not(or(excepts.map((e) => runTests(e, f).result))),
      );
      if (answer === true) denied.add(f);
      o.see(answer, () => ({ message: `${listenerLine(f)}: denied`, listener: listenerRecord(f) }));
    }
    out.push(o.done());
  });
  const allows = (L.allow ?? []).map((spec, i) => ({
    path: ["listeners", "allow", i] as PropertyKey[],
    tests: listenerTests(spec, "within", ctx),
  }));
  const defaultDeny = (L.default ?? (L.allow ? "deny" : "allow")) === "deny";
  if (defaultDeny) {
    const path = L.allow
      ? ["listeners", "allow"]
      : L.default
      ? ["listeners", "default"]
      : ["listeners"];
    const o = new Outcome(
      head(p, path, "listeners", "every listener is allowed by an allow rule (default: deny)"),
      missing,
    );
    for (const f of facts) {
      if (denied.has(f)) continue;
      const answer = not(or(allows.map((a) => runTests(a.tests, f).result)));
      o.see(answer, () => {
        const near = nearMiss(allows, f);
        const why = near
          ? `; ${formatPath(near.path)} (line ${
            p.lineOf(near.path)
          }) would allow it but for its ${near.test.key} (${near.test.wants})`
          : "";
        return { message: `${listenerLine(f)}: not allowed${why}`, listener: listenerRecord(f) };
      });
    }
    out.push(o.done());
  }
  (L.required ?? []).forEach((spec, i) => {
    const path = ["listeners", "required", i];
    const tests = listenerTests(spec, "touches", ctx);
    const want = countComparison(spec.count);
    const o = new Outcome(
      head(
        p,
        path,
        "listeners",
        `required: ${describeKeys(tests)}, sockets ${formatWant(want)}`,
        spec.name,
      ),
      missing,
    );
    if (needsNamespaces(spec) && !missing) o.notEvaluated = ctx.noNamespaces;
    let found = 0, maybe = 0, undecided = 0;
    for (const f of facts) {
      const r = runTests(tests, f).result;
      o.checked++;
      if (r === true) found += f.sockets;
      else if (r !== false) {
        maybe += f.sockets;
        undecided++;
        o.unknownReason ??= r.unknown;
      }
    }
    if (!missing) {
      const lo = holdsCount(want, found), hi = holdsCount(want, found + maybe);
      const decided = maybe === 0 || (lo === hi && !(want.op === "==" || want.op === "!="));
      if (decided && !lo) {
        const close = facts.map((f) => ({ f, near: nearMiss([{ path, tests }], f) }))
          .filter((x) => x.near !== undefined)
          .sort((a, b) =>
            MISS_RANK.indexOf(a.near!.test.key) - MISS_RANK.indexOf(b.near!.test.key)
          )[0];
        const closest = close
          ? `; closest: ${listenerLine(close.f)}, which is not ${close.near!.test.key} ${
            close.near!.test.wants
          }`
          : "";
        o.violations.push({
          message: `${found === 0 ? "no listener matches" : `${found} matching sockets`}, wanted ${
            formatWant(want)
          }${closest}`,
        });
      } else if (!decided) o.undetermined = undecided;
    }
    out.push(o.done());
  });
  return out;
}

function and2(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  if (a === true) return b;
  return a;
}

/** A `count` as a comparison: a number N means at least N; absent means at least 1. */
function countComparison(count: number | string | undefined): Comparison {
  if (typeof count === "string") return parseComparison(count);
  return { op: ">=", value: parseDecimal(String(count ?? 1)), negative: false };
}

function formatWant(c: Comparison): string {
  const n = `${c.negative ? "-" : ""}${decimalText(c)}`;
  return c.op === ">=" ? `at least ${n}` : `${c.op} ${n}`;
}

function decimalText(c: Comparison): string {
  const r = decimalRational(c.value);
  return r.den === 1n ? r.num.toString() : `${Number(r.num) / Number(r.den)}`;
}

function holdsCount(c: Comparison, n: number | bigint): boolean {
  const want = decimalRational(c.value, c.negative);
  return holds(c.op, compareRational({ num: BigInt(n), den: 1n }, want));
}

const NO_NAMESPACES = "the snapshot has no namespaces";

/** What each section's records are called in "no … matches". */
const NOUNS = { routes: "route", "routing-rules": "routing rule", neighbours: "neighbour entry" };

function evaluateRequiredForbidden<
  R,
  S extends { name?: string | undefined; namespace?: string | string[] | undefined },
>(
  p: PolicySource,
  section: "routes" | "routing-rules" | "neighbours",
  block: { required?: S[] | undefined; forbidden?: S[] | undefined } | undefined,
  records: readonly R[] | undefined,
  missing: string | undefined,
  compile: (spec: S) => KeyTest<R>[],
  describe: (r: R) => string,
  violation: (r: R, message: string) => ViolationOut,
  noNamespaces: string | undefined,
): RuleResultOut[] {
  if (!block) return [];
  const out: RuleResultOut[] = [];
  const all = records ?? [];
  // A rule about namespaces cannot pass or fail on a snapshot that saw only its own.
  const unknownFor = (spec: S) =>
    missing ?? (spec.namespace !== undefined ? noNamespaces : undefined);
  (block.required ?? []).forEach((spec, i) => {
    const path = [section, "required", i];
    const tests = compile(spec);
    const o = new Outcome(
      head(p, path, section, `required: ${describeKeys(tests)}`, spec.name),
      unknownFor(spec),
    );
    if (!o.notEvaluated) {
      let found = false;
      for (const r of all) {
        o.checked++;
        const res = runTests(tests, r).result;
        if (res === true) found = true;
        else if (res !== false) {
          o.undetermined++;
          o.unknownReason ??= res.unknown;
        }
      }
      if (found) o.undetermined = 0;
      else if (o.undetermined === 0) {
        const close = all.map((r) => ({ r, failed: runTests(tests, r) }))
          .filter((x) => x.failed.result === false && x.failed.failed.length === 1).slice(0, 3)
          .map((x) => `${describe(x.r)} (but for its ${x.failed.failed[0]!.key})`);
        o.violations.push({
          message: `no ${NOUNS[section]} matches ${describeKeys(tests)}${
            close.length ? `; closest: ${close.join("; ")}` : ""
          }`,
        });
      }
    }
    out.push(o.done());
  });
  (block.forbidden ?? []).forEach((spec, i) => {
    const path = [section, "forbidden", i];
    const tests = compile(spec);
    const o = new Outcome(
      head(p, path, section, `forbidden: ${describeKeys(tests)}`, spec.name),
      unknownFor(spec),
    );
    if (!o.notEvaluated) {
      for (const r of all) {
        o.see(runTests(tests, r).result, () => violation(r, `${describe(r)}: forbidden`));
      }
    }
    out.push(o.done());
  });
  return out;
}

function looseText(r: LooseRecord): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (v === undefined || v === null || typeof v === "object") continue;
    parts.push(`${k} ${String(v)}`);
  }
  return parts.slice(0, 8).join(", ");
}

/**
 * A rule's key tests with its namespace key: the own namespace's records unless the rule names
 * namespaces (match.ts `namespaceTests`).
 */
function inNamespace<R, S extends { namespace?: string | string[] | undefined }>(
  snap: Snapshot,
  compile: (spec: S) => KeyTest<R>[],
): (spec: S) => KeyTest<R>[] {
  const noNamespaces = namespacesOf(snap) === undefined
    ? "the snapshot has no namespaces"
    : undefined;
  const own = ownNamespaceId(snap);
  return (spec) => [...compile(spec), ...namespaceTests<R>(spec.namespace, own, noNamespaces)];
}

/** A record's words, with the namespace it is in when not the own one. */
function inWhich<R>(describe: (r: R) => string): (r: R) => string {
  return (r) => {
    const ns = (r as { namespace?: unknown }).namespace;
    return typeof ns === "string" ? `${describe(r)} in ${ns}` : describe(r);
  };
}

function evaluateRouting(p: PolicySource, snap: Snapshot): RuleResultOut[] {
  const noNamespaces = namespacesOf(snap) === undefined ? NO_NAMESPACES : undefined;
  const out = evaluateRequiredForbidden<Route, RouteMatchSpec>(
    p,
    "routes",
    p.doc.routes,
    snap.routes,
    sectionMissing(snap, "routes"),
    inNamespace(snap, routeTests),
    inWhich(describeRoute),
    (r, message) => ({ message, route: r }),
    noNamespaces,
  );
  const rules = routingRulesOf(snap);
  out.push(...evaluateRequiredForbidden(
    p,
    "routing-rules",
    p.doc["routing-rules"],
    rules,
    rules === undefined ? "the snapshot has no routing rules" : undefined,
    inNamespace(snap, routingRuleTests),
    inWhich((r: LooseRecord) => `rule ${looseText(r)}`),
    (r, message) => ({ message, entry: { ...r } }),
    noNamespaces,
  ));
  const neigh = neighboursOf(snap);
  out.push(...evaluateRequiredForbidden(
    p,
    "neighbours",
    p.doc.neighbours,
    neigh,
    neigh === undefined ? "the snapshot has no neighbour entries" : undefined,
    inNamespace(snap, neighbourTests),
    inWhich((r: LooseRecord) => `neighbour ${looseText(r)}`),
    (r, message) => ({ message, entry: { ...r } }),
    noNamespaces,
  ));
  return out;
}

/** Compares a sysctl's text with what the policy expects. */
function sysctlHolds(expected: string | number, actual: string): boolean {
  const norm = (s: string) => s.trim().split(/\s+/).join(" ");
  if (typeof expected === "string" && looksLikeComparison(expected)) {
    const n = numberOf(actual);
    if (n === undefined) return false;
    const c = parseComparison(expected);
    return holds(c.op, compareRational(n, decimalRational(c.value, c.negative)));
  }
  if (typeof expected === "number") {
    const n = numberOf(actual);
    return n !== undefined && compareRational(n, { num: BigInt(expected), den: 1n }) === 0;
  }
  return norm(expected) === norm(actual);
}

function numberOf(text: string): Rational | undefined {
  const m = /^\s*(-?)([0-9]+(?:\.[0-9]+)?)\s*$/.exec(text);
  return m ? decimalRational(parseDecimal(m[2]!), m[1] === "-") : undefined;
}

function interfaceRecord(i: NetInterface): NonNullable<ViolationOut["interface"]> {
  const r: NonNullable<ViolationOut["interface"]> = { name: i.name, flags: i.flags };
  if (i.mtu !== undefined) r.mtu = i.mtu;
  if (i.operState !== undefined) r.operState = i.operState;
  return r;
}

function evaluateSettings(p: PolicySource, snap: Snapshot): RuleResultOut[] {
  const S = p.doc.settings;
  if (!S) return [];
  const out: RuleResultOut[] = [];
  const sysctls = sysctlsOf(snap);
  for (const [key, expected] of Object.entries(S.sysctl ?? {})) {
    const path = ["settings", "sysctl", key];
    const rule = `${key} ${
      typeof expected === "string" && looksLikeComparison(expected) ? expected : `= ${expected}`
    }`;
    const names = sysctls === undefined ? [] : Object.keys(sysctls).filter(globTest([key])).sort();
    const reason = sysctls === undefined
      ? "the snapshot has no settings section"
      : names.length === 0
      ? `the snapshot's settings have no ${key}`
      : undefined;
    const o = new Outcome(head(p, path, "settings", rule), reason);
    for (const n of names) {
      const v = sysctls![n]!;
      o.see(!sysctlHolds(expected, v), () => ({
        message: `${n} is ${JSON.stringify(v)}, expected ${
          typeof expected === "string" && looksLikeComparison(expected)
            ? expected
            : JSON.stringify(String(expected))
        }`,
        setting: { name: n, value: v },
      }));
    }
    out.push(o.done());
  }
  const missing = sectionMissing(snap, "interfaces");
  (S.interfaces ?? []).forEach((spec, i) => {
    const path = ["settings", "interfaces", i];
    const present = spec.present ?? true;
    const wants: string[] = [];
    if (!present) wants.push("absent");
    if (spec.up !== undefined) wants.push(spec.up ? "up" : "down");
    const states = list(spec["oper-state"]).map((s) => s.toLowerCase());
    if (states.length) wants.push(`oper-state ${states.join(",")}`);
    const mtu = spec.mtu === undefined ? undefined : countEquals(spec.mtu);
    if (mtu) wants.push(`mtu ${mtu.op === "==" ? "" : mtu.op + " "}${decimalText(mtu)}`);
    const globs = list(spec.namespace);
    const where = globs.length ? ` in ${globs.join(",")}` : "";
    const o = new Outcome(
      head(
        p,
        path,
        "settings",
        `interface ${spec.name}${where}: ${wants.join(", ") || "present"}`,
      ),
      missing ??
        (globs.length && namespacesOf(snap) === undefined
          ? "the snapshot has no namespaces"
          : undefined),
    );
    if (!o.notEvaluated) {
      const m = globTest([spec.name]);
      // The own namespace's interfaces unless the rule names namespaces: a container's eth0
      // is not the host's.
      const inNs = namespaceTests<NetInterface>(spec.namespace, ownNamespaceId(snap), undefined);
      const here = snap.interfaces.filter((x) => runTests(inNs, x).result === true);
      const matched = here.filter((x) => m(x.name));
      const named = (x: NetInterface) => inWhich((i: NetInterface) => `interface ${i.name}`)(x);
      if (!present) {
        for (const x of here) {
          o.see(
            m(x.name),
            () => ({ message: `${named(x)} exists`, interface: interfaceRecord(x) }),
          );
        }
      } else if (matched.length === 0) {
        o.violations.push({ message: `no interface matches ${spec.name}${where}` });
      }
      if (present) {
        for (const x of matched) {
          const problems: string[] = [];
          let unknown: string | undefined;
          if (spec.up !== undefined && x.flags.includes("UP") !== spec.up) {
            problems.push(spec.up ? "is not up (no UP flag)" : "is up");
          }
          if (states.length) {
            if (x.operState === undefined) unknown = "its operational state is not in the snapshot";
            else if (!states.includes(x.operState.toLowerCase())) {
              problems.push(`oper-state is ${x.operState}`);
            }
          }
          if (mtu) {
            if (x.mtu === undefined) unknown = "its MTU is not in the snapshot";
            else if (!holdsCount(mtu, x.mtu)) problems.push(`MTU is ${x.mtu}`);
          }
          const answer: Tri = problems.length ? true : unknown ? { unknown } : false;
          o.see(answer, () => ({
            message: `${named(x)} ${problems.join(", ")}`,
            interface: interfaceRecord(x),
          }));
        }
      }
    }
    out.push(o.done());
  });
  return out;
}

/** An MTU as a comparison: a number means exactly that. */
function countEquals(v: number | string): Comparison {
  return typeof v === "string"
    ? parseComparison(v)
    : { op: "==", value: parseDecimal(String(v)), negative: false };
}

function evaluateRates(
  p: PolicySource,
  snap: Snapshot,
  baseline: Snapshot | undefined,
): RuleResultOut[] {
  return (p.doc.rates ?? []).map((entry, i) => {
    const path = ["rates", i];
    const text = typeof entry === "string" ? entry : entry.expr;
    const name = typeof entry === "string" ? undefined : entry.name;
    const t = parseThreshold(text);
    const ms = measureThreshold(t, snap, baseline);
    const decided = ms.filter((m) => m.holds !== undefined);
    const o = new Outcome(
      head(p, path, "rates", text.trim(), name),
      decided.length === 0 ? ms[0]?.reason ?? "nothing to measure" : undefined,
    );
    for (const m of ms) {
      const answer: Tri = m.holds === undefined ? { unknown: m.reason ?? "unknown" } : !m.holds;
      o.see(answer, () => {
        const measurement: NonNullable<ViolationOut["measurement"]> = { subject: m.subject };
        if (m.observed !== undefined) measurement.observed = m.observed;
        if (m.value !== undefined) measurement.value = m.value;
        if (m.of !== undefined) measurement.of = m.of;
        if (m.seconds !== undefined) measurement.seconds = m.seconds;
        return {
          message: `${m.subject} is ${m.observed}, which breaks ${text.trim()}`,
          measurement,
        };
      });
    }
    return o.done();
  });
}

/** Checks one snapshot against a policy: one result per rule, in policy order by section. */
export function checkSnapshot(
  p: PolicySource,
  snap: Snapshot,
  opts: CheckOptions = {},
): HostResultOut {
  const warnings: string[] = [];
  const b = opts.baseline;
  if (b) {
    if (b.meta.host.hostname !== snap.meta.host.hostname) {
      warnings.push(
        `the baseline comes from another host (${b.meta.host.hostname}, not ${snap.meta.host.hostname}); rates measured anyway`,
      );
    }
    if (Date.parse(b.meta.capturedAt) > Date.parse(snap.meta.capturedAt)) {
      warnings.push("the baseline was captured after the snapshot: are the operands swapped?");
    }
  }
  const rules = [
    ...evaluateListeners(p, snap),
    ...evaluateRouting(p, snap),
    ...evaluateSettings(p, snap),
    ...evaluateRates(p, snap, b),
  ];
  // In the order the policy states them (the allow list stands at its `allow:` line).
  rules.sort((x, y) => x.line - y.line);
  const summary = countRules(rules);
  const failed = summary.failed > 0 || (opts.strict === true && summary.notEvaluated > 0);
  const host: HostResultOut = {
    host: snap.meta.host.hostname,
    capturedAt: snap.meta.capturedAt,
    verdict: failed ? "fail" : "pass",
    warnings,
    rules,
    summary,
  };
  if (opts.file !== undefined) host.file = opts.file;
  if (b) {
    host.baseline = { capturedAt: b.meta.capturedAt };
    if (opts.baselineFile !== undefined) host.baseline.file = opts.baselineFile;
  }
  return host;
}

function countRules(rules: readonly RuleResultOut[]): HostResultOut["summary"] {
  const s = { rules: rules.length, passed: 0, failed: 0, notEvaluated: 0, violations: 0 };
  for (const r of rules) {
    if (r.status === "pass") s.passed++;
    else if (r.status === "fail") s.failed++;
    else s.notEvaluated++;
    s.violations += r.violations.length;
  }
  return s;
}

/** Puts host results together into the `nsnap-check/v1` document. */
export function checkDocument(
  p: PolicySource,
  hosts: readonly HostResultOut[],
  strict = false,
): CheckDocumentOut {
  const summary = {
    hosts: hosts.length,
    hostsFailed: 0,
    passed: 0,
    failed: 0,
    notEvaluated: 0,
    violations: 0,
  };
  for (const h of hosts) {
    if (h.verdict === "fail") summary.hostsFailed++;
    summary.passed += h.summary.passed;
    summary.failed += h.summary.failed;
    summary.notEvaluated += h.summary.notEvaluated;
    summary.violations += h.summary.violations;
  }
  return {
    schema: CHECK_SCHEMA_ID,
    policy: { file: p.file },
    strict,
    verdict: summary.hostsFailed > 0 ? "fail" : "pass",
    hosts: [...hosts],
    summary,
  };
}
