/**
 * deploy/ansible for real: three hosts of a fleet (namespaces with their own sshd), Debian's
 * ansible-playbook and the compiled binary. around-deploy.yml captures (capture.yml) before and
 * after a deploy playbook that gives one host a new listener; each host's snapshots come back to
 * snapshots/<phase>/<host>.json with its own hostname and the labels, the new listener is in
 * that host's after-snapshot with its pid, nothing is left on the hosts, and a second capture of
 * a phase is refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fleetSkip, withFleet } from "../../helpers/fleet.ts";
import { ANSIBLE_DIR, ansiblePlaybook, ansibleSkip } from "../../helpers/ansible.ts";
import { nsnapBinary } from "../../helpers/binary.ts";
import { assertFleetDiffNamesHost } from "../../helpers/fleet_diff.ts";

const skip = fleetSkip() || ansibleSkip();
const HOSTS = ["web-1", "web-2", "db-1"];
const CHANGED = "web-2";
const PORT = 9100;

/** The deploy between the two captures: a new listener on one host, and a wait for it. */
const DEPLOY = `---
- name: Deploy an exporter on ${CHANGED}
  hosts: ${CHANGED}
  gather_facts: false
  tasks:
    - name: Start the listener
      ansible.builtin.shell: >-
        setsid socat TCP-LISTEN:${PORT},reuseaddr,fork SYSTEM:'echo nsnap'
        </dev/null >/dev/null 2>&1 &
    - name: Wait until it listens
      ansible.builtin.wait_for:
        host: 127.0.0.1
        port: ${PORT}
        timeout: 20
`;

/**
 * The fleet diff of the two folders the playbook filled: every host paired by machine id, the
 * new listener rolled up on the changed host alone (an outlier), exit 1 under --fail-on, the
 * other hosts without listener changes (assertFleetDiffNamesHost holds the details).
 */
function assertFleetDiff(before: string, after: string): void {
  assert.equal(readdirSync(before).length, HOSTS.length);
  assert.equal(readdirSync(after).length, HOSTS.length);
  assertFleetDiffNamesHost(before, after, {
    hosts: HOSTS,
    changed: CHANGED,
    port: PORT,
    program: "socat",
    nsnap: [nsnapBinary()],
  });
}

