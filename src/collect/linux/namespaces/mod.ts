/**
 * The namespaces of a capture across them: discovery (discover.ts), the containers in each
 * (containers.ts), and each one's identity (net/namespaces.ts), as one plan that says, for each
 * namespace, what it is and where to read it.
 *
 * Where a namespace is read:
 * - with a process in it: `/proc/PID/ns/net` of its lowest pid, so that the /proc/net files are
 *   those of /proc/PID/net and netlink enters it by that file;
 * - without one (an `ip netns add` namespace nothing runs in, a sandbox dockerd holds): the file
 *   that holds it (/run/netns/NAME …), over netlink only.
 */
import type { Namespace } from "../../../model.ts";
import { namespaceIdentity, uniqueIds } from "../../../net/namespaces.ts";
import { findContainers } from "./containers.ts";
import { discoverNamespaces, type FoundNamespace } from "./discover.ts";

/** How many pids a namespace lists (the lowest ones); `processes` counts them all. */
const PID_SAMPLE = 16;

/** One namespace to capture: its record (sections to come) and where to read it. */
export interface NamespacePlan {
  record: Namespace;
  found: FoundNamespace;
  /** The namespace file to enter: `/proc/PID/ns/net`, or the file that holds it. */
  netnsPath: string;
  /** A process in it, whose /proc/PID/net files are the namespace's. */
  pid?: number;
}

/** The plan, and what discovery could not do. */
export interface NamespacesPlanned {
  plans: NamespacePlan[];
  /** Processes whose namespace could not be read. */
  denied: number;
  warnings: string[];
  hostInode: number;
  ownInode?: number;
}

/** What planning needs besides the root. */
export interface PlanOptions {
  /** This process, left out of the pid lists (it is in every capture and never the same). */
  selfPid?: number;
}

/**
 * Discovers the namespaces below `root`, names each and says where to read it. Sorted: the
 * host's first, then by id.
 */
export function planNamespaces(root: string, opts: PlanOptions = {}): NamespacesPlanned {
  const d = discoverNamespaces(root);
  const warnings = [...d.warnings];
  const found = findContainers(root, d.namespaces);
  warnings.push(...found.warnings);
  const plans: NamespacePlan[] = [];
  for (const ns of d.namespaces) {
    const containers = found.byInode.get(ns.inode) ?? [];
    const host = ns.inode === d.hostInode;
    const ident = namespaceIdentity({ inode: ns.inode, host, names: ns.names, containers });
    const pids = ns.pids.filter((p) => p !== opts.selfPid);
    const record: Namespace = {
      id: ident.id,
      inode: ns.inode,
      kind: ident.kind,
      labels: ident.labels,
      processes: pids.length,
      pids: pids.slice(0, PID_SAMPLE),
      sections: {},
    };
    if (ns.inode === d.ownInode) record.own = true;
    if (ns.names.length > 0) record.name = ns.names[0]!;
    if (ns.files.length > 0) record.files = [...ns.files];
    if (containers.length > 0) record.containers = containers;
    const pid = ns.pids.find((p) => p !== opts.selfPid) ?? ns.pids[0];
    const plan: NamespacePlan = {
      record,
      found: ns,
      netnsPath: pid !== undefined ? `/proc/${pid}/ns/net` : ns.files[0]!,
    };
    if (pid !== undefined) plan.pid = pid;
    if (ident.kind === "unknown") {
      const who = pids.length
        ? `pids ${pids.slice(0, 3).join(", ")}${pids.length > 3 ? " …" : ""}`
        : "no process";
      warnings.push(
        `namespace ${ident.id} (${who}): nothing names it (no container, no ip netns name)`,
      );
    }
    plans.push(plan);
  }
  const shared = uniqueIds(plans.map((p) => p.record));
  for (const id of shared) {
    warnings.push(`several namespaces are ${id}: the later ones (by inode) are ${id}#2 …`);
  }
  plans.sort((a, b) =>
    (b.record.kind === "host" ? 1 : 0) - (a.record.kind === "host" ? 1 : 0) ||
    (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0)
  );
  const out: NamespacesPlanned = { plans, denied: d.denied, warnings, hostInode: d.hostInode };
  if (d.ownInode !== undefined) out.ownInode = d.ownInode;
  return out;
}
