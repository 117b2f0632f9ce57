/**
 * What `nsnap import` may write: every record a parser read from a saved output is held to the
 * schema the loader reads snapshots with (src/schema.ts), in the form it takes on disk, before
 * the inputs are merged. A saved output is text from anyone: a queue of 2^80, a pid of 1e20 or a
 * 44-digit counter parse as numbers, but no snapshot may hold them, and a snapshot that nothing
 * can read back is worse than none.
 *
 * Decisions:
 * - A value the schema refuses is left out and costs one warning naming the file, the line (or
 *   the JSON item) the record was read at, the record and the value, escaped:
 *   `ss.txt:2: socket tcp 0.0.0.0:22 left out: sendQ: expected a value ≤ 9007199254740991, got
 *   1.2089258196146292e+24`.
 * - What is left out is as little as the schema allows: the field where it may be absent
 *   (`pid`, `stats.rxBytes`), the element of a list (`pids[0]`, `addresses[1]`), else the whole
 *   record (a socket without a valid `sendQ` is no socket).
 * - The loader checks more than fields (prototype keys, duplicate keys, pid keys); those cannot
 *   arise here: records are keyed by what this check passed, in prototype-free records.
 *
 * @module
 */
import { z } from "zod";
import * as S from "../schema.ts";
import { encodeCounter } from "../model.ts";
import type {
  Connection,
  Counters,
  FirewallTable,
  Neighbour,
  NetInterface,
  ProcessInfo,
  Qdisc,
  Route,
  Rule,
  Settings,
} from "../model.ts";
import { originOf } from "../parse/text.ts";
import type { LsofSocket } from "../parse/bsd/lsof.ts";
import { describeIssue, formatPath, type Issue } from "../snapshot/read.ts";
import { fastConnection } from "../snapshot/fast_path.ts";
import { escapeText } from "../util/escape.ts";
import { dict } from "../util/record.ts";
import type { Contribution } from "./formats.ts";
import type { AnySectionName } from "../model.ts";

/** lsof's sockets, held to the fields of the socket and process records they become. */
const LsofSocketSchema = z.object({
  pid: S.ProcessInfo.shape.pid,
  command: S.ProcessInfo.shape.name,
  user: S.ProcessInfo.shape.user,
  uid: S.ProcessInfo.shape.uid,
  ppid: S.ProcessInfo.shape.ppid,
  protocol: S.Connection.shape.protocol,
  family: S.Connection.shape.family,
  localAddress: S.Connection.shape.localAddress,
  localPort: S.Connection.shape.localPort,
  remoteAddress: S.Connection.shape.remoteAddress.optional(),
  remotePort: S.Connection.shape.remotePort.optional(),
  state: S.Connection.shape.state.optional(),
});

/** A record's on-disk form: counters (bigint) as the number or decimal string they are written as. */
function onDisk(v: unknown): unknown {
  if (typeof v === "bigint") return encodeCounter(v);
  if (Array.isArray(v)) return v.map(onDisk);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = dict();
    for (const [k, x] of Object.entries(v)) out[k] = onDisk(x);
    return out;
  }
  return v;
}

