/**
 * Docker's /var/lib/docker/containers/<id>/config.v2.json: what dockerd knows of one container —
 * its name, image, labels, state and network settings. nsnap reads it to name the network
 * namespace a container's processes are in, without asking the daemon.
 *
 * Only the fields below are read; the rest of the document is passed over.
 */
import { canonicalAddress } from "../../net/address.ts";
import {
  count,
  type JsonObject,
  object,
  parseJsonObject,
  stringMap,
  text,
} from "./runtime_json.ts";
import type { Parsed } from "../text.ts";
import { type PortBinding, portBindings } from "./docker_hostconfig_json.ts";

/** A network a container is attached to, with its addresses there. */
export interface DockerNetwork {
  name: string;
  address?: string;
  address6?: string;
  mac?: string;
}

/** What nsnap keeps of a container's config.v2.json. */
export interface DockerConfig {
  id: string;
  /** The container's name, without Docker's leading "/". */
  name: string;
  /** The image as given to `docker run` (`nginx:1.25`). */
  image?: string;
  /** The image's content id (`sha256:…`). */
  imageId?: string;
  labels?: Record<string, string>;
  running: boolean;
  /** The main process as the host numbers it, while running. */
  pid?: number;
  /** The namespace file dockerd holds (`/var/run/docker/netns/<id>`); absent for joined ones. */
  sandboxKey?: string;
  networks: DockerNetwork[];
  /** The published ports as the running container has them (NetworkSettings.Ports). */
  ports: PortBinding[];
}

function networks(v: unknown): DockerNetwork[] {
  const o = object(v);
  if (o === undefined) return [];
  return Object.entries(o).map(([name, raw]) => {
    const n = object(raw) ?? {};
    const out: DockerNetwork = { name };
    const a = text(n.IPAddress);
    if (a) out.address = canonicalAddress(a);
    const a6 = text(n.GlobalIPv6Address);
    if (a6) out.address6 = canonicalAddress(a6);
    const mac = text(n.MacAddress);
    if (mac) out.mac = mac.toLowerCase();
    return out;
  }).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * Reads config.v2.json. Not JSON: `ParseError`. A document without an ID or a name is a warning
 * and no value.
 *
 * @example
 * ```ts
 * import { parseDockerConfigV2 } from "./docker_config_v2_json.ts";
 * const doc = JSON.stringify({ ID: "ab", Name: "/web", Config: { Image: "nginx" } });
 * parseDockerConfigV2(doc, "config.v2.json").value?.name; // "web"
 * ```
 */
export function parseDockerConfigV2(
  json: string,
  source: string,
): Parsed<DockerConfig | undefined> {
  const doc: JsonObject = parseJsonObject(json, source);
  const id = text(doc.ID);
  const name = text(doc.Name)?.replace(/^\//, "");
  if (id === undefined || !name) {
    return { value: undefined, warnings: [`${source}: no container ID or Name`] };
  }
  const config = object(doc.Config) ?? {};
  const state = object(doc.State) ?? {};
  const net = object(doc.NetworkSettings) ?? {};
  const out: DockerConfig = {
    id,
    name,
    running: state.Running === true,
    networks: networks(net.Networks),
    ports: portBindings(net.Ports),
  };
  const image = text(config.Image);
  if (image) out.image = image;
  const imageId = text(doc.Image);
  if (imageId) out.imageId = imageId;
  const labels = stringMap(config.Labels);
  if (labels) out.labels = labels;
  const pid = count(state.Pid);
  if (out.running && pid) out.pid = pid;
  const key = text(net.SandboxKey);
  if (key) out.sandboxKey = key;
  return { value: out, warnings: [] };
}
