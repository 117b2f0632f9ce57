import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNetstatAn } from "../../../src/parse/bsd/netstat_an.ts";
import { servicePort } from "../../../src/net/services.ts";
import { canonicalAddress } from "../../../src/net/address.ts";
import { jc, jcAddress, testdata } from "./helpers.ts";

type Jc = Record<string, unknown>;

/** jc's tcp/udp rows (raw and unix/kctl/kevt rows are outside nsnap's connections). */
function jcSockets(path: string): Jc[] {
  return jc(path).filter((r) => r.kind === "network" && /^(tcp|udp)/.test(String(r.proto)));
}

function assertMatchesJc(text: string, jcPath: string, src: string) {
  const parsed = parseNetstatAn(text, src);
  const { connections } = parsed.value;
  const port = (p: unknown) => p === "*" ? 0 : servicePort(String(p));
  // jc leaves rows it could not split (FreeBSD -AaT udp, blank columns) without addresses.
  const known = (r: Jc) => r.local_address !== undefined;
  const expected = jcSockets(jcPath).filter((r) =>
    !known(r) || (port(r.local_port) !== undefined && port(r.foreign_port) !== undefined)
  );
  assert.equal(connections.length, expected.length);
  connections.forEach((c, i) => {
    const e = expected[i]!;
    const proto = String(e.proto);
    assert.equal(c.protocol, proto.slice(0, 3), `row ${i}`);
    assert.equal(c.family, /6/.test(proto) ? "inet6" : "inet", `row ${i}`);
    if (!known(e)) return;
    assert.equal(
      c.localAddress,
      canonicalAddress(jcAddress(e.local_address, c.family)),
      `row ${i}`,
    );
    assert.equal(c.localPort, port(e.local_port), `row ${i}`);
    assert.equal(
      c.remoteAddress,
      canonicalAddress(jcAddress(e.foreign_address, c.family)),
      `row ${i}`,
    );
    assert.equal(c.remotePort, port(e.foreign_port), `row ${i}`);
    if (e.state) assert.equal(c.state, e.state, `row ${i}`);
    if (typeof e.recv_q === "number") assert.equal(c.recvQ, e.recv_q, `row ${i}`);
    if (typeof e.send_q === "number") assert.equal(c.sendQ, e.send_q, `row ${i}`);
  });
  return parsed;
}

test("parseNetstatAn() reads macOS netstat -An like jc: 137 tcp/udp sockets, unix/kctl/kevt skipped", () => {
  const p = "fixtures/darwin/netstat-An/jc-osx-10.14.6";
  const { value: { connections }, warnings } = assertMatchesJc(
    testdata(p + ".txt"),
    p + ".json",
    p,
  );
  assert.equal(connections.length, 137);
  // Truncated IPv6 addresses are kept as printed and reported once.
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /truncated/);
  assert.ok(connections.some((c) => c.localAddress === "2600:1700:bab0:d"));
});

test("parseNetstatAn() maps tcp46/udp46 to inet6 with the :: wildcard and UDP without state to UNCONN", () => {
  const { value: { connections } } = parseNetstatAn(
    testdata("fixtures/darwin/netstat-An/jc-osx-10.14.6.txt"),
  );
  const u46 = connections.filter((c) => c.protocol === "udp" && c.family === "inet6");
  assert.ok(u46.length > 0);
  const wild = connections.find((c) => c.protocol === "udp" && c.localPort === 5353);
  assert.equal(wild?.state, "UNCONN");
  assert.equal(wild?.remoteAddress, wild?.family === "inet6" ? "::" : "0.0.0.0");
  assert.equal(wild?.remotePort, 0);
  assert.ok(connections.every((c) => c.uid === undefined && c.inode === undefined));
});

