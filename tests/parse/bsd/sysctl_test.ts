import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSysctl } from "../../../src/parse/bsd/sysctl.ts";

test("parseSysctl() reads macOS's name: value lines and Linux's name = value", () => {
  assert.deepEqual(
    {
      ...parseSysctl("net.inet.ip.portrange.first: 49152\nnet.inet.ip.portrange.last: 65535\n")
        .value,
    },
    { "net.inet.ip.portrange.first": "49152", "net.inet.ip.portrange.last": "65535" },
  );
  assert.deepEqual({ ...parseSysctl("net.ipv4.ip_local_port_range = 32768\t60999\n").value }, {
    "net.ipv4.ip_local_port_range": "32768 60999",
  });
});

test("parseSysctl() warns about a line it cannot read and keeps the rest; __proto__ is a name", () => {
  const r = parseSysctl("garbage line here\nkern.ostype: Darwin\n__proto__: x\n", "sysctl");
  assert.deepEqual(r.warnings, ['sysctl:1: cannot read sysctl line: "garbage line here"']);
  assert.equal(r.value["kern.ostype"], "Darwin");
  assert.equal(Object.hasOwn(r.value, "__proto__"), true);
});
