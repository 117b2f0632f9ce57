/**
 * What a network namespace is to nsnap: its stable identity, the words people read for it, and
 * which namespace a record of a snapshot belongs to. Defined once here and used by capture, diff,
 * show, port, check and the report alike.
 *
 * Identity. A namespace's inode changes every time a container restarts, so snapshots pair
 * namespaces by an id made from what names them, tried in this order (the first that applies):
 *
 * | order | applies when                                     | id                              |
 * | ----- | ------------------------------------------------ | ------------------------------- |
 * | 1     | it is the initial namespace (the host's)         | `host`                          |
 * | 2     | a container in it belongs to a Kubernetes pod    | `pod:NAMESPACE/POD`             |
 * | 3     | its Docker container has compose labels          | `compose:PROJECT/SERVICE[/N]`   |
 * | 4     | a Docker container holds it                      | `docker:NAME`                   |
 * | 5     | a Podman container holds it                      | `podman:NAME`                   |
 * | 6     | another runtime's container holds it             | `container:RUNTIME/NAME-or-ID`  |
 * | 7     | it has an `ip netns` name                        | `netns:NAME`                    |
 * | 8     | nothing names it                                 | `inode:N`                       |
 *
 * The container that names a namespace is the one that made it: containers joined to another's
 * (`--network container:web`) and a pod's sandbox are passed over when another is there; among
 * equals the lowest name wins. A container name beats an `ip netns` name because a runtime picks
 * the name anew for every instance, while a name given by `ip netns attach` is an afterthought.
 * Two namespaces that come out with one id (a pod's old namespace still held while its new one
 * starts) keep it in inode order, the later ones with `#2`, `#3` … added; the capture warns.
 */
import type { Namespace, NamespaceContainer, NamespaceKind } from "../model.ts";
import { globToRegExp } from "./glob.ts";

/** What the capture found out about one namespace, for `namespaceIdentity()`. */
export interface NamespaceFacts {
  inode?: number;
  /** True for the initial network namespace. */
  host: boolean;
  /** Its `ip netns` names (/run/netns/NAME), sorted. */
  names: readonly string[];
  /** The containers whose processes are in it (or whose runtime says it holds it). */
  containers: readonly NamespaceContainer[];
}

/** A namespace's identity: the id, the kind, and the labels people and globs read. */
export interface NamespaceIdentity {
  id: string;
  kind: NamespaceKind;
  labels: Record<string, string>;
}

