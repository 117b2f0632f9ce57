import { test } from "node:test";
import assert from "node:assert/strict";
import { addressReach, listenerReach, widestReach } from "../../src/net/exposure.ts";

test("addressReach() classes loopback, private, link-local, multicast and public addresses", () => {
  const cases: Array<[string, string]> = [
    ["127.0.0.1", "loopback"],
    ["127.8.9.1", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.254", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["169.254.10.1", "private"],
    ["224.0.0.251", "private"],
    ["fd00::1", "private"],
    ["fe80::1%eth0", "private"],
    ["ff02::fb", "private"],
    ["::ffff:10.0.0.1", "private"],
    ["8.8.8.8", "public"],
    ["2001:4860::8888", "public"],
    ["192.0.2.7", "public"],
    ["not-an-address", "unknown"],
  ];
  for (const [a, want] of cases) assert.equal(addressReach(a), want, a);
});

test("addressReach() does not guess the class of a redacted pseudonym", () => {
  assert.equal(addressReach("240.1.2.3", true), "unknown");
  assert.equal(addressReach("2001:db8:1::5", true), "unknown");
  assert.equal(addressReach("240.1.2.3", false), "public");
  assert.equal(addressReach("127.0.0.1", true), "loopback");
});

test("a wildcard listener reaches as far as the host's widest address of its family", () => {
  const v4private = [{ family: "inet", address: "10.0.0.5" }, {
    family: "inet",
    address: "127.0.0.1",
  }];
  const v6public = [{ family: "inet6", address: "2001:4860::1" }];
  assert.equal(listenerReach("0.0.0.0", v4private), "private");
  assert.equal(listenerReach("0.0.0.0", [...v4private, ...v6public]), "private");
  assert.equal(listenerReach("::", [...v4private, ...v6public]), "public");
  assert.equal(listenerReach("::", v4private), "private", "dual-stack :: takes IPv4 too");
  assert.equal(listenerReach("0.0.0.0", [{ family: "inet", address: "127.0.0.1" }]), "loopback");
  assert.equal(listenerReach("0.0.0.0", undefined), "unknown");
  assert.equal(listenerReach("127.0.0.1", undefined), "loopback");
  assert.equal(widestReach([]), "loopback");
});
