/** `--fail-on`: kinds, globs, `notable`, the kinds gated with others, and gates that cannot trip. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import { parseDiffConfig } from "../../src/diff/config.ts";
import { ALL_KINDS, gateConflict, gateTrips, parseGate } from "../../src/diff/mod.ts";

test("parseGate() takes kinds, globs over kinds and notable", () => {
  const g = parseGate(["listener-*"]);
  assert.deepEqual(g.entries[0]!.kinds, ALL_KINDS.filter((k) => k.startsWith("listener-")));
  assert.equal(gateTrips(g, { kind: "listener-restarted" }), true);
  assert.equal(gateTrips(g, { kind: "route-added" }), false);
  const n = parseGate(["notable"]);
  assert.equal(gateTrips(n, { kind: "route-added" }), false);
  assert.equal(gateTrips(n, { kind: "route-added", notable: true }), true);
  assert.equal(gateTrips(parseGate(["*-removed"]), { kind: "interface-removed" }), true);
  assert.equal(gateTrips(parseGate([]), { kind: "route-added", notable: true }), false);
});

test("listener-opened gates new instances too, listener-closed vanished ones", () => {
  assert.deepEqual(parseGate(["listener-opened"]).entries[0]!.kinds, [
    "listener-opened",
    "listener-instance-added",
  ]);
  assert.deepEqual(parseGate(["listener-closed"]).entries[0]!.kinds, [
    "listener-closed",
    "listener-instance-removed",
  ]);
  // The finer kind alone does not widen to the coarse one.
  assert.deepEqual(parseGate(["listener-instance-added"]).entries[0]!.kinds, [
    "listener-instance-added",
  ]);
});

test("a glob names every kind it matches: firewall-* the firewall section's", () => {
  assert.deepEqual(parseGate(["firewall-*"]).entries[0]!.kinds, [
    "firewall-rule-added",
    "firewall-rule-removed",
    "firewall-chain-added",
    "firewall-chain-removed",
    "firewall-chain-changed",
  ]);
});

test("an entry that names no kind is a usage error naming it and listing the kinds", () => {
  for (const bad of ["listener-openned", "fireworks-*"]) {
    assert.throws(() => parseGate([bad]), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, new RegExp(`^Cannot use --fail-on "${bad.replace("*", "\\*")}": `));
      assert.match(
        e.message,
        /known: notable, namespace-added, namespace-removed, namespace-changed, listener-opened/,
      );
      return true;
    });
  }
});

test("gateConflict() refuses a kind whose section --only leaves out; notable and globs across sections pass", () => {
  assert.equal(
    gateConflict(parseGate(["listener-opened"]), ["routes"]),
    'Cannot use --fail-on "listener-opened": its section (listeners) is not compared (--only routes)',
  );
  assert.equal(gateConflict(parseGate(["listener-opened"]), ["listeners"]), undefined);
  assert.equal(gateConflict(parseGate(["notable", "*-added"]), ["routes"]), undefined);
  assert.match(
    gateConflict(parseGate(["session-*", "route-added"]), ["routes"]) ?? "",
    /"session-\*": its section \(sessions\) is not compared/,
  );
});

test("a policy file whose fail-on cannot trip under its own only is refused, naming the file", () => {
  assert.throws(
    () => parseDiffConfig("only: [routes]\nfail-on: [listener-opened]\n", "gate.yaml"),
    /^InputError: Cannot read config gate\.yaml: fail-on "listener-opened": its section \(listeners\) is not compared \(--only routes\)$/,
  );
  const ok = parseDiffConfig(
    "fail-on: ['listener-*', notable]\nudp-services: [51820, '60000-60100']\n",
    "ok.yaml",
  );
  assert.deepEqual(ok.failOn, ["listener-*", "notable"]);
  assert.deepEqual(ok.udpServices, [[51820, 51820], [60000, 60100]]);
  assert.throws(
    () => parseDiffConfig("udp-services: [dns]\n", "u.yaml"),
    /u\.yaml: udp-services "dns"/,
  );
});
