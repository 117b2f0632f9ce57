import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ParseError } from "../../../src/errors.ts";
import { parseSs } from "../../../src/parse/linux/ss.ts";
import { parseLinuxNetstat } from "../../../src/parse/linux/netstat_an.ts";
import { parseLinuxNetstatI } from "../../../src/parse/linux/netstat_i.ts";
import { parseLinuxNetstatS } from "../../../src/parse/linux/netstat_s.ts";
import { parseRouteN } from "../../../src/parse/linux/route_n.ts";
import { parseIpRoute } from "../../../src/parse/linux/ip_route.ts";
import { parseIpAddr } from "../../../src/parse/linux/ip_addr.ts";
import { parseLinuxIfconfig } from "../../../src/parse/linux/ifconfig.ts";
import { parseProcNetIfInet6 } from "../../../src/parse/linux/proc_net_if_inet6.ts";
import { fixture, fixturePaths } from "../../helpers/fixtures.ts";

const PARSERS: [string, (text: string) => { warnings: string[] }, string][] = [
  ["parseSs", parseSs, "linux/ss-"],
  ["parseLinuxNetstat", parseLinuxNetstat, "linux/netstat"],
  ["parseLinuxNetstatI", parseLinuxNetstatI, "linux/netstat-i"],
  ["parseLinuxNetstatS", parseLinuxNetstatS, "linux/netstat-s"],
  ["parseRouteN", parseRouteN, "linux/route"],
  ["parseIpRoute", parseIpRoute, "linux/ip-"],
  ["parseIpAddr", parseIpAddr, "linux/ip-"],
  ["parseLinuxIfconfig", parseLinuxIfconfig, "linux/ifconfig"],
  ["parseProcNetIfInet6", parseProcNetIfInet6, "linux/proc-net-if_inet6"],
];

/** Runs a parser: records and warnings, or a ParseError; any other exception fails. */
function outcome(parse: (t: string) => { warnings: string[] }, text: string): void {
  try {
    const r = parse(text);
    assert.ok(Array.isArray(r.warnings));
    for (const w of r.warnings) assert.equal(typeof w, "string");
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
  }
}

/** Text made of the words these formats use, so the fuzz reaches past the header checks. */
const tokens = fc.constantFrom(
  "tcp",
  "udp",
  "LISTEN",
  "ESTAB",
  "0",
  "128",
  "0.0.0.0:*",
  "[::]:22",
  "*:*",
  'users:(("x",pid=1,fd=3))',
  "Proto",
  "Recv-Q",
  "Send-Q",
  "Iface",
  "MTU",
  "Destination",
  "Gateway",
  "Genmask",
  "default",
  "via",
  "dev",
  "eth0",
  "nexthop",
  "\\",
  "1:",
  "lo:",
  "<UP>",
  "inet",
  "inet6",
  "10.0.0.1/24",
  "fe80::1/64",
  "RX:",
  "TX:",
  "flags=4163<UP>",
  "mtu",
  "Ip:",
  "Tcp:",
  ":",
  "\n",
  "\n    ",
  " ",
);

for (const [name, parse, prefix] of PARSERS) {
  test(`${name}() returns records and warnings or a ParseError for random text`, () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => outcome(parse, s)),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(fc.array(tokens, { maxLength: 60 }), (ws) => outcome(parse, ws.join(" "))),
      { numRuns: 150 },
    );
  });

  test(`${name}() survives mutated fixtures without any other exception`, () => {
    const paths = fixturePaths().filter((p) => p.startsWith(prefix));
    assert.ok(paths.length > 0);
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 30 }),
        (path, a, b, insert) => {
          const t = fixture(path);
          const i = a % (t.length + 1), j = Math.min(t.length, i + (b % 80));
          outcome(parse, t.slice(0, i) + insert + t.slice(j));
        },
      ),
      { numRuns: 150 },
    );
  });
}

test("the Linux text parsers read Object.prototype names as plain words", () => {
  const names = ["valueOf", "constructor", "__proto__", "toString", "hasOwnProperty"];
  const texts = names.flatMap((n) => [
    `${n} 0 0 1.2.3.4:5 6.7.8.9:10 ESTABLISHED\n`,
    `Proto Recv-Q Send-Q Local Address Foreign Address State\n${n} 0 0 a:1 b:2 LISTEN\n`,
    `Ip:\n    ${n}: 3\nIcmp:\n    ICMP input histogram:\n        ${n}: 4\n`,
    `1: eth0: <UP> mtu 1\n    RX: ${n} bytes\n    1 2\n`,
    `eth0: flags=1<UP>  mtu 1\n        RX ${n} 1  bytes 2\n`,
    `10.0.0.0/8 dev eth0 table ${n}\n`,
    `Iface MTU RX-OK ${n} Flg\neth0 1500 1 2 BMRU\n`,
  ]);
  for (const [, parse] of PARSERS) {
    for (const t of texts) outcome(parse, t);
  }
  const r = parseIpRoute("10.0.0.0/8 dev eth0 table constructor\n");
  assert.equal(r.value[0]!.table, 0);
  const s = parseLinuxNetstatS(
    "Icmp:\n    ICMP input histogram:\n        constructor: 4\n        redirects: 2\n",
  );
  assert.equal(s.value.Icmp?.InRedirects, 2n);
  assert.equal(s.value.Icmp?.InConstructor, 4n);
});
