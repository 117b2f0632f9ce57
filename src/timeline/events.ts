/**
 * The roll-up of a timeline: every thing that changed during the series (a listener, a route, an
 * interface, a setting), with each of its changes in order and one line that tells its story —
 * "listener tcp 0.0.0.0:9200 (python3) opened at 10:42:10, closed at 10:44:30".
 *
 * Decisions:
 * - A thing is the section, the namespace and the key of its changes (as the diff keys them:
 *   a change in another network namespace than the snapshots' own carries its `namespace`), so
 *   the opening and the closing of one listener are one event, and port 80 of container web is
 *   another thing than port 80 of the host; an exposure change is keyed by port and program, as
 *   the diff keys it, and so is an event of its own. A namespace appearing and going
 *   (`namespace-added`, `-removed`) is an event of the namespace.
 * - Sessions opening and closing and counters moving are not events: they are counted and rated
 *   per step. Their notable signs are events: connection attempts left unanswered, a TCP state
 *   building up, an interface counting errors or drops, a counter reset, a setting changed.
 * - Events are listed in the order their first change happened (ties: as the diff orders them).
 */
import { describeRoute } from "../diff/routes.ts";
import type { Change, ChangeKind, DiffSection } from "../diff/types.ts";
import type { Route } from "../model.ts";
import { endpoint } from "../net/sockets.ts";

/** One change in an event's history. */
export interface EventEntry {
  /** The step it happened in (index into the timeline's steps). */
  step: number;
  /** Capture time of the snapshot where it was first seen. */
  at: string;
  kind: ChangeKind;
  /** The change's own one-line summary. */
  summary: string;
}

/** Everything that happened to one thing during the series. */
export interface TimelineEvent {
  section: DiffSection;
  /** What the thing is, in words ("listener tcp 0.0.0.0:9200 (python3)"). */
  subject: string;
  /** The key of its changes, as in `nsnap-diff/v1`. */
  key: Record<string, unknown>;
  /** The namespace it is in, where not the snapshots' own (as in `nsnap-diff/v1`). */
  namespace?: string;
  history: EventEntry[];
  /** The story in one line: the subject, then what happened and when. */
  summary: string;
}

/** The most changes a story tells one by one. */
const STORY_LENGTH = 8;

/** Kinds that are counted or rated per step instead of being events. */
const NOT_EVENTS: ReadonlySet<ChangeKind> = new Set<ChangeKind>([
  "session-opened",
  "session-closed",
  "session-half-closed",
  "counter-increased",
  "gauge-changed",
]);