/** The schema itself, under `.optional()` and the like. */
function inner(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

/**
 * How much of `path` may go: the length of its longest prefix that names an optional field or
 * an element of a list, 0 when only the whole record can.
 */
function removableDepth(schema: z.ZodType, path: readonly PropertyKey[]): number {
  let s = schema, depth = 0;
  for (let i = 0; i < path.length; i++) {
    const at = inner(s);
    const seg = path[i]!;
    if (at instanceof z.ZodObject && typeof seg === "string") {
      const child = (at.shape as Record<string, z.ZodType>)[seg];
      if (child === undefined || !Object.hasOwn(at.shape, seg)) break;
      if (child.safeParse(undefined).success) depth = i + 1;
      s = child;
    } else if (at instanceof z.ZodArray && typeof seg === "number") {
      depth = i + 1;
      s = at.element as z.ZodType;
    } else break;
  }
  return depth;
}

/**
 * Removes every path from `record`: fields, then list elements by index. An optional list that
 * loses all its elements goes too (`pids: []` would say "no holder", which no input said).
 */
function cut(schema: z.ZodType, record: unknown, paths: readonly (readonly PropertyKey[])[]): void {
  const lists = new Map<unknown[], { path: readonly PropertyKey[]; drop: Set<number> }>();
  const at = (path: readonly PropertyKey[]) => {
    let v = record as Record<PropertyKey, unknown>;
    for (const seg of path) v = v[seg] as Record<PropertyKey, unknown>;
    return v;
  };
  for (const path of paths) {
    const parent = at(path.slice(0, -1));
    const last = path[path.length - 1]!;
    if (Array.isArray(parent) && typeof last === "number") {
      const entry = lists.get(parent) ?? { path: path.slice(0, -1), drop: new Set<number>() };
      entry.drop.add(last);
      lists.set(parent, entry);
    } else delete parent[last];
  }
  for (const [list, { path, drop }] of lists) {
    const kept = list.filter((_, i) => !drop.has(i));
    list.length = 0;
    list.push(...kept);
    if (kept.length === 0 && path.length > 0 && removableDepth(schema, path) === path.length) {
      delete at(path.slice(0, -1))[path[path.length - 1]!];
    }
  }
}

/** How a warning names a record: its kind and a few words that tell it from the others. */
type Namer<T> = (record: T) => string;

/** Checks records against `schema`; what it refuses is left out with a warning (see the header). */
function checkRecords<T extends object>(
  schema: z.ZodType,
  records: readonly T[],
  source: string,
  name: Namer<T>,
  warnings: string[],
  fast?: (record: T) => boolean,
): T[] {
  const out: T[] = [];
  for (const record of records) {
    if (fast?.(record)) {
      out.push(record);
      continue;
    }
    const kept = checkRecord(schema, record, source, name, warnings);
    if (kept !== undefined) out.push(kept);
  }
  return out;
}

function checkRecord<T extends object>(
  schema: z.ZodType,
  record: T,
  source: string,
  name: Namer<T>,
  warnings: string[],
): T | undefined {
  const disk = onDisk(record);
  const r = schema.safeParse(disk);
  if (r.success) return record;
  const where = `${escapeText(source)}${originOf(record)}`;
  const issues = r.error.issues as unknown as Issue[];
  const fatal = issues.find((i) => removableDepth(schema, i.path) === 0);
  if (fatal !== undefined) {
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    warnings.push(`${where}: ${name(record)} left out: ${describeIssue(fatal, disk)}${more}`);
    return undefined;
  }
  const paths = issues.map((i) => i.path.slice(0, removableDepth(schema, i.path)));
  for (const [k, issue] of issues.entries()) {
    const whole = formatPath(paths[k]!);
    const text = describeIssue(issue, disk);
    const reason = text.slice(formatPath(issue.path).length + 2);
    const inside = whole === formatPath(issue.path) ? "" : ` (${formatPath(issue.path)})`;
    warnings.push(`${where}: ${whole}${inside} of ${name(record)} left out: ${reason}`);
  }
  const copy = structuredClone(record);
  cut(schema, copy, paths);
  // What is left must pass; if the schema still refuses it (it cannot, but a refusal of a
  // refusal must never reach the file), the record goes.
  if (!schema.safeParse(onDisk(copy)).success) {
    warnings.push(`${where}: ${name(record)} left out`);
    return undefined;
  }
  return copy;
}

/** Counters the schema refuses (beyond -2^63 … 2^64-1), left out one by one. */
function checkCounters(c: Counters, source: string, warnings: string[]): Counters {
  const out: Counters = dict();
  for (const [group, values] of Object.entries(c)) {
    const g = dict<bigint>();
    for (const [counter, v] of Object.entries(values)) {
      const disk = encodeCounter(v);
      const r = S.CounterValue.safeParse(disk);
      if (r.success) {
        g[counter] = v;
        continue;
      }
      const issue = {
        ...(r.error.issues[0] as unknown as Issue),
        path: ["counters", group, counter],
      };
      const text = describeIssue(issue, { counters: { [group]: { [counter]: disk } } });
      const reason = text.slice(formatPath(issue.path).length + 2);
      warnings.push(
        `${escapeText(source)}: counter ${escapeText(`${group}.${counter}`)} left out: ${reason}`,
      );
    }
    out[group] = g;
  }
  return out;
}

const socketName: Namer<Connection | LsofSocket> = (c) =>
  `socket ${escapeText(`${String(c.protocol)} ${String(c.localAddress)}:${String(c.localPort)}`)}`;
const processName: Namer<ProcessInfo> = (p) =>
  `process ${escapeText(`${String(p.pid)} ${String(p.name)}`)}`;
const routeName: Namer<Route> = (r) => `route ${escapeText(String(r.destination))}`;
const interfaceName: Namer<NetInterface> = (i) => `interface ${escapeText(String(i.name))}`;
const ruleName: Namer<Rule> = (r) => `rule ${escapeText(String(r.priority))}`;
const neighbourName: Namer<Neighbour> = (n) => `neighbour ${escapeText(String(n.address))}`;
const qdiscName: Namer<Qdisc> = (q) =>
  `qdisc ${escapeText(`${String(q.interface)} ${String(q.handle)}`)}`;
const tableName: Namer<FirewallTable> = (t) =>
  `firewall table ${escapeText(`${String(t.family)} ${String(t.name)}`)}`;

/**
 * Holds one input's contribution to the snapshot schema: what the loader would refuse is left
 * out, with a warning (file, line, record, value) added to the contribution's own.
 *
 * @example
 * ```ts
 * import { checkContribution } from "./validate.ts";
 * const c = checkContribution({ counters: { Tcp: { InSegs: 2n ** 70n } }, warnings: [] }, "snmp");
 * c.sectionWarnings?.counters?.[0]; // 'snmp: counter Tcp.InSegs left out: expected integer from -2^63 to 2^64-1 …'
 * ```
 */
export function checkContribution(c: Contribution, source: string): Contribution {
  // What is left out is warned of under the section it would have been in.
  const sectionWarnings: Partial<Record<AnySectionName, string[]>> = {};
  for (const [k, w] of Object.entries(c.sectionWarnings ?? {})) {
    sectionWarnings[k as AnySectionName] = [...w];
  }
  const under = (section: AnySectionName) => (sectionWarnings[section] ??= []);
  // Every list is checked below; anything a later format adds passes through as it is.
  const out: Contribution = { ...c, warnings: [...c.warnings], sectionWarnings };
  const check = <K extends ListKey>(key: K) => {
    const list = c[key] as readonly Item<K>[] | undefined;
    if (list === undefined) return;
    const { schema, name, fast, section } = LISTS[key] as ListCheck<Item<K>>;
    (out as Record<K, Item<K>[]>)[key] = checkRecords(
      schema,
      list,
      source,
      name,
      under(section),
      fast,
    );
  };
  for (const key of Object.keys(LISTS) as ListKey[]) check(key);
  if (c.counters !== undefined) out.counters = checkCounters(c.counters, source, under("counters"));
  if (c.settings !== undefined) out.settings = checkSettings(c.settings, source, under("settings"));
  for (const [k, w] of Object.entries(sectionWarnings)) {
    if (w.length === 0) delete sectionWarnings[k as AnySectionName];
  }
  return out;
}

/** The lists of records a contribution may hold. */
type ListKey =
  | "connections"
  | "lsof"
  | "processes"
  | "routes"
  | "interfaces"
  | "rules"
  | "neighbours"
  | "qdiscs"
  | "firewall";
type Item<K extends ListKey> = NonNullable<Contribution[K]>[number];

/** Every list of records a contribution may hold is in LISTS: this fails to compile otherwise. */
type Unchecked = Exclude<
  {
    [K in keyof Contribution]-?: NonNullable<Contribution[K]> extends readonly unknown[] ? K
      : never;
  }[
    keyof Contribution
  ],
  ListKey | "warnings"
>;
const everyListChecked: [Unchecked] extends [never] ? true : never = true;
void everyListChecked;

/** How one list is checked: its schema, how a warning names a record, a fast accept. */
interface ListCheck<T> {
  /** The section the records belong to (where a left-out one is warned of). */
  section: AnySectionName;
  schema: z.ZodType;
  name: Namer<T>;
  fast?: (record: T) => boolean;
}

const LISTS: { [K in ListKey]: ListCheck<Item<K>> } = {
  connections: {
    section: "connections",
    schema: S.Connection,
    name: socketName,
    fast: (x) => fastConnection(x) !== undefined,
  },
  lsof: { section: "connections", schema: LsofSocketSchema, name: socketName },
  processes: { section: "processes", schema: S.ProcessInfo, name: processName },
  routes: { section: "routes", schema: S.Route, name: routeName },
  interfaces: { section: "interfaces", schema: S.NetInterface, name: interfaceName },
  rules: { section: "rules", schema: S.Rule, name: ruleName },
  neighbours: { section: "neighbours", schema: S.Neighbour, name: neighbourName },
  qdiscs: { section: "qdiscs", schema: S.Qdisc, name: qdiscName },
  firewall: { section: "firewall", schema: S.FirewallTable, name: tableName },
};

/** Settings whose value is no string (none a parser makes) are left out, each with a warning. */
function checkSettings(settings: Settings, source: string, warnings: string[]): Settings {
  const out = dict<string>();
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value === "string") out[name] = value;
    else warnings.push(`${escapeText(source)}: setting ${escapeText(name)} left out: not text`);
  }
  return out;
}