/** The container that made the namespace, by the rule in the header. */
export function mainContainer(
  containers: readonly NamespaceContainer[],
): NamespaceContainer | undefined {
  const rank = (c: NamespaceContainer) =>
    (c.networkMode?.startsWith("container:") ? 2 : 0) + (c.name === undefined ? 1 : 0);
  return [...containers].sort((a, b) =>
    rank(a) - rank(b) || compareText(a.name ?? a.id, b.name ?? b.id)
  )[0];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The short form of a container id, as `docker ps` prints it. */
export function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

/**
 * The identity of a namespace from its facts, by the precedence in the header.
 *
 * @example
 * ```ts
 * import { namespaceIdentity } from "./namespaces.ts";
 * namespaceIdentity({ host: false, names: ["blue"], containers: [] }).id; // "netns:blue"
 * ```
 */
export function namespaceIdentity(f: NamespaceFacts): NamespaceIdentity {
  const labels: Record<string, string> = {};
  if (f.names.length > 0) labels.netns = f.names.join(",");
  if (f.host) return { id: "host", kind: "host", labels };
  const podded = f.containers.filter((c) => c.pod !== undefined && c.podNamespace !== undefined);
  if (podded.length > 0) {
    const first = podded[0]!;
    labels.pod = first.pod!;
    labels.podNamespace = first.podNamespace!;
    const names = [...new Set(podded.map((c) => c.name).filter((n) => n !== undefined))].sort();
    if (names.length > 0) labels.container = names.join(",");
    const images = [...new Set(podded.map((c) => c.image).filter((n) => n !== undefined))].sort();
    if (images.length > 0) labels.image = images.join(",");
    if (first.runtime) labels.runtime = first.runtime;
    return { id: `pod:${first.podNamespace}/${first.pod}`, kind: "pod", labels };
  }
  const main = mainContainer(f.containers);
  if (main !== undefined) {
    labels.runtime = main.runtime;
    if (main.name !== undefined) labels.container = main.name;
    if (main.image !== undefined) labels.image = main.image;
    const label = main.name ?? shortId(main.id);
    if (main.runtime === "docker") {
      if (main.compose) {
        labels.composeProject = main.compose.project;
        labels.composeService = main.compose.service;
        const n = main.compose.number;
        if (n !== undefined) labels.composeNumber = String(n);
        const id = `compose:${main.compose.project}/${main.compose.service}` +
          (n === undefined ? "" : `/${n}`);
        return { id, kind: "docker", labels };
      }
      return { id: `docker:${label}`, kind: "docker", labels };
    }
    if (main.runtime === "podman") return { id: `podman:${label}`, kind: "podman", labels };
    return { id: `container:${main.runtime}/${label}`, kind: "container", labels };
  }
  if (f.names.length > 0) return { id: `netns:${f.names[0]}`, kind: "netns", labels };
  return { id: `inode:${f.inode ?? "?"}`, kind: "unknown", labels };
}

/**
 * Makes ids unique: namespaces that share one keep it in the order given (inode order), the
 * later ones with `#2`, `#3` …; returns the ids that were shared.
 */
export function uniqueIds(items: { id: string }[]): string[] {
  const seen = new Map<string, number>();
  const shared: string[] = [];
  for (const it of items) {
    const n = (seen.get(it.id) ?? 0) + 1;
    seen.set(it.id, n);
    if (n === 2) shared.push(it.id);
    if (n > 1) it.id = `${it.id}#${n}`;
  }
  return shared;
}

/** The words people read for a namespace: `host`, `container web`, `pod shop/web-0` … */
export function namespaceTitle(ns: Pick<Namespace, "id" | "kind" | "labels" | "name">): string {
  const l = ns.labels;
  switch (ns.kind) {
    case "host":
      return "host";
    case "pod":
      return `pod ${l.podNamespace}/${l.pod}${l.container ? ` (${l.container})` : ""}`;
    case "docker":
    case "podman":
    case "container":
      return `container ${l.container ?? ns.id.replace(/^[a-z]+:/, "")}`;
    case "netns":
      return `netns ${ns.name ?? ns.id.replace(/^netns:/, "")}`;
    default:
      return `namespace ${ns.id}`;
  }
}

/** The namespace reference of a record: its `namespace`, or undefined for the snapshot's own. */
export function namespaceOf(r: { namespace?: string | undefined }): string | undefined {
  return r.namespace;
}

/**
 * Puts a record's namespace in front of a key, so that keys stay as they were for the snapshot's
 * own namespace and differ for the same listener, route or interface in another one.
 *
 * @example
 * ```ts
 * import { namespacedKey } from "./namespaces.ts";
 * namespacedKey({ namespace: "docker:web" }, "tcp inet 0.0.0.0 80"); // "docker:web|tcp inet 0.0.0.0 80"
 * namespacedKey({}, "tcp inet 0.0.0.0 80"); // "tcp inet 0.0.0.0 80"
 * ```
 */
export function namespacedKey(r: { namespace?: string | undefined }, key: string): string {
  return r.namespace === undefined ? key : `${r.namespace}|${key}`;
}

/** The namespaces of a snapshot by id, or an empty map for a single-namespace snapshot. */
export function namespaceIndex(
  s: { namespaces?: readonly Namespace[] | undefined },
): Map<string, Namespace> {
  return new Map((s.namespaces ?? []).map((n) => [n.id, n]));
}

/** What the namespace helpers read of a snapshot. */
export interface NamespacedSnapshot {
  namespaces?: readonly Namespace[] | undefined;
  meta?: { netns?: { id?: string | undefined } | undefined } | undefined;
}

/** The id of a snapshot's own namespace (records without `namespace`): `host` unless it says. */
export function ownNamespaceId(s: NamespacedSnapshot): string {
  return s.namespaces?.find((n) => n.own)?.id ?? s.meta?.netns?.id ?? "host";
}

/**
 * The id of the namespace a record is in: its `namespace`, or the snapshot's own namespace id
 * (what `--netns` and `--ignore-netns` globs are matched against).
 */
export function recordNamespaceId(
  r: { namespace?: string | undefined },
  s: NamespacedSnapshot,
): string {
  return r.namespace ?? ownNamespaceId(s);
}

/** The names a `--netns` pattern is matched against: id, container, `ip netns` name, pod. */
export function namespaceNames(ns: Namespace): string[] {
  const names = [ns.id];
  const l = ns.labels;
  if (l.container) names.push(...l.container.split(","));
  if (ns.name) names.push(ns.name);
  if (l.pod && l.podNamespace) names.push(`${l.podNamespace}/${l.pod}`);
  if (ns.inode !== undefined) names.push(String(ns.inode));
  return names;
}

/**
 * A test of namespace ids against `--netns` globs: a namespace is picked when any of its names
 * (`namespaceNames`) matches any glob. No globs: every namespace.
 */
export function namespacePicker(
  snapshot: NamespacedSnapshot,
  globs: readonly string[] | undefined,
): (id: string) => boolean {
  if (!globs || globs.length === 0) return () => true;
  const res = globs.map(globToRegExp);
  const byId = new Map((snapshot.namespaces ?? []).map((n) => [n.id, n]));
  const own = ownNamespaceId(snapshot);
  const cache = new Map<string, boolean>();
  return (id) => {
    let hit = cache.get(id);
    if (hit === undefined) {
      const ns = byId.get(id);
      const names = ns ? namespaceNames(ns) : [id];
      if (id === own && !names.includes("host") && !ns) names.push("host");
      hit = names.some((n) => res.some((re) => re.test(n)));
      cache.set(id, hit);
    }
    return hit;
  };
}
