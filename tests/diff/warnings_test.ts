/** Comparisons to doubt: other namespaces, swapped operands, ignore rules that match nothing. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { iface, listen, proc, procs, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:05:00.000Z";

test("snapshots of two network namespaces of one host are compared with a warning", () => {
  const a = snap(T0), b = snap(T1);
  a.meta.netns = { inode: 4026531840 };
  b.meta.netns = { inode: 4026532999 };
  assert.deepEqual(diffSnapshots(a, b).warnings, [
    "the snapshots come from different network namespaces (inode 4026531840 and inode 4026532999); compared anyway",
  ]);
  b.meta.netns = { inode: 4026531840 };
  assert.deepEqual(diffSnapshots(a, b).warnings, []);
});

test("swapped operands warn and leave counters and traffic out: no false resets, no re-created interfaces", () => {
  const stats = (rx: bigint) => ({ rxBytes: rx, txBytes: rx });
  const older = snap(T0, {
    connections: [listen("0.0.0.0", 80, 1)],
    processes: procs(proc(1, "nginx")),
    interfaces: [iface("eth0", { stats: stats(100n) })],
    counters: { Tcp: { OutSegs: 100n } },
  });
  const newer = snap(T1, {
    interfaces: [iface("eth0", { stats: stats(900n) })],
    counters: { Tcp: { OutSegs: 900n } },
  });
  const d = diffSnapshots(newer, older);
  assert.deepEqual(d.warnings, [
    "the after snapshot (2026-01-01T00:00:00.000Z) was captured before the before snapshot (2026-01-01T00:05:00.000Z): the operands look swapped (give the older snapshot first); counters, interface traffic and qdisc drops not compared",
  ]);
  assert.deepEqual(d.changes.map((c) => c.kind), ["listener-opened"]);
  assert.ok(!d.sections.includes("counters"));
  // By boot time when the capture times say nothing.
  const x = snap(T0), y = snap(T0);
  y.meta.host.bootTime = "2025-11-01T00:00:00.000Z";
  assert.match(diffSnapshots(x, y).warnings[0]!, /^the after snapshot comes from an earlier boot/);
  assert.deepEqual(diffSnapshots(older, newer).warnings, []);
});

test("an ignore rule that matches nothing in either snapshot is a warning; one that matches is not", () => {
  const a = snap(T0, {
    connections: [listen("0.0.0.0", 80, 1)],
    processes: procs(proc(1, "nginx")),
    interfaces: [iface("eth0")],
    counters: { Tcp: { OutSegs: 1n } },
  });
  const d = diffSnapshots(a, snap(T1), {
    ignore: {
      counters: ["Tcp", "Tcp.Out*"],
      ports: ["80", "9999"],
      programs: ["nginx", "caddy"],
      interfaces: ["eth0", "wg*"],
      addresses: ["192.0.2.0/24"],
    },
  });
  assert.deepEqual(d.warnings, [
    '--ignore-port "9999" matches nothing in either snapshot',
    '--ignore-program "caddy" matches nothing in either snapshot',
    '--ignore-interface "wg*" matches nothing in either snapshot',
    '--ignore-address "192.0.2.0/24" matches nothing in either snapshot',
    '--ignore-counter "Tcp" matches nothing in either snapshot (counters are named Group.Name: "Tcp.*"?)',
  ]);
});
