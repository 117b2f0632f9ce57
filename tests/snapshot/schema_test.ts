import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { schemaText } from "../../src/cli/schema.ts";
import { ROOT } from "../helpers/cli.ts";
import { runMain } from "../helpers/main.ts";
import * as S from "../../src/schema.ts";
import {
  FIELDS,
  OPTIONAL_SECTION_NAMES,
  SECTION_NAMES,
  TCP_INFO_FIELDS,
} from "../../src/fields.ts";
import { decodeTcpInfo } from "../../src/parse/netlink/tcp_info.ts";

const COMMITTED = `${ROOT}schema/nsnap-v1.schema.json`;
const COMMITTED_DIFF = `${ROOT}schema/nsnap-diff-v1.schema.json`;

test("the committed schema/nsnap-v1.schema.json is what the code produces", () => {
  assert.equal(
    readFileSync(COMMITTED, "utf8"),
    schemaText(),
    "regenerate it: deno run -A mod.ts schema > schema/nsnap-v1.schema.json",
  );
});

test("`nsnap schema` prints the published JSON Schema and exits 0", async () => {
  const r = await runMain(["schema"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(COMMITTED, "utf8"));
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.properties.schema.const, "nsnap/v1");
});

test("`nsnap schema --diff` prints the diff document's published JSON Schema", async () => {
  const r = await runMain(["schema", "--diff"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(COMMITTED_DIFF, "utf8"));
  assert.equal(JSON.parse(r.stdout).properties.schema.const, "nsnap-diff/v1");
});

test("the field lists a capture writes by (src/fields.ts) are the schema's, in its order", () => {
  const keys = (o: { shape: object }) => Object.keys(o.shape);
  const meta = S.Meta.shape;
  const expected: Record<keyof typeof FIELDS, string[]> = {
    connection: keys(S.Connection),
    exposure: keys(S.NamespaceExposure),
    publishedPort: keys(S.PublishedPort),
    timer: keys(S.SocketTimer),
    unixSocket: keys(S.UnixSocket),
    rawSocket: keys(S.RawSocket),
    packetSocket: keys(S.PacketSocket),
    process: keys(S.ProcessInfo),
    nexthop: keys(S.Nexthop),
    route: keys(S.Route),
    interfaceAddress: keys(S.InterfaceAddress),
    netInterface: keys(S.NetInterface),
    rule: keys(S.Rule),
    neighbour: keys(S.Neighbour),
    qdisc: keys(S.Qdisc),
    firewallTable: keys(S.FirewallTable),
    firewallChain: keys(S.FirewallChain),
    firewallRule: keys(S.FirewallRule),
    namespace: keys(S.Namespace),
    namespaceContainer: keys(S.NamespaceContainer),
    portBinding: keys(S.PortBinding),
    namespaceSection: keys(S.NamespaceSection),
    forward: keys(S.Forward),
    sectionStatus: keys(S.SectionStatus),
    meta: keys(S.Meta),
    host: keys(meta.host),
    netns: keys(meta.netns.unwrap()),
    tool: keys(meta.tool),
    privileges: keys(meta.privileges),
    metaSource: keys(meta.source.unwrap()),
    capture: keys(meta.capture.unwrap()),
    metaNamespaces: keys(meta.namespaces.unwrap()),
    snapshot: keys(S.Snapshot),
  };
  for (const [name, list] of Object.entries(FIELDS)) {
    assert.deepEqual([...list], expected[name as keyof typeof FIELDS], name);
  }
  assert.deepEqual(keys(meta.sections), [...SECTION_NAMES, ...OPTIONAL_SECTION_NAMES]);
  assert.deepEqual(keys(S.TcpInfo), TCP_INFO_FIELDS.map(([n]) => n));
});

test("every tcp_info field the decoder gives has its place in the schema (but the state)", () => {
  const decoded = Object.keys(decodeTcpInfo(new DataView(new ArrayBuffer(280)), 0, 280)!);
  const schema = new Set<string>(TCP_INFO_FIELDS.map(([n]) => n));
  assert.deepEqual(decoded.filter((k) => !schema.has(k)), ["state"]);
  assert.deepEqual([...schema].filter((k) => !decoded.includes(k)), ["congestion"]);
});
