/** The import registry: one entry per format, each entry complete and reachable. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FORMATS } from "../../src/import/formats.ts";
import { detectFormat } from "../../src/import/detect.ts";
import { OPTIONAL_SECTION_NAMES, SECTION_NAMES } from "../../src/model.ts";
import { fixture, fixturePaths } from "../helpers/fixtures.ts";

test("every format of the registry has a unique id, a section, a detector and a parser", () => {
  const ids = FORMATS.map((f) => f.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const f of FORMATS) {
    assert.ok(
      ([...SECTION_NAMES, ...OPTIONAL_SECTION_NAMES] as readonly string[]).includes(f.section),
      f.id,
    );
    assert.equal(typeof f.detect, "function", f.id);
    assert.equal(typeof f.parse, "function", f.id);
  }
});

test("every Linux or BSD format in the fixtures is recognised by the entry of its system", () => {
  const seen = new Set<string>();
  for (const path of fixturePaths()) {
    const id = detectFormat(fixture(path));
    const f = FORMATS.find((x) => x.id === id);
    assert.ok(f, path);
    seen.add(f.id);
    const system = path.split("/")[0];
    assert.ok(
      f.os === "any" || f.os === (system === "linux" ? "linux" : "bsd"),
      `${path}: ${f.os}`,
    );
  }
  // No real capture among the shared fixtures: ip -j route (tests/testdata/ip-route has one),
  // a /proc/net/udp that says so (the procfs copies hold tcp rows), lsof, and the routing,
  // neighbour, settings, qdisc and firewall formats (tests/testdata/routing has each).
  assert.deepEqual(FORMATS.map((f) => f.id).filter((id) => !seen.has(id)), [
    "ip-json-rule",
    "ip-json-neigh",
    "tc-json-qdisc",
    "ip-json-route",
    "proc-net-udp",
    "lsof",
    "ip-neigh",
    "ip-rule",
    "arp-an",
    "proc-net-arp",
    "sysctl-a",
    "tc-qdisc",
    "nft-ruleset",
    "iptables-save",
  ]);
});
