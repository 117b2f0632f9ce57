/**
 * Records the netlink fixtures of tests/testdata/netlink/ from this machine's kernel: builds the
 * scenario namespace (see _scenario.ts), dumps each kind of record inside it with sequence number
 * 1, and writes every answer as it came (parts concatenated). Needs root.
 *
 *   deno run -A tests/system/netlink/record.ts
 */
import { writeFileSync } from "node:fs";
import { release } from "node:os";
import { AF_INET, AF_INET6 } from "../../../src/parse/netlink/addresses.ts";
import {
  extBit,
  INET_DIAG_CONG,
  INET_DIAG_INFO,
  INET_DIAG_SKMEMINFO,
  inetDiagRequest,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from "../../../src/parse/netlink/inet_diag.ts";
import { packetDiagRequest } from "../../../src/parse/netlink/packet_diag.ts";
import { addressRequest } from "../../../src/parse/netlink/rtnl_addr.ts";
import { linkRequest } from "../../../src/parse/netlink/rtnl_link.ts";
import { neighbourRequest } from "../../../src/parse/netlink/rtnl_neigh.ts";
import { qdiscRequest } from "../../../src/parse/netlink/rtnl_qdisc.ts";
import { routeRequest } from "../../../src/parse/netlink/rtnl_route.ts";
import { ruleRequest } from "../../../src/parse/netlink/rtnl_rule.ts";
import {
  UDIAG_SHOW_MEMINFO,
  UNIX_SHOW_DEFAULT,
  unixDiagRequest,
} from "../../../src/parse/netlink/unix_diag.ts";
import { NETLINK_ROUTE, NETLINK_SOCK_DIAG } from "../../../src/runtime/netlink.ts";
import { dumpBytes } from "../../../src/collect/linux/netlink.ts";
import { Netns } from "../../helpers/netns.ts";
import { buildNetwork, holdScenarioSockets, netnsPath } from "./_scenario.ts";

const OUT = new URL("../../testdata/netlink/", import.meta.url).pathname;
const tcpExt = extBit(INET_DIAG_INFO) | extBit(INET_DIAG_CONG) | extBit(INET_DIAG_SKMEMINFO);
const FIXTURES: Array<[string, number, Uint8Array]> = [
  ["inet_tcp4.bin", NETLINK_SOCK_DIAG, inetDiagRequest(1, AF_INET, IPPROTO_TCP, tcpExt)],
  ["inet_tcp6.bin", NETLINK_SOCK_DIAG, inetDiagRequest(1, AF_INET6, IPPROTO_TCP, tcpExt)],
  ["inet_udp4.bin", NETLINK_SOCK_DIAG, inetDiagRequest(1, AF_INET, IPPROTO_UDP)],
  ["inet_udp6.bin", NETLINK_SOCK_DIAG, inetDiagRequest(1, AF_INET6, IPPROTO_UDP)],
  ["unix.bin", NETLINK_SOCK_DIAG, unixDiagRequest(1, UNIX_SHOW_DEFAULT | UDIAG_SHOW_MEMINFO)],
  ["packet.bin", NETLINK_SOCK_DIAG, packetDiagRequest(1)],
  ["links.bin", NETLINK_ROUTE, linkRequest(1)],
  ["addresses.bin", NETLINK_ROUTE, addressRequest(1)],
  ["routes4.bin", NETLINK_ROUTE, routeRequest(1, AF_INET)],
  ["routes6.bin", NETLINK_ROUTE, routeRequest(1, AF_INET6)],
  ["rules4.bin", NETLINK_ROUTE, ruleRequest(1, AF_INET)],
  ["rules6.bin", NETLINK_ROUTE, ruleRequest(1, AF_INET6)],
  ["neighbours.bin", NETLINK_ROUTE, neighbourRequest(1)],
  ["neighbours_proxy.bin", NETLINK_ROUTE, neighbourRequest(1, true)],
  ["qdiscs.bin", NETLINK_ROUTE, qdiscRequest(1)],
];

const ns = new Netns("nlrec");
try {
  buildNetwork(ns);
  await holdScenarioSockets(ns, "rec", 30);
  for (const [name, protocol, request] of FIXTURES) {
    const r = dumpBytes(protocol, request, netnsPath(ns));
    if (!r.ok) throw new Error(`${name}: ${r.reason}`);
    writeFileSync(OUT + name, r.bytes);
    console.log(`${name}: ${r.bytes.length} bytes`);
  }
  console.log(`kernel ${release()}`);
} finally {
  ns.close();
}
