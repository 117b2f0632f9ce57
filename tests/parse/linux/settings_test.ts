import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSysctlA } from "../../../src/parse/linux/sysctl_a.ts";
import { settingValue, sysctlName, sysctlPath } from "../../../src/parse/linux/proc_sys.ts";
import { routingData } from "../../helpers/routing_data.ts";

test("parseSysctlA() reads every line of a real sysctl -a, values with whitespace collapsed", () => {
  const { value, warnings } = parseSysctlA(routingData("sysctl-a.txt"));
  assert.deepEqual(warnings, []);
  const names = new Set(
    routingData("sysctl-a.txt").trimEnd().split("\n").map((l) => l.split(" ")[0]),
  );
  assert.equal(Object.keys(value).length, names.size);
  assert.equal(value["net.ipv4.ip_local_port_range"], "32768 60999");
  assert.match(value["net.ipv4.tcp_rmem"]!, /^[0-9]+ [0-9]+ [0-9]+$/);
  assert.equal(value["net.ipv4.conf.v0.rp_filter"] !== undefined, true);
  assert.equal(value["kernel.domainname"], "(none)");
});

test("parseSysctlA() passes sysctl's own error lines over and warns about others", () => {
  const { value, warnings } = parseSysctlA(
    "sysctl: permission denied on key 'net.ipv4.route.flush'\nnet.core.somaxconn = 4096\n" +
      "garbage\nnet.ipv4.conf.eth0/100.rp_filter = 2\nconstructor = 1\n",
    "s.txt",
  );
  assert.deepEqual(Object.keys(value), [
    "net.core.somaxconn",
    "net.ipv4.conf.eth0/100.rp_filter",
    "constructor",
  ]);
  assert.equal(value.constructor, "1");
  assert.deepEqual(warnings, ['s.txt:3: cannot read setting: "garbage"']);
});

test("sysctlName() and sysctlPath() turn /proc/sys paths into sysctl names and back", () => {
  assert.equal(sysctlName("net/ipv4/conf/eth0.100/rp_filter"), "net.ipv4.conf.eth0/100.rp_filter");
  assert.equal(sysctlPath("net.ipv4.conf.eth0/100.rp_filter"), "net/ipv4/conf/eth0.100/rp_filter");
  assert.equal(settingValue("4096\t131072\t6291456\n"), "4096 131072 6291456");
});
