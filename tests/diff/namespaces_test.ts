/** Diffs of captures across namespaces: pairing by identity, namespace changes, filters, gates. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { diffSnapshots, hasKind, parseGate } from "../../src/diff/mod.ts";
import { namespacedPair } from "./_namespaces.ts";

test("namespaces pair by id, not inode: a replaced container is re-created, its listener restarted", () => {
  const [a, b] = namespacedPair();
  const d = diffSnapshots(a, b);
  const lines = d.changes.map((c) => `${c.kind} ${c.namespace ?? "-"}: ${c.summary}`);
  assert.deepEqual(lines, [
    "namespace-added -: container new started: listens on tcp 0.0.0.0:80 (published on host 0.0.0.0:8081)",
    "namespace-removed -: container old stopped: listened on tcp 0.0.0.0:9000 (internal)",
    "namespace-changed -: container web re-created (inode 4026532100 → 4026532300, container 402653210040 → 402653230040; its counters start anew), image shop/web:1 → shop/web:2",
    "listener-restarted docker:web: container web: tcp 0.0.0.0:80: httpd restarted (pid 100 → 300)",
    "listener-publish-changed docker:web: container web: tcp 0.0.0.0:80 now published on host 0.0.0.0:8080, [::]:8080, was published on host 127.0.0.1:8080",
  ]);
  assert.deepEqual(d.sections, [
    "namespaces",
    "listeners",
    "sessions",
    "routes",
    "interfaces",
    "counters",
  ]);
  // The host's own sshd is unchanged: no change without a namespace but the namespace kinds.
  assert.equal(
    d.changes.filter((c) => c.namespace === undefined && !c.kind.startsWith("namespace-")).length,
    0,
  );
  const added = d.changes.find((c) => c.kind === "namespace-added");
  assert.equal(added?.notable, true);
});

test("a listener opened inside a container says who reaches it", () => {
  const [a, b] = namespacedPair();
  // The new container's listener in a container that existed before: opened, not a namespace.
  const before = structuredClone(b);
  before.connections = before.connections.filter((c) => c.namespace !== "docker:new");
  const d = diffSnapshots(before, b);
  const opened = d.changes.find((c) => c.kind === "listener-opened");
  assert.equal(opened?.namespace, "docker:new");
  assert.equal(
    opened?.summary,
    "container new: tcp 0.0.0.0:80 opened by httpd (pid 400), on every address; published on host 0.0.0.0:8081",
  );
  void a;
});

test("--netns and --ignore-netns globs leave namespaces out of both snapshots", () => {
  const [a, b] = namespacedPair();
  const only = diffSnapshots(a, b, { netns: ["web"] });
  assert.deepEqual(only.changes.map((c) => c.kind), [
    "namespace-changed",
    "listener-restarted",
    "listener-publish-changed",
  ]);
  const ignored = diffSnapshots(a, b, { ignore: { namespaces: ["docker:*"] } });
  assert.deepEqual(ignored.changes, []);
  const unused = diffSnapshots(a, b, { ignore: { namespaces: ["pod:kube-system/*"] } });
  assert.ok(
    unused.warnings.includes(
      '--ignore-netns "pod:kube-system/*" matches nothing in either snapshot',
    ),
  );
});

test("--fail-on applies across namespaces", () => {
  const [a, b] = namespacedPair();
  const d = diffSnapshots(a, b);
  assert.equal(hasKind(d, parseGate(["listener-restarted"])), true);
  assert.equal(hasKind(d, parseGate(["namespace-added"])), true);
  assert.equal(hasKind(d, parseGate(["listener-opened"])), false);
  assert.equal(hasKind(d, parseGate(["notable"])), true);
});

test("a capture across namespaces against one of a single namespace compares the own only", () => {
  const [a, b] = namespacedPair();
  const single = structuredClone(a);
  delete single.namespaces;
  single.connections = single.connections.filter((c) => c.namespace === undefined);
  const d = diffSnapshots(single, b);
  assert.deepEqual(d.changes, []);
  assert.ok(
    d.warnings.some((w) => w.startsWith("the before snapshot holds one network namespace")),
    d.warnings.join("\n"),
  );
});

test("UNIX listeners of other namespaces: one path in two namespaces is two listeners; an older capture's are not compared", () => {
  const [a, b] = namespacedPair();
  const sock = (path: string, inode: number, pid: number, namespace?: string) => ({
    type: "stream",
    state: "LISTEN",
    path,
    inode,
    pid,
    pids: [pid],
    ...(namespace ? { namespace } : {}),
  });
  const across = { tcpInfo: "off" as const, unixSockets: "listeners" as const };
  a.meta.capture = { ...across, socketLists: "every-namespace" };
  b.meta.capture = { ...across, socketLists: "every-namespace" };
  for (const n of [...a.namespaces!, ...b.namespaces!]) {
    n.sections = { ...n.sections, otherSockets: { status: "ok", source: "netlink" } };
  }
  a.unixSockets = [sock("/run/app.sock", 11, 1), sock("/run/app.sock", 12, 300, "docker:web")];
  b.unixSockets = [sock("/run/app.sock", 11, 1)];
  const d = diffSnapshots(a, b, { only: ["listeners"] });
  const closed = d.changes.filter((c) => c.kind === "unix-listener-closed");
  assert.deepEqual(closed.map((c) => `${c.namespace}: ${c.summary}`), [
    "docker:web: container web: unix stream /run/app.sock closed (was an unknown program)",
  ]);
  // The before side of an nsnap that read the own namespace's only: nothing said of the others.
  delete a.meta.capture.socketLists;
  const older = diffSnapshots(a, b, { only: ["listeners"] });
  assert.equal(older.changes.filter((c) => c.kind.startsWith("unix-")).length, 0);
  assert.deepEqual(
    older.warnings.filter((w) => w.includes("UNIX listeners not compared")),
    ["container web: UNIX listeners not compared: the before snapshot has no UNIX sockets"],
  );
  // Against itself, where two containers are on both sides: one warning for both, not one each.
  const same = structuredClone(a);
  same.meta.capture = { ...across, socketLists: "every-namespace" };
  const twice = diffSnapshots(a, same, { only: ["listeners"] });
  assert.deepEqual(
    twice.warnings.filter((w) => w.includes("UNIX listeners not compared")),
    [
      "UNIX listeners not compared in 2 namespaces (container old, container web): the before snapshot has no UNIX sockets",
    ],
  );
  // A namespace whose UNIX, raw and packet sockets could not be read is not compared either.
  a.meta.capture.socketLists = "every-namespace";
  a.namespaces!.find((n) => n.id === "docker:web")!.sections.otherSockets = {
    status: "error",
    error: "cannot read /proc/thread-self/net inside the namespace",
  };
  const failed = diffSnapshots(a, b, { only: ["listeners"] });
  assert.equal(failed.changes.filter((c) => c.kind.startsWith("unix-")).length, 0);
});