/** Runs `fn` with a fresh folder holding an inventory of this machine only (local connection). */
async function withLocalInventory(fn: (work: string, inventory: string) => Promise<void>) {
  const work = mkdtempSync(join(tmpdir(), "nsnap-ansible-"));
  try {
    const inventory = join(work, "inventory.ini");
    writeFileSync(
      inventory,
      "localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n",
    );
    await fn(work, inventory);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The part of a snapshot this test reads. */
interface Snapshot {
  meta: { host: { hostname: string; machineId?: string }; labels: Record<string, string> };
  connections: { protocol: string; localPort: number; state: string; pid?: number }[];
  processes: Record<string, { name: string }>;
}

/** A folder like the role's dist/: the compiled binary under its architecture's name. */
function distFolder(work: string): string {
  const dist = join(work, "dist");
  mkdirSync(dist);
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  symlinkSync(nsnapBinary(), join(dist, `nsnap-linux-${arch}`));
  return dist;
}

test("ansible: around-deploy.yml brings back labelled snapshots per host, before and after", {
  skip,
  timeout: 300_000,
}, async () => {
  const work = mkdtempSync(join(tmpdir(), "nsnap-ansible-"));
  try {
    const dist = distFolder(work);
    const snapshots = join(work, "snapshots");
    const deployId = `t${process.pid}`;
    await withFleet(HOSTS, async (fleet) => {
      const inventory = join(work, "inventory.ini");
      writeFileSync(inventory, fleet.ansibleInventory({ nsnap_become: "false" }));
      const vars = [
        ["nsnap_deploy_id", deployId],
        ["nsnap_dist_dir", dist],
        ["nsnap_snapshot_dir", snapshots],
        ["nsnap_remote_tmp", "/srv"],
      ].flatMap(([k, v]) => ["-e", `${k}=${v}`]);
      const hostLogs = () => fleet.hosts.map((h) => `${h.name}: ${fleet.log(h)}`).join("\n");

      // The deploy: Ansible starts a new listener on one host.
      const deploy = join(work, "deploy.yml");
      writeFileSync(deploy, DEPLOY);
      const run = await ansiblePlaybook(work, inventory, join(ANSIBLE_DIR, "around-deploy.yml"), [
        ...vars,
        "-e",
        `nsnap_deploy_playbook=${deploy}`,
      ]);
      assert.equal(run.code, 0, `${run.output}\n${hostLogs()}`);
      const host = fleet.hosts.find((h) => h.name === CHANGED)!;
      const socat = host.pids().find((p) => {
        try {
          return readFileSync(`/proc/${p}/comm`, "utf8").trim() === "socat";
        } catch {
          return false;
        }
      });
      assert.ok(socat, `socat runs on ${CHANGED}`);
      const socatPid = host.innerPid(socat);

      // Six snapshots at the documented paths, private to the controller's user.
      assert.deepEqual(readdirSync(snapshots).sort(), ["after", "before"]);
      const machineIds = new Set<string>();
      for (const phase of ["before", "after"]) {
        assert.deepEqual(
          readdirSync(join(snapshots, phase)).sort(),
          HOSTS.map((h) => `${h}.json`).sort(),
        );
        for (const h of fleet.hosts) {
          const file = join(snapshots, phase, `${h.name}.json`);
          assert.equal(statSync(file).mode & 0o777, 0o600, file);
          const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
          assert.equal(snap.meta.host.hostname, h.name, file);
          assert.deepEqual(snap.meta.labels, {
            deploy: deployId,
            phase,
            inventory_hostname: h.name,
          });
          if (snap.meta.host.machineId !== undefined) {
            assert.equal(snap.meta.host.machineId, h.machineId, file);
            machineIds.add(`${phase} ${snap.meta.host.machineId}`);
          }
          const listener = snap.connections.find((c) =>
            c.protocol === "tcp" && c.state === "LISTEN" && c.localPort === PORT
          );
          if (phase === "after" && h.name === CHANGED) {
            assert.ok(listener, `${file} has the new listener on ${PORT}`);
            assert.equal(listener.pid, socatPid, "owned by socat, as the host numbers it");
            assert.equal(snap.processes[String(socatPid)]?.name, "socat");
          } else {
            assert.equal(listener, undefined, `${file} has no listener on ${PORT}`);
          }
          // sshd is each host's pid 1, and the capture sees it listening on the host's address.
          assert.ok(
            snap.connections.some((c) => c.localPort === 22 && c.state === "LISTEN" && c.pid === 1),
            `${file}: sshd on port 22 as pid 1`,
          );
        }
      }
      if (machineIds.size > 0) assert.equal(machineIds.size, 2 * HOSTS.length);

      // Nothing of the role is left on the hosts (their private /srv holds only Ansible's tmp).
      for (const h of fleet.hosts) {
        const left = readdirSync(`${h.root}/srv`).filter((f) => f !== ".ansible-tmp");
        assert.deepEqual(left, [], `${h.name}:/srv`);
      }

      // A second "before" is refused rather than replacing the first.
      const again = await ansiblePlaybook(work, inventory, join(ANSIBLE_DIR, "capture.yml"), [
        ...vars,
        "-e",
        "nsnap_phase=before",
      ]);
      assert.notEqual(again.code, 0);
      assert.match(
        again.output,
        /Cannot fetch the snapshot of web-1: .*before\/web-1\.json exists/,
      );

      assertFleetDiff(join(snapshots, "before"), join(snapshots, "after"));
      console.log(`ansible: around-deploy.yml on ${HOSTS.length} hosts in ${run.ms.toFixed(0)} ms`);
    }, { tag: "ans" });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  assert.equal(existsSync(work), false);
});

test("ansible: the playbooks pass ansible-playbook --syntax-check", {
  skip: ansibleSkip(),
  timeout: 120_000,
}, async () => {
  await withLocalInventory(async (work, inventory) => {
    const deploy = join(work, "deploy.yml");
    writeFileSync(deploy, "- hosts: all\n  gather_facts: false\n  tasks: []\n");
    for (const playbook of ["capture.yml", "around-deploy.yml"]) {
      const r = await ansiblePlaybook(work, inventory, join(ANSIBLE_DIR, playbook), [
        "--syntax-check",
        "-e",
        `nsnap_deploy_playbook=${deploy}`,
      ]);
      assert.equal(r.code, 0, `${playbook}: ${r.output}`);
    }
  });
});

test("ansible: the role stops with one clear line on a missing phase or binary", {
  skip: ansibleSkip(),
  timeout: 120_000,
}, async () => {
  await withLocalInventory(async (work, inventory) => {
    const capture = join(ANSIBLE_DIR, "capture.yml");
    const common = ["-e", "nsnap_become=false", "-e", `nsnap_snapshot_dir=${work}/snapshots`];
    const noPhase = await ansiblePlaybook(work, inventory, capture, [
      ...common,
      "-e",
      "nsnap_deploy_id=1",
    ], join(work, "remote-tmp"));
    assert.notEqual(noPhase.code, 0);
    assert.match(noPhase.output, /Cannot capture on localhost: set nsnap_phase/);
    const empty = join(work, "empty-dist");
    mkdirSync(empty);
    const noBinary = await ansiblePlaybook(work, inventory, capture, [
      ...common,
      "-e",
      "nsnap_deploy_id=1",
      "-e",
      "nsnap_phase=before",
      "-e",
      `nsnap_dist_dir=${empty}`,
    ], join(work, "remote-tmp"));
    assert.notEqual(noBinary.code, 0);
    assert.match(
      noBinary.output,
      /Cannot push nsnap to localhost: \S+\/empty-dist\/nsnap-linux-(x64|arm64) is missing \(architecture \w+\)/,
    );
    assert.equal(existsSync(join(work, "snapshots")), false, "nothing fetched");
  });
});
