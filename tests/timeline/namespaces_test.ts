/**
 * Timelines of captures across network namespaces: things are paired by the diff's keys and the
 * namespace each change names, so a container's port 80 and the host's port 80 are two stories;
 * a container that stops is a story of its own; interface traffic is kept per namespace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Connection, Namespace, Snapshot } from "../../src/model.ts";
import { TimelineBuilder } from "../../src/timeline/mod.ts";
import { iface, listen, proc, procs, snap } from "../diff/_build.ts";
import { HOST, SECTIONS } from "../diff/_namespaces.ts";

const WEB: Namespace = {
  id: "docker:web",
  inode: 4026532100,
  kind: "docker",
  labels: { container: "web", runtime: "docker" },
  processes: 1,
  pids: [20],
  sections: SECTIONS,
  counters: {},
};

const inWeb = (c: Connection): Connection => ({ ...c, namespace: "docker:web" });

/** One moment: which listeners are up, whether container web runs, traffic so far. */
function moment(
  second: number,
  o: { host80: boolean; web80: boolean; web: boolean; bytes: bigint },
): Snapshot {
  const at = `2026-03-01T10:42:${String(second).padStart(2, "0")}.000Z`;
  const lo = (namespace?: string) =>
    iface("lo", {
      ...(namespace ? { namespace } : {}),
      stats: { rxBytes: namespace ? o.bytes * 2n : o.bytes, txBytes: 0n },
    });
  return snap(at, {
    connections: [
      ...(o.host80 ? [listen("0.0.0.0", 80, 10)] : []),
      ...(o.web && o.web80 ? [inWeb(listen("0.0.0.0", 80, 20))] : []),
    ],
    processes: procs(proc(10, "nginx"), proc(20, "httpd")),
    interfaces: [lo(), ...(o.web ? [lo("docker:web")] : [])],
    namespaces: o.web ? [HOST, WEB] : [HOST],
  });
}

function timeline() {
  const b = new TimelineBuilder();
  b.add(moment(0, { host80: true, web80: true, web: true, bytes: 0n }));
  b.add(moment(10, { host80: false, web80: true, web: true, bytes: 1000n }));
  b.add(moment(20, { host80: false, web80: false, web: true, bytes: 2000n }));
  b.add(moment(30, { host80: false, web80: false, web: false, bytes: 3000n }));
  return b.finish();
}

test("timeline across namespaces: the host's port 80 and a container's are two stories", () => {
  const doc = timeline();
  assert.deepEqual(doc.events.map((e) => [e.section, e.namespace ?? "-", e.summary]), [
    ["listeners", "-", "listener tcp 0.0.0.0:80 (nginx) closed at 10:42:10"],
    ["listeners", "docker:web", "listener tcp 0.0.0.0:80 (httpd) in docker:web closed at 10:42:20"],
    ["namespaces", "-", "container web went away at 10:42:30"],
  ]);
  assert.deepEqual(doc.events[1]!.key, {
    protocol: "tcp",
    family: "inet",
    address: "0.0.0.0",
    port: 80,
  });
});

test("timeline across namespaces: traffic of interfaces with one name is kept per namespace", () => {
  const doc = timeline();
  assert.deepEqual(doc.steps[0]!.traffic.lo, { rx: 100, tx: 0, errors: 0, drops: 0 });
  assert.deepEqual(doc.steps[0]!.traffic["docker:web/lo"], {
    rx: 200,
    tx: 0,
    errors: 0,
    drops: 0,
  });
  assert.equal(doc.steps[2]!.traffic["docker:web/lo"], undefined, "gone with its namespace");
});
