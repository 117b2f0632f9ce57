/**
 * The Kubernetes manifests of deploy/k8s for tests: read them (filling `${VAR}` placeholders),
 * validate them offline against the Kubernetes schemas (kubernetes-models), and translate a pod
 * spec's container into the `docker run` flags that give a container the same security settings,
 * so that a test on Docker runs what the manifest asks for, not a copy of it.
 *
 * The translation is strict: a field of the pod spec, container or securityContext that it does
 * not know is an error, not something dropped (a misspelt `readOnlyRootFileSystem` would pass the
 * schema check, which ignores unknown fields, as kubectl does without --validate=strict).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Job } from "kubernetes-models/batch/v1/Job";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ROOT } from "./cli.ts";

/** The folder of the manifests and the Dockerfile. */
export const K8S_DIR = join(ROOT, "deploy/k8s");

/** A manifest as parsed: only the fields the tests read are typed. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** The parts of a pod spec the translation reads. */
export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  containers: Container[];
  volumes?: { name: string; hostPath?: { path: string; type?: string } }[];
  [key: string]: unknown;
}

/** The parts of a container the translation reads. */
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  resources?: { limits?: { memory?: string; cpu?: string } };
  [key: string]: unknown;
}

/** Reads every document of a manifest file, replacing `${NAME}` by `vars[NAME]` first. */
export function readManifests(file: string, vars: Record<string, string> = {}): Manifest[] {
  let text = readFileSync(join(K8S_DIR, file), "utf8");
  text = text.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`Cannot read ${file}: ${d.errors[0]!.message}`);
    return d.toJS() as Manifest;
  });
}

/** The schema of each kind the manifests use, by "apiVersion kind". */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1 DaemonSet": DaemonSet,
  "batch/v1 Job": Job,
  "batch/v1 CronJob": CronJob,
  "v1 Namespace": Namespace,
};

/** Validates a manifest against its kind's schema; throws naming the file, kind and field. */
export function validateManifest(m: Manifest, file = "manifest"): void {
  const Model = MODELS[`${m.apiVersion} ${m.kind}`];
  if (!Model) throw new Error(`Cannot validate ${file}: no schema for ${m.apiVersion} ${m.kind}`);
  try {
    new Model(m as never).validate();
  } catch (e) {
    throw new Error(
      `Cannot validate ${file} (${m.kind} ${m.metadata?.name}): ${(e as Error).message}`,
    );
  }
}

/** The pod spec of a DaemonSet, Job or CronJob. */
export function podSpecOf(m: Manifest): PodSpec {
  type Template = { spec?: PodSpec } | undefined;
  const spec = m.spec as
    | { template?: Template; jobTemplate?: { spec?: { template?: Template } } }
    | undefined;
  const template = m.kind === "CronJob" ? spec?.jobTemplate?.spec?.template : spec?.template;
  if (!template?.spec) throw new Error(`Cannot find the pod spec of ${m.kind} ${m.metadata.name}`);
  return template.spec;
}

/** Pod spec fields that have no `docker run` counterpart and do not touch security. */
const POD_IGNORED = new Set([
  "containers",
  "volumes",
  "hostNetwork",
  "hostPID",
  "dnsPolicy",
  "automountServiceAccountToken",
  "enableServiceLinks",
  "terminationGracePeriodSeconds",
  "tolerations",
  "restartPolicy",
  "nodeName",
]);
/** Container fields that have no `docker run` counterpart and do not touch security. */
const CONTAINER_IGNORED = new Set(["name", "image", "imagePullPolicy"]);
const CONTAINER_KNOWN = new Set([
  ...CONTAINER_IGNORED,
  "command",
  "args",
  "env",
  "securityContext",
  "volumeMounts",
  "resources",
]);

/** What a translation needs besides the manifest: the image and where host paths go. */
export interface TranslateOptions {
  image: string;
  /** Host path in the manifest → a folder of the test to mount instead. */
  hostPaths?: Record<string, string>;
  /** Values of `fieldRef` env variables (`spec.nodeName`). */
  fields?: Record<string, string>;
}

/** Turns a Kubernetes quantity (512Mi, 1G) into docker's form (bytes). */
function memoryBytes(q: string): string {
  const m = /^(\d+)(Ki|Mi|Gi|K|M|G)?$/.exec(q);
  if (!m) throw new Error(`Cannot translate memory limit ${q}`);
  const mult: Record<string, number> = {
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
  };
  return String(Number(m[1]) * (m[2] ? mult[m[2]]! : 1));
}

