/**
 * Pairing a fleet's snapshots: by machine id, else hostname, else path; the result does not
 * depend on file order or folder layout; two snapshots of one host in one folder are an error
 * naming both; nothing is guessed when two pairings are possible.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { InputError, UsageError } from "../../src/errors.ts";
import { type Member, pairMembers, parsePairBy } from "../../src/fleet/pair.ts";
import { naturalCompare, uniqueNames } from "../../src/fleet/names.ts";
import { pathKey } from "../../src/fleet/scan.ts";

function m(
  rel: string,
  hostname: string,
  machineId?: string,
  labels: Record<string, string> = {},
): Member {
  return {
    rel,
    file: `dir/${rel}`,
    hostname,
    machineId,
    labels,
    capturedAt: "2026-01-01T00:00:00.000Z",
  };
}

/** Pairs as "before-file → after-file", sorted; unpaired as files. */
function summary(p: ReturnType<typeof pairMembers>) {
  return {
    pairs: p.pairs.map((x) => `${x.before.rel} → ${x.after.rel} (${x.by})`).sort(),
    vanished: p.vanished.map((x) => x.rel).sort(),
    appeared: p.appeared.map((x) => x.rel).sort(),
  };
}

/** The layouts hosts are stored in: nsnap's playbook, Ansible fetch, anything deeper. */
const LAYOUTS = [
  (h: string) => `${h}.json`,
  (h: string) => `${h}/tmp/nsnap.json`,
  (h: string) => `deploy-7/${h}.yaml.gz`,
  (h: string) => `x/${h}.yml`,
];

const arbHosts = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 15 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }),
      fc.array(fc.constantFrom("both", "before", "after"), {
        minLength: ids.length,
        maxLength: ids.length,
      }),
      fc.array(fc.nat(LAYOUTS.length - 1), {
        minLength: 2 * ids.length,
        maxLength: 2 * ids.length,
      }),
    )
  );

test("pairing does not depend on file order or folder layout, and lists every unpaired host", () => {
  fc.assert(
    fc.property(arbHosts, fc.integer(), fc.integer(), (h, seedA, seedB) => {
      const [ids, withId, where, layouts] = h;
      const before: Member[] = [], after: Member[] = [];
      ids.forEach((id, i) => {
        const name = `web-${id}`, mid = withId[i] ? id.toString(16).padStart(32, "0") : undefined;
        if (where[i] !== "after") before.push(m(LAYOUTS[layouts[2 * i]!]!(name), name, mid));
        if (where[i] !== "before") after.push(m(LAYOUTS[layouts[2 * i + 1]!]!(name), name, mid));
      });
      const shuffle = (list: Member[], seed: number) =>
        list.map((x, i) => ({ x, k: Math.sin(seed + i) })).sort((a, b) => a.k - b.k).map((e) =>
          e.x
        );
      const p = pairMembers(shuffle(before, seedA), shuffle(after, seedB));
      const q = pairMembers(before, after);
      assert.deepEqual(summary(p), summary(q));
      // Paired by identity: the same host on both sides, whatever its paths.
      for (const pair of p.pairs) {
        assert.equal(pair.before.hostname, pair.after.hostname);
        assert.equal(pair.by, pair.before.machineId !== undefined ? "machine-id" : "hostname");
      }
      const name = (x: Member) => x.hostname;
      const expect = (w: string) =>
        ids.filter((_, i) => where[i] === w).map((id) => `web-${id}`).sort();
      assert.deepEqual(p.pairs.map((x) => name(x.after)).sort(), expect("both"));
      assert.deepEqual(p.vanished.map(name).sort(), expect("before"));
      assert.deepEqual(p.appeared.map(name).sort(), expect("after"));
    }),
    { numRuns: 300 },
  );
});

test("two snapshots of one host in one folder are an error naming both", () => {
  fc.assert(
    fc.property(
      arbHosts,
      fc.nat(),
      fc.nat(LAYOUTS.length - 1),
      fc.boolean(),
      (h, pick, layout, inAfter) => {
        const [ids, withId] = h;
        const members = ids.map((id, i) =>
          m(
            `${LAYOUTS[0]!(`web-${id}`)}`,
            `web-${id}`,
            withId[i] ? String(id).padStart(32, "0") : undefined,
          )
        );
        const dup = members[pick % members.length]!;
        const copy = m(`copy/${LAYOUTS[layout]!(dup.hostname)}`, dup.hostname, dup.machineId);
        const folder = [...members, copy];
        const err = (() => {
          try {
            if (inAfter) pairMembers(members, folder);
            else pairMembers(folder, members);
          } catch (e) {
            return e;
          }
        })();
        assert.ok(err instanceof InputError, String(err));
        assert.ok(err.message.includes(dup.file) && err.message.includes(copy.file), err.message);
        assert.match(
          err.message,
          /^Cannot pair the fleet's snapshots: .* are the same host \(same (machine id|hostname)/,
        );
      },
    ),
    { numRuns: 200 },
  );
});

