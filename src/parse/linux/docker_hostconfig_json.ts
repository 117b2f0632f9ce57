/**
 * Docker's /var/lib/docker/containers/<id>/hostconfig.json: how a container was asked to run.
 * nsnap reads the network mode (`bridge`/`default`, `host`, `none`, `container:<id>`, a user
 * network's name) and the published ports (`-p 127.0.0.1:8080:80`).
 */
import { canonicalAddress } from "../../net/address.ts";
import { object, parseJsonObject, text } from "./runtime_json.ts";
import type { Parsed } from "../text.ts";

/** One published port: the host address and port that lead to a container port. */
export interface PortBinding {
  protocol: "tcp" | "udp" | "sctp";
  containerPort: number;
  /** The host address; "" in hostconfig.json means every address (0.0.0.0 and ::). */
  hostAddress: string;
  hostPort: number;
}

/** What nsnap keeps of hostconfig.json. */
export interface DockerHostConfig {
  networkMode?: string;
  portBindings: PortBinding[];
}

/**
 * Reads a `{"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}` map (hostconfig.json's
 * PortBindings, config.v2.json's NetworkSettings.Ports) into bindings, sorted. An entry without
 * a host port (exposed, not published) is left out; an empty HostIp is written "".
 */
export function portBindings(v: unknown): PortBinding[] {
  const o = object(v);
  if (o === undefined) return [];
  const out: PortBinding[] = [];
  for (const [key, list] of Object.entries(o)) {
    const m = /^([0-9]{1,5})\/(tcp|udp|sctp)$/.exec(key);
    if (!m || !Array.isArray(list)) continue;
    for (const raw of list) {
      const b = object(raw) ?? {};
      const port = Number(text(b.HostPort));
      if (!Number.isInteger(port) || port <= 0 || port > 65535) continue;
      const ip = text(b.HostIp);
      out.push({
        protocol: m[2] as PortBinding["protocol"],
        containerPort: Number(m[1]),
        hostAddress: ip ? canonicalAddress(ip) : "",
        hostPort: port,
      });
    }
  }
  return out.sort((a, b) =>
    a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol) ||
    a.hostPort - b.hostPort ||
    Number(a.hostAddress.includes(":")) - Number(b.hostAddress.includes(":")) ||
    (a.hostAddress < b.hostAddress ? -1 : a.hostAddress > b.hostAddress ? 1 : 0)
  );
}

/**
 * Reads hostconfig.json. Not JSON: `ParseError`.
 *
 * @example
 * ```ts
 * import { parseDockerHostConfig } from "./docker_hostconfig_json.ts";
 * const doc = '{"NetworkMode":"host","PortBindings":{}}';
 * parseDockerHostConfig(doc, "hostconfig.json").value.networkMode; // "host"
 * ```
 */
export function parseDockerHostConfig(json: string, source: string): Parsed<DockerHostConfig> {
  const doc = parseJsonObject(json, source);
  const out: DockerHostConfig = { portBindings: portBindings(doc.PortBindings) };
  const mode = text(doc.NetworkMode);
  if (mode) out.networkMode = mode;
  return { value: out, warnings: [] };
}
