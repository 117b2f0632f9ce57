/**
 * A capture across namespaces of a Kubernetes-shaped fixture tree under `--root`
 * (tests/helpers/node_tree.ts): every namespace labelled, read from its own /proc/PID/net (never
 * the host's), its sockets owned by the pids the host numbers them with, each listener's exposure
 * decided; `--netns` narrows it, and a namespace nothing runs in fails alone.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { captureSnapshot } from "../../src/collect/mod.ts";
import type { Snapshot } from "../../src/model.ts";
import type { CommandRunner } from "../../src/runtime/command.ts";
import { nodeTree } from "../helpers/node_tree.ts";
import { UsageError } from "../../src/errors.ts";

const noTools: CommandRunner = (argv) => ({
  ok: false,
  stdout: "",
  stderr: "",
  reason: `${argv[0]}: not found`,
});

async function withTree<T>(fn: (root: string) => Promise<T>): Promise<T> {
  const root = nodeTree();
  try {
    return await fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function listeners(s: Snapshot) {
  return s.connections.filter((c) => c.state === "LISTEN" || c.state === "UNCONN").map((c) =>
    `${c.namespace ?? "(own)"} ${c.protocol} ${c.localAddress}:${c.localPort} pid ${c.pid ?? "?"} ${
      c.exposure?.kind ?? "-"
    }`
  );
}

test("every namespace of the tree is captured, labelled, owned and exposed right", () =>
  withTree(async (root) => {
    const s = await captureSnapshot({ root, runner: noTools, uid: 0, platform: "linux" });
    assert.deepEqual(s.namespaces?.map((n) => n.id), [
      "host",
      "docker:api",
      "inode:4026532600",
      "netns:blue",
      "netns:empty",
      "pod:kube-system/coredns-5d78c9869d-x2x4z",
      "pod:shop/web-0",
    ]);
    assert.equal(s.meta.netns?.id, "host");
    assert.equal(s.meta.namespaces?.captured, 7);
    assert.deepEqual(listeners(s).sort(), [
      "(own) tcp 0.0.0.0:10249 pid 20 host-network",
      "docker:api tcp 0.0.0.0:8443 pid 800 published",
      "inode:4026532600 tcp 0.0.0.0:7100 pid 600 internal",
      "netns:blue tcp 0.0.0.0:7000 pid 500 internal",
      "pod:kube-system/coredns-5d78c9869d-x2x4z tcp 0.0.0.0:53 pid 400 internal",
      "pod:kube-system/coredns-5d78c9869d-x2x4z udp 0.0.0.0:53 pid 400 internal",
      "pod:shop/web-0 tcp 0.0.0.0:80 pid 301 internal",
      "pod:shop/web-0 tcp 127.0.0.1:15000 pid 302 internal",
    ]);
    const exposure = (port: number) => s.connections.find((c) => c.localPort === port)?.exposure;
    assert.equal(exposure(8443)?.summary, "published on host 0.0.0.0:8443");
    assert.equal(
      exposure(10249)?.summary,
      "host-network pod kube-system/kube-proxy-7xk2p (kube-proxy): the host's exposure applies",
    );
    assert.equal(
      exposure(15000)?.summary,
      "internal: bound to 127.0.0.1 inside pod shop/web-0 (envoy,nginx)",
    );
    // Each namespace's interfaces and counters are its own, from /proc/PID/net.
    const itfs = (ns: string) => s.interfaces.filter((i) => i.namespace === ns).map((i) => i.name);
    assert.deepEqual(itfs("netns:blue"), ["lo", "veth-blue"]);
    assert.deepEqual(
      s.interfaces.filter((i) => i.namespace === undefined).map((i) => i.name).sort(),
      [
        "eth0",
        "lo",
      ],
    );
    const web = s.namespaces!.find((n) => n.id === "pod:shop/web-0")!;
    assert.equal(web.counters?.Tcp?.ActiveOpens, 2n);
    assert.equal(web.sections.connections?.source, "/proc/300/net");
    assert.equal(web.sections.connections?.status, "ok");
    // Its UNIX listener too, from its /proc/300/net/unix, owned by envoy.
    assert.deepEqual(
      (s.unixSockets ?? []).filter((u) => u.namespace !== undefined).map((u) =>
        `${u.namespace} ${u.path} ${u.state} pid ${u.pid}`
      ),
      ["pod:shop/web-0 /run/envoy/admin.sock LISTEN pid 302"],
    );
    assert.equal(s.meta.capture?.socketLists, "every-namespace");
    assert.equal(s.counters.Tcp?.ActiveOpens, 1n, "the host's counters stay top-level");
    // Nothing runs in netns:empty: its sections fail, the others do not.
    const empty = s.namespaces!.find((n) => n.id === "netns:empty")!;
    assert.equal(empty.sections.connections?.status, "error");
    assert.equal(empty.processes, 0);
    // The unknown one is warned about.
    assert.ok(
      s.meta.namespaces?.warnings?.some((w) => w.startsWith("namespace inode:4026532600")),
      JSON.stringify(s.meta.namespaces),
    );
  }));

test("--netns narrows the capture; current is one namespace; an unknown name is a usage error", () =>
  withTree(async (root) => {
    const base = { root, runner: noTools, uid: 0, platform: "linux" } as const;
    const some = await captureSnapshot({ ...base, netns: ["pod:shop/*", "blue", "500"] });
    assert.deepEqual(some.namespaces?.map((n) => n.id), ["host", "netns:blue", "pod:shop/web-0"]);
    assert.ok(
      some.connections.every((c) =>
        c.namespace === undefined || c.namespace === "netns:blue" ||
        c.namespace === "pod:shop/web-0"
      ),
    );
    const byFile = await captureSnapshot({ ...base, netns: ["/run/netns/blue"] });
    assert.deepEqual(byFile.namespaces?.map((n) => n.id), ["host", "netns:blue"]);
    const current = await captureSnapshot({ ...base, netns: "current" });
    assert.equal(current.namespaces, undefined);
    assert.equal(current.forwards, undefined);
    assert.ok(current.connections.every((c) => c.namespace === undefined && !c.exposure));
    await assert.rejects(
      captureSnapshot({ ...base, netns: ["nope"] }),
      (e: unknown) =>
        e instanceof UsageError &&
        /^Cannot capture network namespace "nope": no such namespace \(known: host, /.test(
          e.message,
        ),
    );
  }));
