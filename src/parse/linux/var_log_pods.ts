/**
 * The kubelet's log folders, which name every pod and container on a node without asking the API
 * server:
 * - /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log: one folder per pod, one
 *   inside it per container;
 * - /var/log/containers/<pod>_<namespace>_<container>-<container id>.log: one symbolic link per
 *   container instance, the one place that ties a container id (from the cgroup path) to its name.
 *
 * Pod and namespace names are DNS names (no `_`), uids are 8-4-4-4-12 hex, container ids 64 hex:
 * so both names split without doubt.
 */

/** A pod, from its log folder's name. */
export interface PodLogDir {
  namespace: string;
  pod: string;
  uid: string;
}

/** A container instance, from its /var/log/containers link's name. */
export interface ContainerLogName {
  pod: string;
  namespace: string;
  container: string;
  id: string;
}

const DNS = "[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?";
const POD_DIR = new RegExp(
  `^(${DNS})_(${DNS})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`,
);
const CONTAINER_LOG = new RegExp(`^(${DNS})_(${DNS})_(${DNS})-([0-9a-f]{64})\\.log$`);

/**
 * Reads a /var/log/pods folder name; undefined for any other name.
 *
 * @example
 * ```ts
 * import { parsePodLogDir } from "./var_log_pods.ts";
 * parsePodLogDir("kube-system_coredns-5d78c9869d-x2x4z_0e1c4f7a-3b2d-4c9e-8f1a-2b3c4d5e6f70");
 * // { namespace: "kube-system", pod: "coredns-5d78c9869d-x2x4z", uid: "0e1c4f7a-…" }
 * ```
 */
export function parsePodLogDir(name: string): PodLogDir | undefined {
  const m = POD_DIR.exec(name);
  return m ? { namespace: m[1]!, pod: m[2]!, uid: m[3]! } : undefined;
}

/**
 * Reads a /var/log/containers link name; undefined for any other name.
 *
 * @example
 * ```ts
 * import { parseContainerLogName } from "./var_log_pods.ts";
 * parseContainerLogName(`web-0_shop_nginx-${"a".repeat(64)}.log`)?.container; // "nginx"
 * ```
 */
export function parseContainerLogName(name: string): ContainerLogName | undefined {
  const m = CONTAINER_LOG.exec(name);
  return m ? { pod: m[1]!, namespace: m[2]!, container: m[3]!, id: m[4]! } : undefined;
}
