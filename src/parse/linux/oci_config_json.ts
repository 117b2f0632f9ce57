/**
 * An OCI runtime bundle's config.json — containerd keeps one per task under
 * /run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/, CRI-O and Podman under
 * /var/lib/containers/storage/overlay-containers/<id>/userdata/. Its `annotations` are where the
 * CRI runtimes write the Kubernetes names of a container:
 *
 * | fact            | containerd (CRI)                        | CRI-O                            |
 * | --------------- | --------------------------------------- | -------------------------------- |
 * | pod name        | `io.kubernetes.cri.sandbox-name`        | `io.kubernetes.pod.name`         |
 * | pod namespace   | `io.kubernetes.cri.sandbox-namespace`   | `io.kubernetes.pod.namespace`    |
 * | pod uid         | `io.kubernetes.cri.sandbox-uid`         | `io.kubernetes.pod.uid`          |
 * | container name  | `io.kubernetes.cri.container-name`      | `io.kubernetes.container.name`   |
 * | sandbox or not  | `io.kubernetes.cri.container-type`      | `io.kubernetes.cri-o.ContainerType` |
 * | image           | `io.kubernetes.cri.image-name`          | `io.kubernetes.cri-o.ImageName`  |
 */
import { parseJsonObject, stringMap } from "./runtime_json.ts";
import type { Parsed } from "../text.ts";

/** The Kubernetes facts of one bundle. */
export interface OciKubernetes {
  pod?: string;
  podNamespace?: string;
  podUid?: string;
  /** Absent for the pod's sandbox ("pause") container. */
  container?: string;
  /** True for the sandbox that holds the pod's namespaces. */
  sandbox: boolean;
  image?: string;
}

const KEYS: Readonly<Record<Exclude<keyof OciKubernetes, "sandbox">, readonly string[]>> = {
  pod: ["io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"],
  podNamespace: ["io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace"],
  podUid: ["io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid"],
  container: ["io.kubernetes.cri.container-name", "io.kubernetes.container.name"],
  image: ["io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName"],
};

/**
 * Reads a bundle's config.json into its Kubernetes facts; undefined when its annotations name no
 * pod (a container not started by a CRI runtime). Not JSON: `ParseError`.
 *
 * @example
 * ```ts
 * import { parseOciConfig } from "./oci_config_json.ts";
 * const doc = '{"annotations":{"io.kubernetes.pod.name":"web-0","io.kubernetes.pod.namespace":"shop"}}';
 * parseOciConfig(doc, "config.json").value?.pod; // "web-0"
 * ```
 */
export function parseOciConfig(json: string, source: string): Parsed<OciKubernetes | undefined> {
  const doc = parseJsonObject(json, source);
  const notes = stringMap(doc.annotations);
  if (notes === undefined) return { value: undefined, warnings: [] };
  const pick = (keys: readonly string[]) => {
    for (const k of keys) if (notes[k]) return notes[k];
    return undefined;
  };
  const type = notes["io.kubernetes.cri.container-type"] ??
    notes["io.kubernetes.cri-o.ContainerType"];
  const out: OciKubernetes = { sandbox: type === "sandbox" };
  for (const [field, keys] of Object.entries(KEYS)) {
    const v = pick(keys);
    if (v !== undefined) out[field as keyof typeof KEYS] = v;
  }
  if (out.sandbox) delete out.container;
  return { value: out.pod === undefined ? undefined : out, warnings: [] };
}