test("parseNetstatAn() keeps resolved names and well-known service ports, warning on unknown ones", () => {
  const p = "fixtures/darwin/netstat/jc-osx-10.14.6";
  const { value: { connections }, warnings } = assertMatchesJc(
    testdata(p + ".txt"),
    p + ".json",
    p,
  );
  assert.equal(connections.length, 152);
  assert.equal(connections[0]?.localAddress, "kbrazil-mac.attl");
  assert.equal(connections[0]?.remotePort, 443);
  const portWarnings = warnings.filter((w) => /cannot read .* \(port/.test(w));
  assert.equal(portWarnings.length, 5);
  assert.match(portWarnings[0]!, /^fixtures\/darwin\/netstat\/jc-osx-10\.14\.6:16: /);
  assert.equal(connections.length + portWarnings.length, jcSockets(p + ".json").length);
});

for (const v of ["netstat-an", "netstat-Aa", "netstat-AaT", "netstat-Aax"]) {
  test(`parseNetstatAn() reads FreeBSD ${v} like jc with no warnings`, () => {
    const p = `fixtures/freebsd/${v}/jc-freebsd12`;
    const { value: { connections }, warnings } = assertMatchesJc(
      testdata(p + ".txt"),
      p + ".json",
      p,
    );
    assert.equal(connections.length, 6);
    assert.deepEqual(warnings, []);
  });
}

test("parseNetstatAn() reports TCP state UNKNOWN where the view has no state column (-AaT)", () => {
  const { value: { connections } } = parseNetstatAn(
    testdata("fixtures/freebsd/netstat-AaT/jc-freebsd12.txt"),
  );
  assert.ok(connections.filter((c) => c.protocol === "tcp").every((c) => c.state === "UNKNOWN"));
  const udp = connections.filter((c) => c.protocol === "udp");
  assert.equal(udp.length, 2);
  assert.ok(udp.every((c) => c.state === "UNCONN" && c.localPort === 514));
});

test("parseNetstatAn() takes pids from the -anv pid column, leaving pid 0 unknown", () => {
  const { value: { connections }, warnings } = parseNetstatAn(
    testdata("darwin/netstat-anv-10.15.txt"),
  );
  assert.equal(connections.length, 12);
  const cups = connections.find((c) => c.localPort === 631);
  assert.equal(cups?.pid, 137);
  assert.deepEqual(cups?.pids, [137]);
  const tw = connections.find((c) => c.state === "TIME_WAIT");
  assert.equal(tw?.pid, undefined);
  const ssh = connections.find((c) => c.localPort === 22);
  assert.equal(ssh?.family, "inet6");
  assert.equal(ssh?.localAddress, "::");
  assert.equal(connections.find((c) => c.recvQ === 31)?.state, "CLOSE_WAIT");
  const ll = connections.find((c) => c.localPort === 1023);
  assert.equal(ll?.localAddress, "fe80::1%lo0");
  assert.equal(connections.filter((c) => c.protocol === "udp" && c.state === "UNCONN").length, 3);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /truncated/);
});

test("parseNetstatAn() reads macOS 14 process:pid columns, names with spaces included", () => {
  const { value: { connections, processes: processNames }, warnings } = parseNetstatAn(
    testdata("darwin/netstat-anv-14.txt"),
  );
  assert.deepEqual(warnings, []);
  assert.equal(connections.length, 4);
  assert.equal(connections.find((c) => c.localPort === 52800)?.pid, 812);
  assert.equal(processNames.find((p) => p.pid === 812)?.name, "Google Chrome He");
  assert.equal(processNames.find((p) => p.pid === 178)?.name, "mDNSResponder");
  assert.equal(connections.find((c) => c.protocol === "udp")?.state, "UNCONN");
});

test("parseNetstatAn() turns an unreadable row into a warning naming source and line", () => {
  const text = testdata("fixtures/freebsd/netstat-an/jc-freebsd12.txt").replace(
    "tcp4       0      0 *.22",
    "tcp4       x      0 *.22",
  );
  const { value: { connections }, warnings } = parseNetstatAn(text, "broken.txt");
  assert.equal(connections.length, 5);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^broken\.txt:5: cannot read queue sizes: "tcp4 +x/);
});

test("parseNetstatAn() refuses text with no netstat table", () => {
  assert.throws(() => parseNetstatAn("hello\nworld\n", "x.txt"), { name: "ParseError" });
  assert.deepEqual(parseNetstatAn("").value.connections, []);
});

test("parseNetstatAn() writes BSD states as nsnap names them: SYN_RCVD, FIN_WAIT_1, CLOSED", () => {
  // The FreeBSD -an fixture's ssh session, with the states BSD prints (netinet/tcp_fsm.h
  // tcpstates[]) that Linux spells otherwise.
  const text = testdata("fixtures/freebsd/netstat-an/jc-freebsd12.txt");
  const row = text.split("\n").find((l) => l.includes("ESTABLISHED"))!;
  const states = ["SYN_RCVD", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSED", "SYN_SENT", "LAST_ACK"];
  const header = text.split("\n").slice(0, 2);
  const rows = states.map((s) => row.replace("ESTABLISHED", s.padEnd(11)));
  const { value: { connections }, warnings } = parseNetstatAn([...header, ...rows].join("\n"));
  assert.deepEqual(warnings, []);
  assert.deepEqual(connections.map((c) => c.state), [
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "CLOSE",
    "SYN_SENT",
    "LAST_ACK",
  ]);
});

for (const file of ["netstat-AaP.txt", "netstat-AacCP.txt"]) {
  test(`parseNetstatAn() reads FreeBSD's trailing columns (${file}) and the same sockets as -Aa`, () => {
    const plain = parseNetstatAn(testdata("fixtures/freebsd/netstat-Aa/jc-freebsd12.txt"));
    const { value, warnings } = parseNetstatAn(testdata(`freebsd/${file}`), file);
    assert.deepEqual(warnings, []);
    assert.deepEqual(value.connections, plain.value.connections);
    assert.deepEqual(value.connections.map((c) => c.state), [
      "ESTABLISHED",
      "LISTEN",
      "LISTEN",
      "LISTEN",
      "UNCONN",
      "UNCONN",
    ]);
  });
}
