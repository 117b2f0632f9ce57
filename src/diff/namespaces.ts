/**
 * Diffs of captures across network namespaces. Each snapshot is split into one snapshot per
 * namespace (its records, its counters, the shared processes); namespaces are paired by their
 * stable id (`docker:web`, `pod:shop/web-0`: net/namespaces.ts), never by inode, which changes on
 * every restart; each pair is compared section by section as two single-namespace snapshots are,
 * and every change it gives names its namespace (`namespace`, and a summary that starts with the
 * namespace's name: "container web: tcp 0.0.0.0:80 opened by httpd (pid 812), …").
 *
 * Decisions:
 * - A namespace in one snapshot only is `namespace-added` or `namespace-removed`, with the
 *   listeners it has and who reaches them; its records are not listed again one by one.
 * - One id on both sides with another inode is the same thing re-created (`docker rm -f` and
 *   `docker run` of a new version): `namespace-changed` (inode, image), and its listeners are
 *   compared as those of one container — a new pid is `listener-restarted`.
 * - Where only one snapshot holds namespaces, only the snapshots' own namespaces are compared,
 *   with a warning: the other snapshot did not look at the rest.
 * - `--netns` (only) and `--ignore-netns` globs are matched against a namespace's id, container,
 *   `ip netns` and pod names (`namespacePicker`), in both snapshots, before pairing.
 */
import type { Connection, Namespace, SectionName, SectionStatus, Snapshot } from "../model.ts";
import { OPTIONAL_SECTION_NAMES, SECTION_NAMES } from "../model.ts";
import {
  mainContainer,
  namespacePicker,
  namespaceTitle,
  ownNamespaceId,
  recordNamespaceId,
  shortId,
} from "../net/namespaces.ts";
import { publishedText } from "../net/namespace_exposure.ts";
import { endpoint, isListener, listenerKey, type SocketRules } from "../net/sockets.ts";
import type { Change, ChangeOf } from "./types.ts";
import { programName } from "../net/programs.ts";
import { ownerOf } from "./util.ts";

/** One namespace's part of a snapshot, as a snapshot of its own. */
export interface NamespacePart {
  id: string;
  namespace?: Namespace;
  snapshot: Snapshot;
}

/** Which namespaces a diff looks at. */
export interface NamespaceFilter {
  /** Only namespaces matching one of these globs (`--netns`). */
  only?: readonly string[] | undefined;
  /** Leave out namespaces matching one of these globs (`--ignore-netns`). */
  ignore?: readonly string[] | undefined;
}

/** The snapshot's lists whose records may name a namespace. */
const NAMESPACED_LISTS = [
  "connections",
  "unixSockets",
  "rawSockets",
  "packetSockets",
  "routes",
  "interfaces",
  "rules",
  "neighbours",
  "qdiscs",
] as const;

/** One of those lists of a snapshot, typed loosely enough to filter or fill any of them. */
type NamespacedList = Array<{ namespace?: string | undefined }>;

/** List `k` of `s`, if it has one (the lists above share the record shape that matters here). */
function listOf(s: Snapshot, k: typeof NAMESPACED_LISTS[number]): NamespacedList | undefined {
  return (s as unknown as Record<string, NamespacedList | undefined>)[k];
}

/** Sets list `k` of `s`. */
function setList(s: Snapshot, k: typeof NAMESPACED_LISTS[number], xs: NamespacedList): void {
  (s as unknown as Record<string, NamespacedList>)[k] = xs;
}

