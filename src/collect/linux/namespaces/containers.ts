/**
 * Which containers run in each network namespace, from what the host can read without asking
 * any daemon or API server: each process's cgroup path names its container (and pod), and the
 * runtimes' and the kubelet's files name the container:
 *
 * | runtime            | files read                                                              |
 * | ------------------ | ----------------------------------------------------------------------- |
 * | Docker             | /var/lib/docker/containers/ID/config.v2.json, hostconfig.json            |
 * | Podman             | /var/lib/containers/storage/overlay-containers/{,volatile-}containers.json |
 * | CRI-O              | …/overlay-containers/ID/userdata/config.json (/var/lib and /run)         |
 * | containerd         | /run/containerd/io.containerd.runtime.v2.task/NAMESPACE/ID/config.json   |
 * | Kubernetes (any)   | /var/log/pods/NS_POD_UID/, /var/log/containers/POD_NS_NAME-ID.log        |
 *
 * Decisions:
 * - Every file is read at most once per capture (the indexes by listing their folder once).
 * - A container whose files cannot be read keeps its runtime and id, with a warning; one whose
 *   files are missing (a runtime that keeps them elsewhere) likewise. Nothing is guessed.
 * - A Kubernetes container whose runtime the cgroup path does not name (the kubelet's cgroupfs
 *   layout) is given the runtime whose files know it, else `kubernetes`.
 */
import { readdirSync } from "node:fs";
import type { NamespaceContainer } from "../../../model.ts";
import { parseDockerConfigV2 } from "../../../parse/linux/docker_config_v2_json.ts";
import { parseDockerHostConfig } from "../../../parse/linux/docker_hostconfig_json.ts";
import { type OciKubernetes, parseOciConfig } from "../../../parse/linux/oci_config_json.ts";
import {
  parseStorageContainers,
  type StorageContainer,
} from "../../../parse/linux/podman_containers_json.ts";
import {
  type CgroupContainer,
  containerOfCgroups,
  parseProcPidCgroup,
} from "../../../parse/linux/proc_pid_cgroup.ts";
import {
  parseContainerLogName,
  parsePodLogDir,
  type PodLogDir,
} from "../../../parse/linux/var_log_pods.ts";
import type { Parsed } from "../../../parse/text.ts";
import { readText, under } from "../files.ts";

const DOCKER = "/var/lib/docker/containers";
const STORAGE = [
  "/var/lib/containers/storage/overlay-containers",
  "/run/containers/storage/overlay-containers",
];
const CONTAINERD_TASKS = "/run/containerd/io.containerd.runtime.v2.task";

/** The lazily read indexes of one capture. */
class Lookups {
  #storage: Map<string, StorageContainer> | undefined;
  #pods: Map<string, PodLogDir> | undefined;
  #logNames: Map<string, string> | undefined;
  #containerdNamespaces: string[] | undefined;

  constructor(readonly root: string, readonly warnings: string[]) {}

  /** Reads a file with a parser; undefined (and a warning) when it cannot be read or parsed. */
  read<T>(path: string, parse: (text: string, source: string) => Parsed<T>, quiet = false) {
    const text = readText(under(this.root, path), quiet ? undefined : this.warnings);
    if (text === undefined) return undefined;
    try {
      const p = parse(text, path);
      this.warnings.push(...p.warnings);
      return p.value;
    } catch (err) {
      this.warnings.push((err as Error).message);
      return undefined;
    }
  }

  list(dir: string): string[] {
    try {
      return readdirSync(under(this.root, dir));
    } catch {
      return [];
    }
  }

  storage(id: string): StorageContainer | undefined {
    if (!this.#storage) {
      this.#storage = new Map();
      for (const dir of STORAGE) {
        for (const file of ["containers.json", "volatile-containers.json"]) {
          const path = `${dir}/${file}`;
          if (!this.list(dir).includes(file)) continue;
          for (const c of this.read(path, parseStorageContainers) ?? []) this.#storage.set(c.id, c);
        }
      }
    }
    return this.#storage.get(id);
  }

  pod(uid: string): PodLogDir | undefined {
    if (!this.#pods) {
      this.#pods = new Map();
      for (const name of this.list("/var/log/pods")) {
        const p = parsePodLogDir(name);
        if (p) this.#pods.set(p.uid, p);
      }
    }
    return this.#pods.get(uid);
  }

  /** A Kubernetes container's name from /var/log/containers, by container id. */
  logName(id: string): string | undefined {
    if (!this.#logNames) {
      this.#logNames = new Map();
      for (const name of this.list("/var/log/containers")) {
        const c = parseContainerLogName(name);
        if (c) this.#logNames.set(c.id, c.container);
      }
    }
    return this.#logNames.get(id);
  }

  /** The Kubernetes facts of a CRI container from its bundle's annotations. */
  annotations(id: string): { runtime: string; k8s: OciKubernetes } | undefined {
    for (const dir of STORAGE) {
      const path = `${dir}/${id}/userdata/config.json`;
      if (!this.list(`${dir}/${id}/userdata`).includes("config.json")) continue;
      const k8s = this.read(path, parseOciConfig);
      if (k8s) return { runtime: "cri-o", k8s };
    }
    this.#containerdNamespaces ??= this.list(CONTAINERD_TASKS).sort();
    for (const ns of this.#containerdNamespaces) {
      if (!this.list(`${CONTAINERD_TASKS}/${ns}/${id}`).includes("config.json")) continue;
      const k8s = this.read(`${CONTAINERD_TASKS}/${ns}/${id}/config.json`, parseOciConfig);
      if (k8s) return { runtime: "containerd", k8s };
    }
    return undefined;
  }
}

