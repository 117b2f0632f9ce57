/**
 * /proc/[pid]/cgroup: the control groups a process is in, one `hierarchy:controllers:path` line
 * per hierarchy (cgroup v1), or the single `0::path` line of the unified hierarchy (cgroup v2;
 * hybrid hosts have both). Container runtimes and the kubelet name a container's group after the
 * container, so the path says which container a process runs in, without asking any API:
 *
 * | path (last parts)                                              | runtime             |
 * | -------------------------------------------------------------- | ------------------- |
 * | `/docker/<id>` (cgroupfs driver), `docker-<id>.scope` (systemd)  | docker              |
 * | `libpod-<id>.scope`, `/libpod_parent/libpod-<id>`                | podman              |
 * | `cri-containerd-<id>.scope`                                      | containerd (CRI)    |
 * | `crio-<id>.scope`                                                | cri-o               |
 * | `nerdctl-<id>.scope`                                             | containerd          |
 * | `kubepods…/pod<uid>/<id>` (cgroupfs driver: runtime not named)   | (kubernetes)        |
 * | `lxc.payload.<name>`, `/lxc/<name>`                              | lxc                 |
 *
 * A Kubernetes path also carries the pod's uid: `pod<uid>` (cgroupfs) or
 * `kubepods-<qos>-pod<uid with _ for ->.slice` (systemd). The runtimes' monitors
 * (`libpod-conmon-<id>.scope`, `crio-conmon-<id>.scope`) run on the host, not in the container,
 * and are not taken for it.
 */
import { cannotRead, type Parsed, splitLines } from "../text.ts";

/** One line of /proc/[pid]/cgroup. */
export interface CgroupEntry {
  /** Hierarchy id; 0 for the unified (v2) hierarchy. */
  hierarchy: number;
  /** Controllers of the hierarchy (`cpu,cpuacct`, `name=systemd`); empty for v2. */
  controllers: string[];
  /** The group's path, relative to the reader's cgroup namespace root. */
  path: string;
}

/**
 * Reads /proc/[pid]/cgroup; a line that is not `N:controllers:path` is a warning.
 *
 * @example
 * ```ts
 * import { parseProcPidCgroup } from "./proc_pid_cgroup.ts";
 * parseProcPidCgroup("0::/system.slice/docker-1a2b.scope\n", "/proc/9/cgroup").value[0]?.path;
 * // "/system.slice/docker-1a2b.scope"
 * ```
 */
export function parseProcPidCgroup(text: string, source: string): Parsed<CgroupEntry[]> {
  const value: CgroupEntry[] = [];
  const warnings: string[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === "") return;
    const m = /^([0-9]+):([^:]*):(.*)$/.exec(line);
    if (!m) {
      warnings.push(cannotRead(source, i + 1, "cgroup line", line));
      return;
    }
    value.push({
      hierarchy: Number(m[1]),
      controllers: m[2] === "" ? [] : m[2]!.split(","),
      path: m[3]!,
    });
  });
  return { value, warnings };
}

/** Container runtimes a cgroup path can name. */
export type CgroupRuntime = "docker" | "podman" | "containerd" | "cri-o" | "lxc";

/** The container a cgroup path places a process in. */
export interface CgroupContainer {
  /** The runtime, when the path names it (the kubelet's cgroupfs layout does not). */
  runtime?: CgroupRuntime;
  /** The container id (64 hex digits), or the container's name for LXC. */
  id: string;
  /** The Kubernetes pod uid (with dashes), when the path is under kubepods. */
  podUid?: string;
}

const HEX_ID = "[0-9a-f]{64}";
/** Scope units of runtimes that use systemd's cgroup driver: `<prefix>-<id>.scope`. */
const SCOPES: readonly [RegExp, CgroupRuntime][] = [
  [new RegExp(`^docker-(${HEX_ID})\\.scope$`), "docker"],
  [new RegExp(`^libpod-(${HEX_ID})(?:\\.scope)?$`), "podman"],
  [new RegExp(`^cri-containerd-(${HEX_ID})\\.scope$`), "containerd"],
  [new RegExp(`^crio-(${HEX_ID})\\.scope$`), "cri-o"],
  [new RegExp(`^nerdctl-(${HEX_ID})\\.scope$`), "containerd"],
];
const BARE_ID = new RegExp(`^${HEX_ID}$`);
/** `pod<uid>` (cgroupfs) or `kubepods-<qos>-pod<uid_>.slice` (systemd), uid 8-4-4-4-12 hex. */
const POD =
  /(?:^|-)pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$/;

/**
 * The container a cgroup path names, or undefined for a process outside any container (or in a
 * container whose runtime lays groups out in a way not listed above).
 *
 * @example
 * ```ts
 * import { cgroupContainer } from "./proc_pid_cgroup.ts";
 * cgroupContainer("/docker/" + "ab".repeat(32))?.runtime; // "docker"
 * ```
 */
export function cgroupContainer(path: string): CgroupContainer | undefined {
  const parts = path.split("/").filter((p) => p !== "");
  let podUid: string | undefined;
  let inKubepods = false;
  let found: CgroupContainer | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.startsWith("kubepods")) inKubepods = true;
    const pod = inKubepods ? POD.exec(part) : null;
    if (pod) {
      podUid = pod[1]!.replaceAll("_", "-");
      continue;
    }
    let hit: CgroupContainer | undefined;
    for (const [re, runtime] of SCOPES) {
      const m = re.exec(part);
      if (m) hit = { runtime, id: m[1]! };
    }
    if (!hit && BARE_ID.test(part)) {
      const parent = parts[i - 1];
      if (parent === "docker") hit = { runtime: "docker", id: part };
      else if (podUid !== undefined) hit = { id: part };
    }
    if (!hit && part.startsWith("lxc.payload.") && part.length > 12) {
      hit = { runtime: "lxc", id: part.slice(12) };
    }
    if (!hit && parts[i - 1] === "lxc" && i === parts.length - 1) {
      hit = { runtime: "lxc", id: part };
    }
    // The innermost container wins (Docker in Docker nests one group in another).
    if (hit) found = hit;
  }
  if (found && podUid !== undefined) found.podUid = podUid;
  return found;
}

/**
 * The container of a process from all its cgroup lines: the unified hierarchy's path first, then
 * each v1 hierarchy's, the first that names a container.
 */
export function containerOfCgroups(entries: readonly CgroupEntry[]): CgroupContainer | undefined {
  const ordered = [...entries].sort((a, b) => a.hierarchy - b.hierarchy);
  for (const e of ordered) {
    const c = cgroupContainer(e.path);
    if (c) return c;
  }
  return undefined;
}