/** Leaves out the namespaces a filter excludes: their entries and every record in them. */
export function filterNamespaces(s: Snapshot, f: NamespaceFilter): Snapshot {
  if (!s.namespaces || (!f.only?.length && !f.ignore?.length)) return s;
  const only = f.only?.length ? namespacePicker(s, f.only) : () => true;
  const ignored = f.ignore?.length ? namespacePicker(s, f.ignore) : () => false;
  const keep = (id: string) => only(id) && !ignored(id);
  const kept = <T extends { namespace?: string | undefined }>(xs: readonly T[]) =>
    xs.filter((r) => keep(recordNamespaceId(r, s)));
  const out: Snapshot = { ...s, namespaces: s.namespaces.filter((n) => keep(n.id)) };
  for (const k of NAMESPACED_LISTS) {
    const xs = listOf(s, k);
    if (xs) setList(out, k, kept(xs));
  }
  if (s.forwards) {
    out.forwards = s.forwards.filter((x) => x.namespace === undefined || keep(x.namespace));
  }
  if (!keep(ownNamespaceId(s))) out.counters = {};
  return out;
}

/**
 * The snapshot with `namespace` dropped from the records that name its own namespace (a
 * hand-made file may say `host` where a capture leaves it out): both spellings are one listener,
 * route or interface. The snapshot itself when no record does.
 */
export function plainOwnRecords(s: Snapshot): Snapshot {
  const own = ownNamespaceId(s);
  const plain = <T extends { namespace?: string | undefined }>(xs: readonly T[]): T[] | undefined =>
    xs.some((r) => r.namespace === own)
      ? xs.map((r) => {
        if (r.namespace !== own) return r;
        const { namespace: _, ...rest } = r;
        return rest as T;
      })
      : undefined;
  let out: Snapshot | undefined;
  for (const k of NAMESPACED_LISTS) {
    const xs = listOf(s, k);
    const p = xs && plain(xs);
    if (p) setList(out ??= { ...s }, k, p);
  }
  return out ?? s;
}

/** A namespace's section statuses as a snapshot's `meta.sections`. */
function sectionsOf(s: Snapshot, ns: Namespace): Snapshot["meta"]["sections"] {
  const out: Snapshot["meta"]["sections"] = { ...s.meta.sections };
  for (const name of [...SECTION_NAMES, ...OPTIONAL_SECTION_NAMES]) {
    if (name === "processes") continue;
    const st = ns.sections[name];
    if (st === undefined) {
      // A section added within v1 that was not read here is absent, not failed.
      if ((OPTIONAL_SECTION_NAMES as readonly string[]).includes(name)) delete out[name];
      else out[name as SectionName] = { status: "error", error: "not read in this namespace" };
      continue;
    }
    const status: SectionStatus = { status: st.status };
    if (st.warnings) status.warnings = st.warnings;
    if (st.error) status.error = st.error;
    out[name] = status;
  }
  return out;
}

/**
 * Splits a snapshot by namespace: the own namespace's records (no `namespace`) with the
 * top-level counters, settings and firewall, and each other namespace's with its own counters,
 * settings and firewall; processes are shared.
 */
