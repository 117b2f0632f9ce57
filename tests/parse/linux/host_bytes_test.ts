/**
 * The parsers that meet the host's bytes: `ip -j` output whose strings hold ESC or bytes that
 * are not UTF-8 (ipJsonText), and /proc/self/mountinfo with /proc's hidepid option.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ipJsonText, parseIpJsonAddr } from "../../../src/parse/linux/ip_json.ts";
import { parseMountinfo, procHiding } from "../../../src/parse/linux/proc_self_mountinfo.ts";

const enc = new TextEncoder();
const bytes = (...parts: (string | number)[]) =>
  Uint8Array.from(parts.flatMap((p) => typeof p === "number" ? [p] : [...enc.encode(p)]));

test("ipJsonText() makes ip's JSON valid whatever bytes a name holds, by the host-text rule", () => {
  // iproute2 escapes only `"`, `\` and a few controls; ESC and 0xff go out raw.
  const raw = bytes(
    '[{"ifname":"a',
    0x1b,
    'b"},{"ifname":"x',
    0xff,
    'y"},',
    '{"ifname":"a\\\\x41\\"q"}]',
  );
  const doc = JSON.parse(ipJsonText(raw));
  assert.deepEqual(doc.map((d: { ifname: string }) => d.ifname), [
    "a\x1bb",
    "x\\xffy",
    'a\\\\x41"q',
  ]);
  // Plain output is left as it is.
  const plain = '[{"ifindex":1,"ifname":"lo","addr_info":[]}]\n';
  assert.equal(ipJsonText(enc.encode(plain)), plain);
  // \u escapes and an unterminated string do not throw.
  assert.equal(JSON.parse(ipJsonText(enc.encode('["\\u00e9"]')))[0], "é");
  assert.doesNotThrow(() => ipJsonText(bytes('[{"ifname":"abc', 0x5c)));
});

test("parseIpJsonAddr() repairs a name with a control character instead of refusing the output", () => {
  const text = '[{"ifindex":5,"ifname":"a\x1bb","flags":["UP"],"mtu":1500,' +
    '"addr_info":[{"family":"inet","local":"10.9.0.1","prefixlen":24}]}]';
  const r = parseIpJsonAddr(text, "ip -j addr");
  assert.deepEqual(r.value.map((i) => [i.name, i.addresses.map((a) => a.address)]), [
    ["a\x1bb", ["10.9.0.1"]],
  ]);
  assert.throws(() => parseIpJsonAddr("[{", "x"), { name: "ParseError" });
});

test("parseMountinfo() and procHiding() find /proc's hidepid option and its group", () => {
  const text = "22 27 0:21 / /proc rw,relatime - proc proc rw\n" +
    "31 22 0:29 / /proc/sys/fs/binfmt_misc rw - binfmt_misc binfmt_misc rw\n" +
    "230 168 0:53 / /proc rw,relatime shared:5 - proc proc rw,hidepid=invisible,gid=27\n" +
    "40 27 0:30 / /mnt/with\\040space rw - tmpfs none rw\n" +
    "broken line\n";
  const r = parseMountinfo(text, "mountinfo");
  assert.deepEqual(r.warnings, ['mountinfo:5: cannot read mount line: "broken line"']);
  assert.equal(r.value[3]?.mountPoint, "/mnt/with space");
  // The last mount on /proc is the one in use.
  assert.deepEqual(procHiding(r.value), { option: "hidepid=invisible", gid: 27 });
  assert.equal(procHiding(r.value.slice(0, 2)), undefined);
  const noaccess = parseMountinfo("22 27 0:21 / /proc rw - proc proc rw,hidepid=1\n").value;
  assert.equal(procHiding(noaccess), undefined, "hidepid=1 lists every process");
});