/** A container as its runtime's files describe it, pids not yet added. */
function describe(found: CgroupContainer, look: Lookups): NamespaceContainer {
  const c: NamespaceContainer = { runtime: found.runtime ?? "kubernetes", id: found.id };
  if (found.runtime === "lxc") {
    c.name = found.id;
    return c;
  }
  if (found.runtime === "docker" || found.runtime === undefined) {
    const dir = `${DOCKER}/${found.id}`;
    const known = look.list(dir).includes("config.v2.json");
    if (known) {
      c.runtime = "docker";
      const config = look.read(`${dir}/config.v2.json`, parseDockerConfigV2);
      if (config) {
        c.name = config.name;
        if (config.image) c.image = config.image;
        if (config.labels) c.labels = config.labels;
        if (config.pid) c.pid = config.pid;
        const l = config.labels ?? {};
        const project = l["com.docker.compose.project"];
        const service = l["com.docker.compose.service"];
        if (project && service) {
          c.compose = { project, service };
          const n = Number(l["com.docker.compose.container-number"]);
          if (Number.isSafeInteger(n) && n >= 0) c.compose.number = n;
        }
        if (config.ports.length) c.ports = config.ports;
        const addresses = config.networks.flatMap((n) =>
          [n.address, n.address6].filter((a): a is string => a !== undefined)
        );
        if (addresses.length) c.addresses = addresses;
        // Kubernetes over dockershim/cri-dockerd: names in the io.kubernetes.* labels.
        const pod = l["io.kubernetes.pod.name"];
        const podNs = l["io.kubernetes.pod.namespace"];
        if (pod && podNs) {
          c.pod = pod;
          c.podNamespace = podNs;
          const cn = l["io.kubernetes.container.name"];
          if (cn && cn !== "POD") c.name = cn;
          else delete c.name;
        }
      }
      const host = look.read(`${dir}/hostconfig.json`, parseDockerHostConfig, true);
      if (host?.networkMode) c.networkMode = host.networkMode;
      if (host && !c.ports && host.portBindings.length) c.ports = host.portBindings;
    } else if (found.runtime === "docker") {
      look.warnings.push(
        `container ${found.id.slice(0, 12)} (docker): ${dir}/config.v2.json not found`,
      );
    }
  }
  if (c.runtime === "podman" || c.runtime === "cri-o" || c.runtime === "kubernetes") {
    const s = look.storage(found.id);
    if (s?.name) c.name = s.name;
    if (s?.image) c.image = s.image;
  }
  if (c.runtime !== "docker") {
    const a = found.podUid !== undefined || c.runtime === "cri-o" || c.runtime === "containerd"
      ? look.annotations(found.id)
      : undefined;
    if (a) {
      if (c.runtime === "kubernetes") c.runtime = a.runtime;
      if (a.k8s.pod) c.pod = a.k8s.pod;
      if (a.k8s.podNamespace) c.podNamespace = a.k8s.podNamespace;
      if (a.k8s.podUid) c.podUid = a.k8s.podUid;
      if (a.k8s.container) c.name = a.k8s.container;
      else if (a.k8s.sandbox) delete c.name;
      if (a.k8s.image) c.image = a.k8s.image;
    }
  }
  if (found.podUid !== undefined) {
    c.podUid = found.podUid;
    const pod = look.pod(found.podUid);
    if (pod) {
      c.pod ??= pod.pod;
      c.podNamespace ??= pod.namespace;
    }
    const name = look.logName(found.id);
    if (name) c.name = name;
  }
  return c;
}

/** The containers of each namespace (by inode), and what could not be read. */
export interface ContainersFound {
  byInode: Map<number, NamespaceContainer[]>;
  warnings: string[];
}

/**
 * Reads the cgroup of every pid of every namespace and names the containers they run in.
 * `namespaces` gives each namespace's inode and pids.
 */
export function findContainers(
  root: string,
  namespaces: readonly { inode: number; pids: readonly number[] }[],
): ContainersFound {
  const warnings: string[] = [];
  const look = new Lookups(root, warnings);
  const described = new Map<string, NamespaceContainer>();
  const byInode = new Map<number, NamespaceContainer[]>();
  for (const ns of namespaces) {
    const here = new Map<string, { c: NamespaceContainer; pids: number[] }>();
    for (const pid of ns.pids) {
      const path = `/proc/${pid}/cgroup`;
      const text = readText(under(root, path));
      if (text === undefined) continue; // exited, or not ours to read: not a container fact
      const found = containerOfCgroups(parseProcPidCgroup(text, path).value);
      if (!found) continue;
      const key = `${found.runtime ?? ""} ${found.id}`;
      let c = described.get(key);
      if (!c) described.set(key, c = describe(found, look));
      const slot = here.get(key) ?? { c, pids: [] };
      slot.pids.push(pid);
      here.set(key, slot);
    }
    if (here.size === 0) continue;
    const list: NamespaceContainer[] = [];
    for (const { c, pids } of here.values()) {
      const copy: NamespaceContainer = { ...c, pids: pids.sort((a, b) => a - b) };
      // The runtime's main pid counts only when it is in this namespace.
      if (copy.pid === undefined || !pids.includes(copy.pid)) copy.pid = copy.pids![0]!;
      list.push(copy);
    }
    list.sort((a, b) => (a.name ?? a.id) < (b.name ?? b.id) ? -1 : 1);
    byInode.set(ns.inode, list);
  }
  return { byInode, warnings };
}