export function splitByNamespace(s: Snapshot): NamespacePart[] {
  const own = ownNamespaceId(s);
  const byId = new Map((s.namespaces ?? []).map((n) => [n.id, n]));
  const parts = new Map<string, NamespacePart>();
  const part = (id: string): NamespacePart => {
    let p = parts.get(id);
    if (p) return p;
    const ns = byId.get(id);
    const mine = id === own || !ns;
    const base: Snapshot = {
      schema: s.schema,
      meta: mine ? s.meta : { ...s.meta, sections: sectionsOf(s, ns) },
      connections: [],
      processes: s.processes,
      routes: [],
      interfaces: [],
      counters: id === own ? s.counters : ns?.counters ?? {},
    };
    const listed = (name: "rules" | "neighbours" | "qdiscs") =>
      id === own ? s[name] !== undefined : ns?.sections[name] !== undefined;
    if (listed("rules")) base.rules = [];
    if (listed("neighbours")) base.neighbours = [];
    if (listed("qdiscs")) base.qdiscs = [];
    // Another namespace's only where the capture read them there (nsnap 0.1.0 did not; a read
    // that failed, or a compact file, has them in error): a part without the lists is not
    // compared in them, as a snapshot without them is not.
    const read = ns?.sections.otherSockets;
    if (
      id === own ||
      (s.meta.capture?.socketLists === "every-namespace" && read !== undefined &&
        read.status !== "error")
    ) {
      if (s.unixSockets) base.unixSockets = [];
      if (s.rawSockets) base.rawSockets = [];
      if (s.packetSockets) base.packetSockets = [];
    }
    if (id === own) {
      if (s.settings !== undefined) base.settings = s.settings;
      if (s.firewall !== undefined) base.firewall = s.firewall;
    } else {
      if (ns?.settings !== undefined) base.settings = ns.settings;
      if (ns?.firewall !== undefined) base.firewall = ns.firewall;
    }
    p = { id, snapshot: base };
    if (ns) p.namespace = ns;
    parts.set(id, p);
    return p;
  };
  part(own);
  for (const n of s.namespaces ?? []) part(n.id);
  // Each record into its namespace's part, in every list that part has (one it lacks was not
  // read there: the record is not compared).
  for (const k of NAMESPACED_LISTS) {
    for (const r of listOf(s, k) ?? []) listOf(part(recordNamespaceId(r, s)).snapshot, k)?.push(r);
  }
  return [...parts.values()].sort((x, y) =>
    Number(y.id === own) - Number(x.id === own) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)
  );
}

/** What a namespace change says of one side of a namespace. */
function namespaceSide(
  part: NamespacePart,
  rules: SocketRules,
): ChangeOf<"namespace-added">["after"] {
  const ns = part.namespace;
  const listeners = part.snapshot.connections.filter((c) => isListener(c, rules)).map((c) => {
    const l: ChangeOf<"namespace-added">["after"]["listeners"][number] = {
      protocol: c.protocol,
      family: c.family,
      address: c.localAddress,
      port: c.localPort,
    };
    const owner = ownerOf(part.snapshot, c);
    if (owner) l.program = programName(owner);
    if (c.pid !== undefined) l.pid = c.pid;
    if (c.exposure) {
      l.exposure = c.exposure.kind;
      if (c.exposure.published?.length) l.published = c.exposure.published.map(publishedText);
    }
    return l;
  }).sort((x, y) =>
    x.protocol.localeCompare(y.protocol) || x.family.localeCompare(y.family) || x.port - y.port ||
    (x.address < y.address ? -1 : x.address > y.address ? 1 : 0) || (x.pid ?? -1) - (y.pid ?? -1) ||
    (x.program ?? "").localeCompare(y.program ?? "")
  );
  const side: ChangeOf<"namespace-added">["after"] = {
    id: part.id,
    kind: ns?.kind ?? "unknown",
    title: ns ? namespaceTitle(ns) : part.id,
    listeners,
  };
  if (ns?.inode !== undefined) side.inode = ns.inode;
  if (ns?.labels.image) side.image = ns.labels.image;
  return side;
}

/** `tcp 0.0.0.0:80 (published on host 127.0.0.1:8081)`, a few, then how many more. */
function listenersText(side: ChangeOf<"namespace-added">["after"], verb = "listens on"): string {
  const words = side.listeners.map((l) => {
    const reach = l.published?.length
      ? `published on host ${l.published.join(", ")}`
      : l.exposure ?? "";
    return `${l.protocol} ${endpoint(l.address, l.port)}${reach ? ` (${reach})` : ""}`;
  });
  if (words.length === 0) return "no listeners";
  const shown = words.slice(0, 4).join(", ");
  return `${verb} ${words.length > 4 ? `${shown} and ${words.length - 4} more` : shown}`;
}

/** True when some listener is published on a host address other than loopback. */
function publishesBeyondLoopback(published: readonly string[] | undefined): boolean {
  return (published ?? []).some((p) => !/^(127\.|\[::1\])/.test(p));
}