/** True for a change the roll-up follows. */
export function isEventChange(c: Change): boolean {
  if (NOT_EVENTS.has(c.kind)) return false;
  return c.kind !== "interface-traffic" || c.notable === true;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What happened, as a verb phrase for the story. */
function verb(c: Change): string {
  switch (c.kind) {
    case "listener-opened":
      return "opened";
    case "listener-closed":
      return "closed";
    case "listener-owner-changed":
      return `taken over by ${c.after.program ?? "an unknown program"}`;
    case "listener-restarted":
      return "restarted";
    case "listener-instance-added":
      return `gained ${plural(c.count, "socket")}`;
    case "listener-instance-removed":
      return `lost ${plural(c.count, "socket")}`;
    case "listener-exposure-changed":
      return c.exposure === "moved"
        ? `moved to ${c.after.address}`
        : `${c.exposure} to ${c.after.address}`;
    case "unix-listener-opened":
    case "raw-socket-opened":
    case "packet-socket-opened":
      return "opened";
    case "unix-listener-closed":
    case "raw-socket-closed":
    case "packet-socket-closed":
      return "closed";
    case "unix-listener-owner-changed":
      return `taken over by ${c.after.program ?? "an unknown program"}`;
    case "unix-listener-restarted":
      return "restarted";
    case "listener-queue-full":
      return `had its accept queue at ${c.queue} of ${c.limit}`;
    case "session-retransmits":
      return `retransmitted ${c.retransmits} segments`;
    case "session-rtt-changed":
      return `saw its round-trip time go to ${(c.after.rttUs / 1000).toFixed(1)} ms`;
    case "session-unanswered":
      return "left unanswered";
    case "session-state-buildup":
      return `built up to ${c.after.count}`;
    case "route-added":
      return "added";
    case "route-removed":
      return "removed";
    case "route-changed":
      return `changed (${c.changed.join(", ")})`;
    case "interface-added":
      return "appeared";
    case "interface-removed":
      return "went away";
    case "interface-renamed":
      return `renamed to ${c.after.name}`;
    case "interface-changed":
      return "changed";
    case "interface-traffic":
      return c.reset ? "restarted its counters" : "counted errors or drops";
    case "counter-reset":
      return c.key.group === "*" ? "reset (the host rebooted)" : "went backwards";
    case "setting-changed":
    case "sysctl-changed":
      return `${c.before} → ${c.after}`;
    case "namespace-added":
      return "appeared";
    case "namespace-removed":
      return "went away";
    case "namespace-changed":
      return "was re-created";
    case "rule-added":
    case "neighbour-added":
    case "qdisc-added":
    case "firewall-rule-added":
    case "firewall-chain-added":
      return "added";
    case "rule-removed":
    case "neighbour-removed":
    case "qdisc-removed":
    case "firewall-rule-removed":
    case "firewall-chain-removed":
      return "removed";
    case "neighbour-failed":
      return "failed to resolve";
    case "qdisc-drops":
      return "dropped packets";
    case "conntrack-near-limit":
      return "near its limit";
    default:
      return c.kind;
  }
}

function program(c: Change): string | undefined {
  const side = (x: unknown) => (x as { program?: string } | undefined)?.program;
  return side((c as { after?: unknown }).after) ?? side((c as { before?: unknown }).before);
}

/** What the change is about, without what happened to it (and in which namespace). */
function subjectOf(c: Change): string {
  const where = c.namespace === undefined ? "" : ` in ${c.namespace}`;
  return `${thingOf(c)}${where}`;
}

function thingOf(c: Change): string {
  const k = c.key as Record<string, string | number | boolean | undefined>;
  switch (c.section) {
    case "namespaces": {
      const side = (c as { after?: { title?: string } }).after ??
        (c as { before?: { title?: string } }).before;
      const id = String(k.namespace);
      // "netns blue", "container web": the id adds a word only when the title lacks its name.
      if (!side?.title) return `namespace ${id}`;
      return side.title.includes(id.replace(/^[a-z]+:/, "")) ? side.title : `${side.title} (${id})`;
    }
    case "listeners": {
      if (k.path !== undefined) {
        const p = program(c);
        return `UNIX listener ${String(k.path)}${p ? ` (${p})` : ""}`;
      }
      const where = k.address === undefined
        ? `${k.protocol} port ${k.port}`
        : `${k.protocol} ${endpoint(String(k.address), Number(k.port))}`;
      const p = program(c);
      return `listener ${where}${p ? ` (${p})` : ""}`;
    }
    case "sessions": {
      if (k.state !== undefined) return `TCP ${k.state} sockets`;
      if (k.direction === "inbound") {
        return `${k.protocol} connections from ${String(k.remoteAddress)} to port ${k.localPort}`;
      }
      return `${k.protocol} connections to ${
        endpoint(String(k.remoteAddress), Number(k.remotePort))
      }`;
    }
    case "sockets": {
      const what = k.ipProtocol !== undefined
        ? `raw socket (IP protocol ${k.ipProtocol})`
        : `packet socket (${k.type}, protocol ${k.protocol})`;
      const dev = k.interface === undefined ? "" : ` on ${String(k.interface)}`;
      return `${what}${dev} of ${k.program === "" ? "an unknown program" : String(k.program)}`;
    }
    case "routes": {
      const r = ((c as { after?: Route }).after ?? (c as { before?: Route }).before)!;
      return `route ${describeRoute(r, false)}`;
    }
    case "rules":
      return `rule ${k.priority}: ${String(k.match)} (${k.family})`;
    case "neighbours":
      return `neighbour ${String(k.address)} on ${String(k.interface)}`;
    case "interfaces":
      return `interface ${String(k.interface)}`;
    case "qdiscs":
      return `qdisc ${String(k.parent)} on ${String(k.interface)}`;
    case "firewall": {
      const chain = `${k.family} ${k.table} ${k.chain}`;
      return k.rule === undefined ? `chain ${chain}` : `rule "${String(k.rule)}" in ${chain}`;
    }
    case "settings":
      return `setting ${String(k.name)}`;
    case "counters":
      return k.group === "*" ? "counters" : `${k.group}.${k.name}`;
  }
}

function keyText(c: Change): string {
  return `${c.section} ${c.namespace ?? ""} ${JSON.stringify(c.key)}`;
}

/**
 * Collects the events of a series step by step, then tells each one's story.
 *
 * @example
 * ```ts
 * import type { Change } from "../diff/types.ts";
 * import { EventRollup } from "./events.ts";
 * declare const opened: Change, closed: Change;
 * const r = new EventRollup();
 * r.add(0, "2026-03-01T10:42:10.000Z", opened);
 * r.add(3, "2026-03-01T10:44:30.000Z", closed);
 * r.events((iso) => iso.slice(11, 19))[0]?.summary;
 * // "listener tcp 0.0.0.0:9200 (python3) opened at 10:42:10, closed at 10:44:30"
 * ```
 */
export class EventRollup {
  #events = new Map<string, TimelineEvent>();
  /** Each entry's verb phrase, kept until the story is told. */
  #verbs = new WeakMap<EventEntry, string>();

  /** Adds a change of step `step` (captured at `at`), when it is one the roll-up follows. */
  add(step: number, at: string, c: Change): void {
    if (!isEventChange(c)) return;
    const id = keyText(c);
    let e = this.#events.get(id);
    if (e === undefined) {
      e = {
        section: c.section,
        subject: subjectOf(c),
        key: c.key as Record<string, unknown>,
        history: [],
        summary: "",
      };
      if (c.namespace !== undefined) e.namespace = c.namespace;
      this.#events.set(id, e);
    } else if (c.section === "listeners" && program(c) !== undefined) {
      e.subject = subjectOf(c); // the owner may be known only later
    }
    const entry: EventEntry = { step, at, kind: c.kind, summary: c.summary };
    e.history.push(entry);
    this.#verbs.set(entry, verb(c));
  }

  /** The events in the order they began, each with its story told with `time` for the times. */
  events(time: (iso: string) => string): TimelineEvent[] {
    const out = [...this.#events.values()];
    for (const e of out) {
      const part = (h: EventEntry) => `${this.#verbs.get(h) ?? h.kind} at ${time(h.at)}`;
      const h = e.history;
      // A thing that flapped all along: its first changes, how many more, and its last.
      const parts = h.length <= STORY_LENGTH ? h.map(part) : [
        ...h.slice(0, STORY_LENGTH - 2).map(part),
        `${h.length - STORY_LENGTH + 1} more`,
        part(h.at(-1)!),
      ];
      e.summary = `${e.subject} ${parts.join(", ")}`;
    }
    return out;
  }

  /** How many events there are. */
  get size(): number {
    return this.#events.size;
  }
}
