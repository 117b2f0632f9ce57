import { test } from "node:test";
import assert from "node:assert/strict";
import type { Connection, Forward, Namespace, NetInterface } from "../../src/model.ts";
import { namespaceExposure, reaches } from "../../src/net/namespace_exposure.ts";
import { listen } from "../diff/_build.ts";

/** A TCP listener (tests/diff/_build.ts) with more fields. */
const listener = (address: string, port: number, more: Partial<Connection> = {}): Connection => {
  const { uid: _uid, inode: _inode, ...bare } = listen(address, port);
  return { ...bare, ...more };
};

const ns = (id: string, more: Partial<Namespace> = {}): Namespace => ({
  id,
  kind: id === "host" ? "host" : "docker",
  labels: { container: id.replace(/^docker:/, "") },
  processes: 1,
  pids: [],
  sections: {},
  ...more,
});

const itf = (namespace: string | undefined, address: string): NetInterface => ({
  name: "eth0",
  flags: [],
  addresses: [{ family: "inet", address, prefixLength: 24 }],
  ...(namespace ? { namespace } : {}),
});

test("reaches() ties a forward's target to the listener's bound address", () => {
  assert.equal(reaches("0.0.0.0", "172.17.0.2"), true);
  assert.equal(reaches("::", "172.17.0.2"), true);
  assert.equal(reaches("::", "172.17.0.2", true), false);
  assert.equal(reaches("0.0.0.0", "fd00::2"), false);
  assert.equal(reaches("172.17.0.2", "172.17.0.2"), true);
  assert.equal(reaches("172.17.0.3", "172.17.0.2"), false);
});

test("namespaceExposure() decides published, internal and host-network by the rules", () => {
  const web = listener("0.0.0.0", 80, { namespace: "docker:web" });
  const webLoop = listener("127.0.0.1", 81, { namespace: "docker:web" });
  const webLoopPublished = listener("127.0.0.1", 80, { namespace: "docker:web", family: "inet" });
  const api = listener("::", 8080, { namespace: "docker:api" });
  const lonely = listener("0.0.0.0", 9000, { namespace: "docker:lonely" });
  const hostNet = listener("0.0.0.0", 9100, { pid: 77, pids: [77, 78] });
  const plain = listener("0.0.0.0", 22, { pid: 5 });
  const session: Connection = { ...listener("10.0.0.2", 80), state: "ESTABLISHED", remotePort: 5 };
  const namespaces: Namespace[] = [
    ns("host", {
      own: true,
      containers: [{ runtime: "docker", id: "c", name: "exporter", pid: 70, pids: [70, 77] }],
    }),
    ns("docker:web", {
      containers: [{
        runtime: "docker",
        id: "a",
        name: "web",
        ports: [{ protocol: "tcp", containerPort: 80, hostAddress: "127.0.0.1", hostPort: 18080 }],
      }],
    }),
    ns("docker:api"),
    ns("docker:lonely"),
  ];
  const forwards: Forward[] = [
    {
      protocol: "tcp",
      hostAddress: "127.0.0.1",
      hostPort: 18080,
      toAddress: "172.17.0.2",
      toPort: 80,
      via: "docker-proxy",
      pid: 900,
    },
    {
      protocol: "tcp",
      hostAddress: "0.0.0.0",
      hostPort: 8443,
      toAddress: "10.9.0.3",
      toPort: 8080,
      via: "dnat",
    },
    // A forward to another namespace's address on the same port leads nowhere here.
    {
      protocol: "tcp",
      hostAddress: "0.0.0.0",
      hostPort: 9000,
      toAddress: "10.9.9.9",
      toPort: 9000,
      via: "dnat",
    },
  ];
  const e = namespaceExposure({
    connections: [web, webLoop, webLoopPublished, api, lonely, hostNet, plain, session],
    interfaces: [
      itf(undefined, "10.0.0.5"),
      itf("docker:web", "172.17.0.2"),
      itf("docker:api", "10.9.0.3"),
      itf("docker:lonely", "10.9.0.4"),
    ],
    namespaces,
    forwards,
  });
  assert.deepEqual(e.get(web), {
    kind: "published",
    summary: "published on host 127.0.0.1:18080",
    published: [{ hostAddress: "127.0.0.1", hostPort: 18080, via: ["docker", "docker-proxy"] }],
  });
  assert.deepEqual(e.get(webLoop), {
    kind: "internal",
    summary: "internal: bound to 127.0.0.1 inside container web",
  });
  assert.deepEqual(e.get(webLoopPublished), {
    kind: "internal",
    summary:
      "internal: bound to 127.0.0.1 inside container web (published host port 18080 does not reach it)",
  });
  assert.deepEqual(e.get(api)?.published, [{
    hostAddress: "0.0.0.0",
    hostPort: 8443,
    via: ["dnat"],
  }]);
  assert.deepEqual(e.get(lonely), {
    kind: "internal",
    summary: "internal: not published on the host",
  });
  assert.deepEqual(e.get(hostNet), {
    kind: "host-network",
    summary: "host-network container exporter: the host's exposure applies",
    container: "exporter",
  });
  assert.equal(e.has(plain), false);
  assert.equal(e.has(session), false);
});

test("namespaceExposure() says nothing for a snapshot of one namespace", () => {
  assert.equal(
    namespaceExposure({ connections: [listener("0.0.0.0", 80)], interfaces: [] }).size,
    0,
  );
});

test("a Docker binding on every address publishes on both families", () => {
  const c = listener("0.0.0.0", 8080, { namespace: "docker:br" });
  const e = namespaceExposure({
    connections: [c],
    interfaces: [],
    namespaces: [
      ns("host", { own: true }),
      ns("docker:br", {
        containers: [{
          runtime: "docker",
          id: "b",
          ports: [{ protocol: "tcp", containerPort: 8080, hostAddress: "", hostPort: 8099 }],
        }],
      }),
    ],
  });
  assert.equal(e.get(c)?.summary, "published on host 0.0.0.0:8099, [::]:8099");
});