function verbs(kind: string): { started: string; stopped: string } {
  return kind === "docker" || kind === "podman" || kind === "container" || kind === "pod"
    ? { started: "started", stopped: "stopped" }
    : { started: "appeared", stopped: "went away" };
}

/** The id of the container that made a namespace (net/namespaces.ts's rule). */
function mainContainerId(ns: Namespace | undefined): string | undefined {
  return ns?.containers ? mainContainer(ns.containers)?.id : undefined;
}

/**
 * True when a namespace of one identity is another instance on the two sides: its inode, or the
 * id of the container that made it, changed (the kernel may hand a new namespace the inode of one
 * just freed). Its counters then start anew and are not compared.
 */
export function recreated(a: NamespacePart, b: NamespacePart): boolean {
  const ia = a.namespace?.inode, ib = b.namespace?.inode;
  if (ia !== undefined && ib !== undefined && ia !== ib) return true;
  const ca = mainContainerId(a.namespace), cb = mainContainerId(b.namespace);
  return ca !== undefined && cb !== undefined && ca !== cb;
}

/** The namespace-added, -removed and -changed changes of two split snapshots. */
export function diffNamespaceSet(
  before: readonly NamespacePart[],
  after: readonly NamespacePart[],
  rules: { before: SocketRules; after: SocketRules },
): Change[] {
  const out: Change[] = [];
  const a = new Map(before.map((p) => [p.id, p]));
  const b = new Map(after.map((p) => [p.id, p]));
  for (const [id, pb] of b) {
    const pa = a.get(id);
    const sb = namespaceSide(pb, rules.after);
    if (!pa) {
      const c: ChangeOf<"namespace-added"> = {
        kind: "namespace-added",
        section: "namespaces",
        key: { namespace: id },
        after: sb,
        summary: `${sb.title} ${verbs(sb.kind).started}: ${listenersText(sb)}`,
      };
      if (sb.listeners.some((l) => publishesBeyondLoopback(l.published))) c.notable = true;
      out.push(c);
      continue;
    }
    const sa = namespaceSide(pa, rules.before);
    const changed: ChangeOf<"namespace-changed">["changed"] = [];
    const words: string[] = [];
    const ca = mainContainerId(pa.namespace), cb = mainContainerId(pb.namespace);
    const how: string[] = [];
    if (sa.inode !== undefined && sb.inode !== undefined && sa.inode !== sb.inode) {
      changed.push("inode");
      how.push(`inode ${sa.inode} → ${sb.inode}`);
    }
    if (ca !== undefined && cb !== undefined && ca !== cb) {
      changed.push("container");
      how.push(`container ${shortId(ca)} → ${shortId(cb)}`);
    }
    if (how.length) words.push(`re-created (${how.join(", ")}; its counters start anew)`);
    if ((sa.image ?? "") !== (sb.image ?? "")) {
      changed.push("image");
      words.push(`image ${sa.image ?? "unknown"} → ${sb.image ?? "unknown"}`);
    }
    const ids = (p: NamespacePart) =>
      [...new Set((p.namespace?.containers ?? []).map((c) => c.name ?? shortId(c.id)))].sort()
        .join(",");
    if (ids(pa) !== ids(pb)) {
      changed.push("containers");
      words.push(`containers ${ids(pa) || "none"} → ${ids(pb) || "none"}`);
    }
    if (changed.length > 0) {
      out.push({
        kind: "namespace-changed",
        section: "namespaces",
        key: { namespace: id },
        before: sa,
        after: sb,
        changed,
        summary: `${sb.title} ${words.join(", ")}`,
      });
    }
  }
  for (const [id, pa] of a) {
    if (b.has(id)) continue;
    const sa = namespaceSide(pa, rules.before);
    out.push({
      kind: "namespace-removed",
      section: "namespaces",
      key: { namespace: id },
      before: sa,
      summary: `${sa.title} ${verbs(sa.kind).stopped}: ${listenersText(sa, "listened on")}`,
    });
  }
  const id = (c: Change) => (c.key as { namespace: string }).namespace;
  return out.sort((x, y) => id(x) < id(y) ? -1 : id(x) > id(y) ? 1 : 0);
}

