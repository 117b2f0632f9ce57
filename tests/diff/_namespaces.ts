/**
 * A pair of captures across namespaces for the diff tests, shaped like a Docker host across a
 * deploy: container web replaced by a new version (same name, new inode and image; its port
 * now published on every address), container old stopped, container new started and published.
 */
import type { Connection, Namespace, Snapshot } from "../../src/model.ts";
import { namespaceExposure } from "../../src/net/namespace_exposure.ts";
import { listen, proc, procs, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";
/** Every section read, as a namespace entry lists them. */
export const SECTIONS = {
  connections: { status: "ok" as const, source: "/proc/PID/net" },
  routes: { status: "ok" as const },
  interfaces: { status: "ok" as const },
  counters: { status: "ok" as const },
};

function docker(
  name: string,
  inode: number,
  image: string,
  pid: number,
  hostPort?: [string, number],
): Namespace {
  const ns: Namespace = {
    id: `docker:${name}`,
    inode,
    kind: "docker",
    labels: { container: name, image, runtime: "docker" },
    containers: [{ runtime: "docker", id: String(inode).repeat(7).slice(0, 64), name, image, pid }],
    processes: 1,
    pids: [pid],
    sections: SECTIONS,
    counters: { Tcp: { ActiveOpens: BigInt(inode % 100) } },
  };
  if (hostPort) {
    ns.containers![0]!.ports = [{
      protocol: "tcp",
      containerPort: 80,
      hostAddress: hostPort[0],
      hostPort: hostPort[1],
    }];
  }
  return ns;
}

/** The host's own namespace entry. */
export const HOST: Namespace = {
  id: "host",
  inode: 4026531833,
  kind: "host",
  own: true,
  labels: {},
  processes: 50,
  pids: [1],
  sections: SECTIONS,
};

function inside(ns: string, c: Connection): Connection {
  return { ...c, namespace: ns };
}

/** Sets each listener's exposure as the capture does. */
function exposed(s: Snapshot): Snapshot {
  for (const [c, e] of namespaceExposure(s)) c.exposure = e;
  return s;
}

/** Before and after of the deploy. */
export function namespacedPair(): [Snapshot, Snapshot] {
  const before = exposed(snap(T0, {
    connections: [
      listen("0.0.0.0", 22, 1),
      inside("docker:web", listen("0.0.0.0", 80, 100)),
      inside("docker:old", listen("0.0.0.0", 9000, 200)),
    ],
    processes: procs(proc(1, "sshd"), proc(100, "httpd"), proc(200, "old")),
    namespaces: [
      HOST,
      docker("web", 4026532100, "shop/web:1", 100, ["127.0.0.1", 8080]),
      docker("old", 4026532200, "shop/old:1", 200),
    ],
  }));
  const after = exposed(snap(T1, {
    connections: [
      listen("0.0.0.0", 22, 1),
      inside("docker:web", listen("0.0.0.0", 80, 300)),
      inside("docker:new", listen("0.0.0.0", 80, 400)),
    ],
    processes: procs(proc(1, "sshd"), proc(300, "httpd"), proc(400, "httpd")),
    namespaces: [
      HOST,
      docker("web", 4026532300, "shop/web:2", 300, ["", 8080]),
      docker("new", 4026532400, "shop/new:1", 400, ["0.0.0.0", 8081]),
    ],
  }));
  return [before, after];
}
