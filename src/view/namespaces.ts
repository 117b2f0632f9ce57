/**
 * Views of a capture across network namespaces: which namespaces a `--netns` pattern picks, and
 * records grouped by namespace, the snapshot's own (the host's) first, then by id. A snapshot of
 * one namespace is one group without a heading, so every view prints as it always did.
 */
import type { Namespace } from "../model.ts";
import {
  type NamespacedSnapshot,
  namespaceTitle,
  ownNamespaceId,
  recordNamespaceId,
} from "../net/namespaces.ts";

export { namespaceNames, namespacePicker } from "../net/namespaces.ts";

/** Records of one namespace. */
export interface NamespaceGroup<T> {
  /** The namespace's id (`host`, `docker:web`), also for records whose namespace is not listed. */
  id: string;
  /** Its record, when the snapshot lists it. */
  namespace?: Namespace;
  records: T[];
}

/**
 * Groups records by namespace: the snapshot's own first, then the others by id, each group's
 * records in the order given. Without namespaces in the snapshot: one group.
 */
export function groupByNamespace<T extends { namespace?: string | undefined }>(
  snapshot: NamespacedSnapshot,
  records: readonly T[],
): NamespaceGroup<T>[] {
  const own = ownNamespaceId(snapshot);
  const groups = new Map<string, NamespaceGroup<T>>();
  const byId = new Map((snapshot.namespaces ?? []).map((n) => [n.id, n]));
  const group = (id: string) => {
    let g = groups.get(id);
    if (!g) {
      g = { id, records: [] };
      const ns = byId.get(id);
      if (ns) g.namespace = ns;
      groups.set(id, g);
    }
    return g;
  };
  group(own);
  for (const r of records) group(recordNamespaceId(r, snapshot)).records.push(r);
  return [...groups.values()].sort((a, b) =>
    Number(b.id === own) - Number(a.id === own) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** A group's heading: what people call it, its id where that says more, its image and inode. */
export function namespaceHeading(g: NamespaceGroup<unknown>): string {
  const ns = g.namespace;
  if (!ns) return g.id;
  const title = namespaceTitle(ns);
  const plain = ns.kind === "host" || ns.kind === "netns" || ns.kind === "unknown";
  const parts = [plain ? title : `${title} (${ns.id})`];
  if (ns.labels.image) parts.push(`image ${ns.labels.image}`);
  if (ns.inode !== undefined && ns.kind !== "host" && ns.kind !== "unknown") {
    parts.push(`inode ${ns.inode}`);
  }
  return parts.join(", ");
}

/** The people's name of the namespace of a record: `host`, `container web` … */
export function recordNamespaceTitle(
  snapshot: NamespacedSnapshot,
  r: { namespace?: string | undefined },
): string {
  const id = recordNamespaceId(r, snapshot);
  const ns = snapshot.namespaces?.find((n) => n.id === id);
  return ns ? namespaceTitle(ns) : id;
}
