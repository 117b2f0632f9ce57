import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Connection as ConnectionSchema } from "../../src/schema.ts";
import { fastConnection } from "../../src/snapshot/fast_path.ts";
import { arbConnection } from "../helpers/arbitrary.ts";

/** A connection with one field replaced by something arbitrary, removed, or an extra key added. */
const arbMutated = fc.record({
  c: arbConnection,
  field: fc.constantFrom(
    "protocol",
    "family",
    "localAddress",
    "localPort",
    "remoteAddress",
    "remotePort",
    "state",
    "recvQ",
    "sendQ",
    "uid",
    "inode",
    "pid",
    "pids",
    "namespace",
    "exposure",
    "extra",
  ),
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
  const o: Record<string, unknown> = { ...c };
  if (value === undefined) delete o[field];
  else o[field] = value;
  return o;
});

test("fastConnection() accepts every valid connection, as the schema does", () => {
  fc.assert(
    fc.property(arbConnection, (c) => {
      assert.deepStrictEqual(fastConnection(c), ConnectionSchema.parse(c));
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