/** The securityContext as `docker run` flags; throws on a field it does not know. */
function securityFlags(sc: Record<string, unknown>): string[] {
  const flags: string[] = [];
  for (const [key, value] of Object.entries(sc)) {
    switch (key) {
      case "runAsUser":
        flags.push("--user", `${value}:${sc.runAsGroup ?? value}`);
        break;
      case "runAsGroup":
      case "runAsNonRoot": // checked by the kubelet against the user; the user is set above
        break;
      case "privileged":
        if (value) flags.push("--privileged");
        break;
      case "allowPrivilegeEscalation":
        if (value === false) flags.push("--security-opt", "no-new-privileges");
        break;
      case "readOnlyRootFilesystem":
        if (value) flags.push("--read-only");
        break;
      case "capabilities": {
        const caps = value as { drop?: string[]; add?: string[] };
        for (const k of Object.keys(caps)) {
          if (k !== "drop" && k !== "add") throw new Error(`Cannot translate capabilities.${k}`);
        }
        for (const c of caps.drop ?? []) flags.push("--cap-drop", c);
        for (const c of caps.add ?? []) flags.push("--cap-add", c);
        break;
      }
      case "seccompProfile": {
        const type = (value as { type: string }).type;
        if (type === "Unconfined") flags.push("--security-opt", "seccomp=unconfined");
        else if (type !== "RuntimeDefault") throw new Error(`Cannot translate seccomp ${type}`);
        break;
      }
      case "appArmorProfile": {
        const type = (value as { type: string }).type;
        if (type === "Unconfined") flags.push("--security-opt", "apparmor=unconfined");
        else if (type !== "RuntimeDefault") throw new Error(`Cannot translate AppArmor ${type}`);
        break;
      }
      default:
        throw new Error(`Cannot translate securityContext.${key}`);
    }
  }
  return flags;
}

/**
 * The `docker run` arguments (flags, image, command) that run `container` of `pod` with the same
 * namespaces, user, capabilities, read-only root, volumes, environment and memory limit.
 */
export function dockerRunArgs(pod: PodSpec, containerName: string, opts: TranslateOptions) {
  for (const key of Object.keys(pod)) {
    if (!POD_IGNORED.has(key)) throw new Error(`Cannot translate pod spec field ${key}`);
  }
  const c = pod.containers.find((x) => x.name === containerName);
  if (!c) throw new Error(`Cannot find container ${containerName}`);
  for (const key of Object.keys(c)) {
    if (!CONTAINER_KNOWN.has(key)) throw new Error(`Cannot translate container field ${key}`);
  }
  const flags: string[] = [];
  if (pod.hostNetwork) flags.push("--network", "host");
  if (pod.hostPID) flags.push("--pid", "host");
  flags.push(...securityFlags(c.securityContext ?? {}));
  for (const mount of c.volumeMounts ?? []) {
    const vol = pod.volumes?.find((v) => v.name === mount.name);
    if (!vol?.hostPath) throw new Error(`Cannot translate volume ${mount.name}: not a hostPath`);
    const host = opts.hostPaths?.[vol.hostPath.path];
    if (!host) throw new Error(`Cannot translate volume ${mount.name}: no test folder for it`);
    flags.push("-v", `${host}:${mount.mountPath}${mount.readOnly ? ":ro" : ""}`);
  }
  for (const e of c.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    const value = e.value ?? (field !== undefined ? opts.fields?.[field] : undefined);
    if (value === undefined) throw new Error(`Cannot translate env ${e.name}`);
    flags.push("-e", `${e.name}=${value}`);
  }
  const memory = c.resources?.limits?.memory;
  if (memory) flags.push("--memory", memoryBytes(memory));
  const [entry, ...rest] = c.command ?? [];
  if (entry) flags.push("--entrypoint", entry);
  // Kubernetes expands $(VAR) in command and args from the container's env.
  const env = new Map(
    flags.flatMap((f, i) =>
      flags[i - 1] === "-e" ? [[f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)]] : []
    ),
  );
  const expand = (s: string) =>
    s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (w, n: string) => env.get(n) ?? w);
  return [...flags, opts.image, ...rest.map(expand), ...(c.args ?? []).map(expand)];
}