test("a machine id pairs a renamed host; two machine ids are two hosts, whatever their names", () => {
  const p = pairMembers(
    [m("a.json", "web-1", "1".repeat(32)), m("b.json", "web-2", "2".repeat(32))],
    [m("a.json", "web-1-new", "1".repeat(32)), m("b.json", "web-2", "3".repeat(32))],
  );
  assert.deepEqual(summary(p), {
    pairs: ["a.json → a.json (machine-id)"],
    vanished: ["b.json"],
    appeared: ["b.json"],
  });
  // The vanished and the appeared web-2 are told apart by their machine ids.
  assert.deepEqual(uniqueNames([...p.vanished, ...p.appeared]), [
    "web-2 (machine 22222222)",
    "web-2 (machine 33333333)",
  ]);
});

test("a snapshot without a machine id pairs by hostname with one that has it", () => {
  const p = pairMembers([m("web-1.json", "web-1")], [m("web-1.json", "web-1", "a".repeat(32))]);
  assert.deepEqual(summary(p).pairs, ["web-1.json → web-1.json (hostname)"]);
});

test("hostnames that name no one pair by path: web-1.json with web-1.yaml.gz", () => {
  const p = pairMembers(
    [m("web-1.json", "imported"), m("web-2.json", "localhost"), m("web-3.json", "")],
    [m("web-1.yaml.gz", "imported"), m("web-2.json", "localhost"), m("web-4.json", "")],
  );
  assert.deepEqual(summary(p), {
    pairs: ["web-1.json → web-1.yaml.gz (path)", "web-2.json → web-2.json (path)"],
    vanished: ["web-3.json"],
    appeared: ["web-4.json"],
  });
  assert.equal(pathKey("web-1/tmp/nsnap.json.gz"), "web-1/tmp/nsnap");
});

test("a pairing with two candidates is refused, naming them", () => {
  assert.throws(
    () =>
      pairMembers([m("w.json", "web-1")], [
        m("a.json", "web-1", "1".repeat(32)),
        m("b.json", "web-1", "2".repeat(32)),
      ]),
    (e: Error) =>
      e instanceof InputError && e.message.includes("dir/w.json") &&
      e.message.includes("dir/a.json") &&
      e.message.includes("dir/b.json") && /could be the same host/.test(e.message),
  );
});

test("--pair-by takes one key: hostname, path, label:KEY, machine-id", () => {
  const before = [
    m("a.json", "x", "1".repeat(32), { node: "n1" }),
    m("b.json", "y", "2".repeat(32), { node: "n2" }),
  ];
  const after = [
    m("b.json", "x", "3".repeat(32), { node: "n2" }),
    m("a.json", "y", "4".repeat(32), { node: "n1" }),
  ];
  assert.deepEqual(summary(pairMembers(before, after, "hostname")).pairs, [
    "a.json → b.json (hostname)",
    "b.json → a.json (hostname)",
  ]);
  assert.deepEqual(summary(pairMembers(before, after, "path")).pairs, [
    "a.json → a.json (path)",
    "b.json → b.json (path)",
  ]);
  assert.deepEqual(summary(pairMembers(before, after, "label:node")).pairs, [
    "a.json → a.json (label)",
    "b.json → b.json (label)",
  ]);
  assert.deepEqual(summary(pairMembers(before, after, "machine-id")).pairs, []);
  assert.throws(
    () => pairMembers([m("a.json", "x")], after, "machine-id"),
    /Cannot pair dir\/a.json by machine id: it has none/,
  );
  assert.throws(
    () => pairMembers(before, [m("c.json", "z")], "label:node"),
    /Cannot pair dir\/c.json by label node: it has no such label/,
  );
  assert.throws(
    () => pairMembers([m("a.json", "x"), m("b.json", "x")], [], "hostname"),
    /dir\/a.json and dir\/b.json are the same host \(same hostname "x"\)/,
  );
  assert.equal(parsePairBy("label:inventory_hostname"), "label:inventory_hostname");
  assert.throws(() => parsePairBy("mac"), UsageError);
  assert.throws(() => parsePairBy("label:"), UsageError);
});

test("names sort naturally and never print two hosts the same", () => {
  assert.deepEqual(["web-10", "web-2", "db-1", "web-02", "web-1"].sort(naturalCompare), [
    "db-1",
    "web-1",
    "web-2",
    "web-02",
    "web-10",
  ]);
  const names = uniqueNames([
    m("a/web-1.json", "web-1"),
    m("b/web-1.json", "web-1"),
    m("c.json", "imported"),
  ]);
  assert.deepEqual(names, ["web-1 (dir/a/web-1.json)", "web-1 (dir/b/web-1.json)", "c"]);
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.constantFrom("a", "b", "imported"), fc.option(fc.constantFrom("1", "2"))),
        { maxLength: 8 },
      ),
      (specs) => {
        const ms = specs.map(([h, id], i) => m(`${i % 2}/${h}.json`, h, id ?? undefined));
        const ns = uniqueNames(ms);
        assert.equal(new Set(ns).size, ns.length, ns.join(" | "));
      },
    ),
  );
});
