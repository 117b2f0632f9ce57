/**
 * Namespace discovery and naming on a Kubernetes-shaped fixture tree (tests/helpers/node_tree.ts):
 * every namespace found once, by inode, with its pids and files; each labelled from the cgroup
 * paths, the kubelet's logs, containerd's bundles and Docker's files; unknown ones warned about.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planNamespaces } from "../../src/collect/linux/namespaces/mod.ts";
import { discoverNamespaces } from "../../src/collect/linux/namespaces/discover.ts";
import { firewallForwards } from "../../src/collect/linux/namespaces/forwards.ts";
import { parseNftRuleset } from "../../src/parse/linux/nft_ruleset.ts";
import { CID, HOST_INODE, nodeTree, UID } from "../helpers/node_tree.ts";

test("discoverNamespaces() finds process, named and runtime-held namespaces once each", () => {
  const root = nodeTree();
  try {
    const d = discoverNamespaces(root);
    assert.deepEqual(d.warnings, []);
    assert.equal(d.hostInode, HOST_INODE);
    assert.equal(d.ownInode, HOST_INODE);
    assert.deepEqual(
      d.namespaces.map((n) => [n.inode, n.pids, n.names]),
      [
        [HOST_INODE, [1, 10, 20], []],
        [4026532300, [300, 301, 302], ["cni-0b6e2f2c-0000-4000-8000-000000000300"]],
        [4026532400, [400], []],
        [4026532500, [500], ["blue"]],
        [4026532600, [600], []],
        [4026532700, [], ["empty"]],
        [4026532800, [800], []],
      ],
    );
    assert.deepEqual(d.namespaces[5]!.files, ["/run/netns/empty"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("planNamespaces() names pods, containers, named and unknown namespaces", () => {
  const root = nodeTree();
  try {
    const p = planNamespaces(root);
    assert.deepEqual(p.plans.map((x) => [x.record.id, x.record.kind]), [
      ["host", "host"],
      ["docker:api", "docker"],
      ["inode:4026532600", "unknown"],
      ["netns:blue", "netns"],
      ["netns:empty", "netns"],
      ["pod:kube-system/coredns-5d78c9869d-x2x4z", "pod"],
      ["pod:shop/web-0", "pod"],
    ]);
    const byId = new Map(p.plans.map((x) => [x.record.id, x]));
    const web = byId.get("pod:shop/web-0")!;
    assert.deepEqual(web.record.labels, {
      netns: "cni-0b6e2f2c-0000-4000-8000-000000000300",
      pod: "web-0",
      podNamespace: "shop",
      container: "envoy,nginx",
      runtime: "containerd",
    });
    assert.deepEqual(
      web.record.containers!.map((c) => [c.name ?? "(sandbox)", c.runtime, c.podUid, c.pids]),
      [
        ["(sandbox)", "containerd", UID.web, [300]],
        ["envoy", "containerd", UID.web, [302]],
        ["nginx", "containerd", UID.web, [301]],
      ],
    );
    assert.equal(web.netnsPath, "/proc/300/ns/net");
    assert.equal(web.pid, 300);
    const dns = byId.get("pod:kube-system/coredns-5d78c9869d-x2x4z")!;
    assert.deepEqual(dns.record.labels, {
      pod: "coredns-5d78c9869d-x2x4z",
      podNamespace: "kube-system",
      container: "coredns",
      runtime: "kubernetes",
    });
    const host = byId.get("host")!;
    assert.equal(host.record.own, true);
    assert.deepEqual(
      host.record.containers!.map((c) => [c.name, c.pod, c.podNamespace, c.id, c.pids]),
      [["kube-proxy", "kube-proxy-7xk2p", "kube-system", CID.proxy, [20]]],
    );
    const api = byId.get("docker:api")!;
    assert.deepEqual(api.record.labels, {
      runtime: "docker",
      container: "api",
      image: "registry.example/api:2.1",
    });
    assert.equal(api.record.containers![0]!.networkMode, "apinet");
    assert.deepEqual(api.record.containers![0]!.ports, [
      { protocol: "tcp", containerPort: 8443, hostAddress: "0.0.0.0", hostPort: 8443 },
    ]);
    const empty = byId.get("netns:empty")!;
    assert.equal(empty.netnsPath, "/run/netns/empty");
    assert.equal(empty.pid, undefined);
    assert.equal(empty.record.processes, 0);
    assert.deepEqual(p.warnings, [
      "namespace inode:4026532600 (pids 600): nothing names it (no container, no ip netns name)",
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a namespace file that is not a namespace, and a missing Docker file, are warnings", () => {
  const root = nodeTree();
  try {
    writeFileSync(join(root, "run/netns/stale"), "");
    symlinkSync("mnt:[4026531841]", join(root, "run/netns/odd"));
    rmSync(join(root, `var/lib/docker/containers/${CID.api}`), { recursive: true });
    const p = planNamespaces(root);
    assert.ok(
      p.warnings.includes("/run/netns/odd: not a network namespace link"),
      p.warnings.join("\n"),
    );
    assert.ok(p.warnings.some((w) => w.startsWith("/run/netns/stale: ")), p.warnings.join("\n"));
    assert.ok(
      p.warnings.includes(
        `container ${
          CID.api.slice(0, 12)
        } (docker): /var/lib/docker/containers/${CID.api}/config.v2.json not found`,
      ),
    );
    const api = p.plans.find((x) => x.record.inode === 4026532800)!;
    assert.equal(api.record.id, `docker:${CID.api.slice(0, 12)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("two namespaces with one identity keep it in inode order, the later one numbered", () => {
  const root = nodeTree();
  try {
    // A second process of the same container, in another namespace (a restart caught midway).
    symlinkSync("net:[4026532900]", join(root, "proc/600/ns/net.new"));
    rmSync(join(root, "proc/600/ns/net"));
    symlinkSync("net:[4026532900]", join(root, "proc/600/ns/net"));
    writeFileSync(join(root, "proc/600/cgroup"), `0::/system.slice/docker-${CID.api}.scope\n`);
    const p = planNamespaces(root);
    const ids = p.plans.filter((x) => x.record.id.startsWith("docker:api")).map((x) => [
      x.record.id,
      x.record.inode,
    ]);
    assert.deepEqual(ids, [["docker:api", 4026532800], ["docker:api#2", 4026532900]]);
    assert.ok(p.warnings.some((w) => w.startsWith("several namespaces are docker:api")));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("firewallForwards() reads Docker's DNAT rules from the firewall section's nft tables", () => {
  const text = readFileSync(
    new URL("../testdata/namespaces/nft-a-list-table-ip-nat.txt", import.meta.url),
    "utf8",
  );
  const tables = parseNftRuleset(text, "nft -a list table ip nat").value;
  assert.deepEqual(
    firewallForwards({ tables }).map((f) =>
      `${f.hostAddress}:${f.hostPort} ${f.toAddress}:${f.toPort}`
    ),
    ["127.0.0.1:18099 10.123.250.2:80", "0.0.0.0:8099 10.124.77.2:8080"],
  );
});
