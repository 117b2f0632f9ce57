import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Connection as ConnectionSchema } from "../../src/schema.ts";
import { fastConnection } from "../../src/snapshot/fast_path.ts";
import { FIELDS } from "../../src/fields.ts";
import { arbConnection, diskForm } from "../helpers/arbitrary.ts";

/** A connection with one field replaced by something arbitrary, removed, or an extra key added. */
const arbMutated = fc.record({
  c: arbConnection,
  field: fc.constantFrom(...FIELDS.connection, "extra"),
  value: fc.oneof(
    fc.anything(),
    fc.constantFrom(-1, 0.5, 65536, 2 ** 53, -0, NaN, "80", null, [1, -1], [], "tcp", "inet6"),
    fc.constantFrom(
      { kind: "internal", summary: "x" },
      { kind: "public", summary: "x" },
      { kind: "published", summary: "x", published: [{ hostAddress: "::", hostPort: 1, via: [] }] },
      {
        kind: "published",
        summary: "x",
        published: [{ hostAddress: "::", hostPort: 1, via: ["nat"] }],
      },
      {
        kind: "published",
        summary: "x",
        published: [{ hostAddress: "::", hostPort: -1, via: ["dnat"] }],
      },
      { kind: "internal", summary: 3 },
      { kind: "host-network", summary: "x", container: 5 },
    ),
    fc.constant(undefined),
  ),
}).map(({ c, field, value }) => {
  const o: Record<string, unknown> = diskForm(c);
  if (value === undefined) delete o[field];
  else o[field] = value;
  return o;
});

test("fastConnection() accepts every valid connection, as the schema does", () => {
  fc.assert(
    fc.property(arbConnection, (c) => {
      const disk = diskForm(c);
      assert.deepStrictEqual(fastConnection(disk), ConnectionSchema.parse(disk));
      assert.deepStrictEqual(fastConnection(disk), c);
    }),
    { numRuns: 300 },
  );
});

test("fastConnection() accepts nothing the schema refuses, and returns what the schema returns", () => {
  fc.assert(
    fc.property(arbMutated, (c) => {
      const fast = fastConnection(c);
      if (fast === undefined) return;
      const r = ConnectionSchema.safeParse(c);
      assert.ok(r.success, `fast path accepted ${JSON.stringify(c)}`);
      assert.deepStrictEqual(fast, r.data);
    }),
    { numRuns: 1000 },
  );
});

/** A connection whose tcp_info or timer has one field replaced, removed, or an extra key. */
const arbNestedMutated = fc.record({
  c: arbConnection,
  where: fc.constantFrom("tcpInfo", "timer"),
  field: fc.constantFrom("rtt", "lost", "caState", "bytesAcked", "congestion", "name", "extra"),
  value: fc.oneof(
    fc.anything(),
    fc.constantFrom(-1, 0.5, 2 ** 53, "1e3", "99999999999999999999", "-5", true, null, "x"),
    fc.constant(undefined),
  ),
}).map(({ c, where, field, value }) => {
  const o = diskForm(c);
  const inner = { ...(o[where] as Record<string, unknown> ?? {}) };
  if (value === undefined) delete inner[field];
  else inner[field] = value;
  o[where] = inner;
  return o;
});

test("fastConnection() takes a changed tcp_info or timer only where the schema does", () => {
  fc.assert(
    fc.property(arbNestedMutated, (c) => {
      const fast = fastConnection(c);
      const r = ConnectionSchema.safeParse(c);
      if (fast === undefined) return;
      assert.ok(r.success, `fast path accepted ${JSON.stringify(c)}`);
      assert.deepStrictEqual(fast, r.data);
    }),
    { numRuns: 1000 },
  );
});