/** A listener's exposure on one side, as listener-publish-changed reports it. */
function publishSide(c: Connection): PublishSide | undefined {
  if (!c.exposure) return undefined;
  const s: PublishSide = { exposure: c.exposure.kind };
  if (c.exposure.published?.length) s.published = c.exposure.published.map(publishedText);
  return s;
}

type PublishSide = ChangeOf<"listener-publish-changed">["after"];

function publishText(x: PublishSide): string {
  return `${x.exposure} ${(x.published ?? []).join(",")}`;
}

/**
 * Each listener's exposure, by listener key: that of the instance whose exposure reads first, so
 * that neither the order of the list nor SO_REUSEPORT instances that disagree (a hand-made file)
 * change the answer. Listeners without an exposure are left out.
 */
function publishSides(
  s: Snapshot,
  rules: SocketRules,
): Map<string, { c: Connection; side: PublishSide; text: string }> {
  const out = new Map<string, { c: Connection; side: PublishSide; text: string }>();
  for (const c of s.connections) {
    if (!isListener(c, rules)) continue;
    const side = publishSide(c);
    if (!side) continue;
    const k = listenerKey(c), text = publishText(side);
    const had = out.get(k);
    if (!had || text < had.text) out.set(k, { c, side, text });
  }
  return out;
}

/**
 * Listeners of one namespace present in both snapshots whose exposure across namespaces
 * changed: published on other host ports, no longer, or now.
 */
export function diffPublishing(
  a: Snapshot,
  b: Snapshot,
  rules: { before: SocketRules; after: SocketRules },
): ChangeOf<"listener-publish-changed">[] {
  const before = publishSides(a, rules.before);
  const out: ChangeOf<"listener-publish-changed">[] = [];
  for (const [k, { c, side: sb, text }] of publishSides(b, rules.after)) {
    const old = before.get(k);
    if (!old || old.text === text) continue;
    const sa = old.side;
    const now = sb.published?.length
      ? `published on host ${sb.published.join(", ")}`
      : sb.exposure === "internal"
      ? "internal only"
      : sb.exposure;
    const was = sa.published?.length ? `published on host ${sa.published.join(", ")}` : sa.exposure;
    const change: ChangeOf<"listener-publish-changed"> = {
      kind: "listener-publish-changed",
      section: "listeners",
      key: { protocol: c.protocol, family: c.family, address: c.localAddress, port: c.localPort },
      before: sa,
      after: sb,
      summary: `${c.protocol} ${endpoint(c.localAddress, c.localPort)} now ${now}, was ${was}`,
    };
    const fresh = (sb.published ?? []).filter((p) => !(sa.published ?? []).includes(p));
    if (publishesBeyondLoopback(fresh)) change.notable = true;
    out.push(change);
  }
  return out;
}

/**
 * Names the namespace in a change of another namespace than the snapshots' own: its id in
 * `namespace`, its name first in the summary, and who reaches a listener that opened.
 */
export function tagChange(change: Change, part: NamespacePart, after: Snapshot): Change {
  const title = part.namespace ? namespaceTitle(part.namespace) : part.id;
  const tagged = { ...change, namespace: part.id, summary: `${title}: ${change.summary}` };
  if (change.kind === "listener-opened") {
    const k = change.key;
    const c = after.connections.find((x) =>
      x.protocol === k.protocol && x.family === k.family && x.localAddress === k.address &&
      x.localPort === k.port && x.exposure !== undefined
    );
    if (c?.exposure) tagged.summary += `; ${c.exposure.summary}`;
  }
  return tagged as Change;
}
