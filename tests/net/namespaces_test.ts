import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { NamespaceContainer } from "../../src/model.ts";
import {
  mainContainer,
  namespacedKey,
  namespaceIdentity,
  namespaceTitle,
  uniqueIds,
} from "../../src/net/namespaces.ts";

const ID = "ab".repeat(32);
const docker = (name: string, more: Partial<NamespaceContainer> = {}): NamespaceContainer => ({
  runtime: "docker",
  id: ID,
  name,
  image: "nginx:1.25",
  ...more,
});

test("namespaceIdentity() follows the documented precedence", () => {
  const id = (f: Parameters<typeof namespaceIdentity>[0]) => namespaceIdentity(f).id;
  assert.equal(id({ host: true, names: ["x"], containers: [docker("web")] }), "host");
  assert.equal(
    id({
      host: false,
      names: ["cni-1"],
      containers: [{ runtime: "containerd", id: ID, pod: "web-0", podNamespace: "shop" }],
    }),
    "pod:shop/web-0",
  );
  assert.equal(
    id({
      host: false,
      names: [],
      containers: [
        docker("shop-web-2", { compose: { project: "shop", service: "web", number: 2 } }),
      ],
    }),
    "compose:shop/web/2",
  );
  assert.equal(
    id({
      host: false,
      names: [],
      containers: [docker("x", { compose: { project: "p", service: "s" } })],
    }),
    "compose:p/s",
  );
  assert.equal(id({ host: false, names: ["blue"], containers: [docker("web")] }), "docker:web");
  assert.equal(
    id({ host: false, names: [], containers: [{ runtime: "podman", id: ID, name: "db" }] }),
    "podman:db",
  );
  assert.equal(
    id({ host: false, names: [], containers: [{ runtime: "containerd", id: ID }] }),
    `container:containerd/${ID.slice(0, 12)}`,
  );
  assert.equal(id({ host: false, names: ["blue", "alias"], containers: [] }), "netns:blue");
  assert.equal(
    id({ inode: 4026532184, host: false, names: [], containers: [] }),
    "inode:4026532184",
  );
});

test("namespaceIdentity() labels a pod with every container name and image", () => {
  const r = namespaceIdentity({
    host: false,
    names: ["cni-9"],
    containers: [
      { runtime: "containerd", id: "1", pod: "web-0", podNamespace: "shop" },
      {
        runtime: "containerd",
        id: "2",
        pod: "web-0",
        podNamespace: "shop",
        name: "nginx",
        image: "nginx",
      },
      {
        runtime: "containerd",
        id: "3",
        pod: "web-0",
        podNamespace: "shop",
        name: "envoy",
        image: "envoy",
      },
    ],
  });
  assert.deepEqual(r, {
    id: "pod:shop/web-0",
    kind: "pod",
    labels: {
      netns: "cni-9",
      pod: "web-0",
      podNamespace: "shop",
      container: "envoy,nginx",
      image: "envoy,nginx",
      runtime: "containerd",
    },
  });
  assert.equal(namespaceTitle({ ...r, name: "cni-9" }), "pod shop/web-0 (envoy,nginx)");
});

test("mainContainer() passes over containers joined to another's namespace", () => {
  const web = docker("web");
  const side = docker("aaa-sidecar", { networkMode: `container:${ID}` });
  assert.equal(mainContainer([side, web]), web);
  assert.equal(
    namespaceIdentity({ host: false, names: [], containers: [side, web] }).id,
    "docker:web",
  );
  assert.equal(mainContainer([]), undefined);
});

test("uniqueIds() keeps the first of a shared id and numbers the others", () => {
  const items = [{ id: "pod:a/b" }, { id: "host" }, { id: "pod:a/b" }, { id: "pod:a/b" }];
  assert.deepEqual(uniqueIds(items), ["pod:a/b"]);
  assert.deepEqual(items.map((i) => i.id), ["pod:a/b", "host", "pod:a/b#2", "pod:a/b#3"]);
});

test("namespacedKey() leaves the own namespace's keys as they were and sets others apart", () => {
  fc.assert(fc.property(fc.string(), fc.string({ minLength: 1 }), (key, ns) => {
    assert.equal(namespacedKey({}, key), key);
    assert.notEqual(namespacedKey({ namespace: ns }, key), key);
    assert.notEqual(
      namespacedKey({ namespace: ns }, key),
      namespacedKey({ namespace: ns + "x" }, key),
    );
  }));
});

test("namespaceTitle() says what people call each kind", () => {
  const t = (kind: Parameters<typeof namespaceTitle>[0]["kind"], id: string, labels = {}) =>
    namespaceTitle({ id, kind, labels });
  assert.equal(t("host", "host"), "host");
  assert.equal(t("docker", "docker:web", { container: "web" }), "container web");
  assert.equal(
    t("docker", "compose:shop/web/1", { container: "shop-web-1" }),
    "container shop-web-1",
  );
  assert.equal(t("netns", "netns:blue"), "netns blue");
  assert.equal(t("unknown", "inode:5"), "namespace inode:5");
});
