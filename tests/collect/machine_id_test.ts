/**
 * meta.host.machineId: the parsers of /etc/machine-id and of ioreg's platform UUID (on a
 * hand-written sample: no macOS capture exists here, see tests/testdata/darwin/README.md), and
 * the collectors reading them below the capture root or through the command runner.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseMachineId } from "../../src/parse/linux/machine_id.ts";
import { parseIoregPlatformUuid } from "../../src/parse/bsd/ioreg.ts";
import { IOREG_COMMAND, linuxMachineId } from "../../src/collect/machine_id.ts";
import { captureSnapshot } from "../../src/collect/mod.ts";
import type { CommandRunner } from "../../src/runtime/command.ts";
import { redactSnapshot } from "../../src/snapshot/redact.ts";
import { Snapshot as SnapshotSchema } from "../../src/schema.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";

const IOREG = readFileSync(
  new URL("../testdata/darwin/capture/ioreg-rd1-c-IOPlatformExpertDevice.txt", import.meta.url),
  "utf8",
);
const ID = "3d1219c7c4c5404aaa1f6d2a48adfda4";

const failAll: CommandRunner = (argv) => ({
  ok: false,
  stdout: "",
  stderr: "",
  reason: `${argv[0]}: not found`,
});

function withTree(files: Record<string, string>, fn: (root: string) => Promise<void> | void) {
  const root = mkdtempSync(join(tmpdir(), "nsnap-mid-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return Promise.resolve(fn(root)).finally(() => rmSync(root, { recursive: true, force: true }));
}

test("parseMachineId() takes 32 hex digits and a newline, lowercased", () => {
  assert.equal(parseMachineId(`${ID}\n`), ID);
  assert.equal(parseMachineId(`  ${ID.toUpperCase()}  \n`), ID);
});

test("parseMachineId() has no id for empty, uninitialized, all-zero or malformed files", () => {
  for (
    const text of [
      "",
      "\n",
      "uninitialized\n",
      "0".repeat(32),
      ID.slice(1),
      `${ID}0`,
      "x".repeat(32),
    ]
  ) {
    assert.equal(parseMachineId(text), undefined, JSON.stringify(text));
  }
});

test("parseIoregPlatformUuid() reads IOPlatformUUID from ioreg's output, uppercased", () => {
  assert.equal(parseIoregPlatformUuid(IOREG), "4C4C4544-0042-3510-8052-B2C04F4E3732");
  // The serial number and other quoted properties are not taken for it.
  assert.equal(parseIoregPlatformUuid(IOREG.replace(/.*IOPlatformUUID.*\n/, "")), undefined);
  assert.equal(parseIoregPlatformUuid(""), undefined);
  assert.equal(parseIoregPlatformUuid('"IOPlatformUUID" = "not-a-uuid"\n'), undefined);
});

test("linuxMachineId() reads /etc/machine-id below the root, else /var/lib/dbus/machine-id", async () => {
  await withTree(
    { "etc/machine-id": `${ID}\n`, "var/lib/dbus/machine-id": `${"a".repeat(32)}\n` },
    (r) => assert.equal(linuxMachineId(r), ID),
  );
  await withTree(
    { "var/lib/dbus/machine-id": `${"a".repeat(32)}\n` },
    (r) => assert.equal(linuxMachineId(r), "a".repeat(32)),
  );
  await withTree(
    { "etc/machine-id": "uninitialized\n", "var/lib/dbus/machine-id": `${ID}\n` },
    (r) => assert.equal(linuxMachineId(r), ID),
  );
  await withTree({}, (r) => assert.equal(linuxMachineId(r), undefined));
});

test("a Linux capture records meta.host.machineId from its root, and none when it is unreadable", async () => {
  await withTree({ "etc/machine-id": `${ID}\n` }, async (root) => {
    const s = await captureSnapshot({ root, runner: failAll, platform: "linux" });
    assert.equal(s.meta.host.machineId, ID);
    assert.ok(SnapshotSchema.safeParse(JSON.parse(serializeSnapshot(s, "json"))).success);
  });
  await withTree({}, async (root) => {
    const s = await captureSnapshot({ root, runner: failAll, platform: "linux" });
    assert.equal("machineId" in s.meta.host, false);
  });
});

test("a macOS capture records the IOPlatformUUID, and none when ioreg fails", async () => {
  const runner: CommandRunner = (argv) =>
    argv.join(" ") === IOREG_COMMAND.join(" ")
      ? { ok: true, stdout: IOREG, stderr: "" }
      : failAll(argv);
  const s = await captureSnapshot({ runner, uid: 0, platform: "darwin" });
  assert.equal(s.meta.host.machineId, "4C4C4544-0042-3510-8052-B2C04F4E3732");
  const none = await captureSnapshot({ runner: failAll, uid: 0, platform: "darwin" });
  assert.equal(none.meta.host.machineId, undefined);
});

test("--redact replaces the machine id with a pseudonym that is stable for one key", async () => {
  await withTree({ "etc/machine-id": `${ID}\n` }, async (root) => {
    const s = await captureSnapshot({ root, runner: failAll, platform: "linux" });
    const a = redactSnapshot(s, "k1"), b = redactSnapshot(s, "k1"), c = redactSnapshot(s, "k2");
    assert.notEqual(a.meta.host.machineId, ID);
    assert.ok(!JSON.stringify(a).includes(ID));
    assert.equal(a.meta.host.machineId, b.meta.host.machineId);
    assert.notEqual(a.meta.host.machineId, c.meta.host.machineId);
  });
});
