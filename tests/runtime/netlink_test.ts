import { test } from "node:test";
import assert from "node:assert/strict";
import { errnoName } from "../../src/runtime/netlink.ts";

test("errnoName() gives the code and nsnap's words for the errors a netlink call meets", () => {
  assert.deepEqual(errnoName(1), { code: "EPERM", text: "permission denied" });
  assert.deepEqual(errnoName(95), { code: "EOPNOTSUPP", text: "operation not supported" });
  assert.deepEqual(errnoName(22), { code: "EINVAL", text: "invalid argument" });
  assert.deepEqual(errnoName(200), { code: "E200", text: "errno 200" });
});
