/**
 * What a fleet diff must say after a deploy that gave one host a new listener, asserted through
 * the command line as an operator runs it: `nsnap diff BEFORE_DIR AFTER_DIR`. Used by the fleet
 * system test (namespaces as hosts) and by the Ansible end-to-end test (hosts reached by ssh).
 *
 * @example
 * ```ts
 * import { assertFleetDiffNamesHost } from "./fleet_diff.ts";
 * import { nsnapBinary } from "./binary.ts";
 * declare const snapshots: string;
 * assertFleetDiffNamesHost(`${snapshots}/before`, `${snapshots}/after`, {
 *   hosts: ["web-1", "web-2", "db-1"],
 *   changed: "web-2",
 *   port: 9100,
 *   nsnap: [nsnapBinary()],
 * });
 * ```
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { cliPrefix, ROOT } from "./cli.ts";

/** What the deploy did, and how to run nsnap. */
export interface FleetExpectation {
  /** Every host paired in both folders (their report names: hostnames). */
  hosts: readonly string[];
  /** The one host that opened a listener. */
  changed: string;
  /** Its new TCP listener's port, on the any-address. */
  port: number;
  /** The program holding it, when known (`socat`). */
  program?: string;
  /** Hosts only in BEFORE, and only in AFTER (default none). */
  vanished?: readonly string[];
  appeared?: readonly string[];
  /** The argv prefix that runs nsnap (default: this runtime on mod.ts; the binary: [path]). */
  nsnap?: readonly string[];
  /** Extra options for every run (`--pair-by hostname`). */
  options?: readonly string[];
}

/** The parts of the fleet document these assertions read. */
interface FleetJson {
  summary: { hosts: number; vanished: number; appeared: number };
  gate: { tripped: boolean; hosts: string[]; kinds: string[] };
  vanished: { name: string }[];
  appeared: { name: string }[];
  rollup: {
    kind: string;
    key: Record<string, string | number>;
    hosts: string[];
    missing: string[];
    summary: string;
  }[];
  hosts: {
    name: string;
    diff: { changes: { kind: string; section: string; after?: { pid?: number } }[] };
  }[];
}

function run(prefix: readonly string[], args: string[]) {
  const r = spawnSync(prefix[0]!, [...prefix.slice(1), ...args], {
    encoding: "utf8",
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const sorted = (xs: readonly string[]) => [...xs].sort();

/**
 * Runs the fleet diff twice (JSON with `--fail-on listener-opened`, and text) and asserts: exit
 * 1 for the fleet; every host paired and the unpaired ones listed; the roll-up has the new
 * listener on the changed host alone, and the text report names it in one line; the other
 * hosts have no listener change. Returns the parsed document for further checks.
 */
export function assertFleetDiffNamesHost(
  before: string,
  after: string,
  expect: FleetExpectation,
): FleetJson {
  const prefix = expect.nsnap ?? cliPrefix();
  const opts = [...(expect.options ?? [])];
  const json = run(prefix, [
    "diff",
    before,
    after,
    "--format",
    "json",
    "--fail-on",
    "listener-opened",
    ...opts,
  ]);
  assert.equal(
    json.code,
    1,
    `exit 1 for the fleet under --fail-on listener-opened: ${json.stderr}`,
  );
  const doc = JSON.parse(json.stdout) as FleetJson;
  const others = expect.hosts.filter((h) => h !== expect.changed);
  assert.deepEqual(sorted(doc.hosts.map((h) => h.name)), sorted(expect.hosts), "every host paired");
  assert.deepEqual(sorted(doc.vanished.map((h) => h.name)), sorted(expect.vanished ?? []));
  assert.deepEqual(sorted(doc.appeared.map((h) => h.name)), sorted(expect.appeared ?? []));
  assert.deepEqual(doc.gate.hosts, [expect.changed], "the gate names the changed host alone");
  assert.ok(doc.gate.kinds.includes("listener-opened"));
  const line = doc.rollup.find((l) =>
    l.kind === "listener-opened" && l.key.port === expect.port && l.key.protocol === "tcp"
  );
  assert.ok(
    line,
    `a roll-up line for the listener on ${expect.port}:\n${json.stdout.slice(0, 4000)}`,
  );
  assert.deepEqual(line.hosts, [expect.changed]);
  assert.deepEqual(sorted(line.missing), sorted(others));
  if (expect.program !== undefined) assert.equal(line.key.program, expect.program);
  for (const h of doc.hosts.filter((x) => x.name !== expect.changed)) {
    const listeners = h.diff.changes.filter((c) => c.section === "listeners");
    assert.deepEqual(listeners.map((c) => c.kind), [], `${h.name} has no listener change`);
  }

  const text = run(prefix, ["diff", before, after, ...opts]);
  assert.equal(text.code, 0, text.stderr);
  const oneLine = text.stdout.replace(/\n {6}/g, " ");
  const program = expect.program === undefined
    ? "[^)]*"
    : expect.program.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const want = new RegExp(
    `listener-opened tcp 0\\.0\\.0\\.0:${expect.port} \\(${program}\\) on 1 of ${expect.hosts.length} hosts: ${expect.changed}\\n`,
  );
  assert.match(oneLine, want, "the text report names the changed host");
  return doc;
}
