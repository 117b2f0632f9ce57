/**
 * Format detection for `nsnap import`: recognises a saved tool output or /proc/net file by its
 * content alone (never its name), or says it does not know.
 *
 * Ambiguities, and how they are settled:
 * - /proc/net/tcp vs tcp6 (and udp vs udp6): by the width of the first row's hex address (8 or 32
 *   digits), or by the header's `rem_address` (IPv4) / `remote_address` (IPv6) when there is no row.
 * - /proc/net/tcp vs udp: the kernel's udp header ends in `ref pointer drops`, tcp's does not; a
 *   table without it is read as tcp unless every row is in a UDP state (01 or 07) and a row is
 *   unconnected (07). `detectCandidates` lists both where the text allows both.
 * - Linux vs BSD `netstat`: the BSD header says `(state)` (or starts with Socket/Tcpcb), Linux's
 *   says `State`; BSD `netstat -i` has `Name Mtu Network Address`, Linux's `Iface MTU … RX-OK`.
 * - Linux vs BSD `netstat -s`: Linux sections are the kernel's groups (`Ip:`, `Tcp:`, `TcpExt:`),
 *   BSD's are lower case (`tcp:`, `ip6:`).
 * - Linux vs BSD `ifconfig`: BSD prints `options=`, hex netmasks, `status:`, `metric 0 mtu` (looked
 *   for first: Linux never prints them); net-tools prints `Link encap:` or `txqueuelen`/`RX packets`.
 * - /proc/net/snmp6 vs dev_snmp6/<iface>: the per-interface file starts with `ifIndex`.
 */

/** Every format `nsnap import` knows. */
export const FORMAT_IDS = [
  "ss",
  "linux-netstat",
  "linux-netstat-i",
  "linux-netstat-s",
  "route-n",
  "ip-route",
  "ip-addr",
  "ip-json-addr",
  "ip-json-route",
  "linux-ifconfig",
  "proc-net-tcp",
  "proc-net-tcp6",
  "proc-net-udp",
  "proc-net-udp6",
  "proc-net-dev",
  "proc-net-route",
  "proc-net-ipv6_route",
  "proc-net-snmp",
  "proc-net-netstat",
  "proc-net-snmp6",
  "proc-net-sockstat",
  "proc-net-sockstat6",
  "proc-net-if_inet6",
  "proc-net-dev_snmp6",
  "bsd-netstat-an",
  "bsd-netstat-rn",
  "bsd-netstat-i",
  "bsd-netstat-s",
  "bsd-ifconfig",
  "lsof",
] as const;

/** One of the formats `nsnap import` knows. */
export type FormatId = typeof FORMAT_IDS[number];

/** Recognises the format of a saved output by its content; undefined when it is none of them. */
export function detectFormat(text: string): FormatId | undefined {
  return detectCandidates(text)[0];
}

/**
 * Every format the content could be, most likely first (more than one only where the formats
 * cannot be told apart, e.g. a /proc/net/udp copy that looks like tcp).
 */
export function detectCandidates(text: string): FormatId[] {
  if (text.includes("\u0000")) return [];
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const body = lines.filter((l) => l.trim() !== "");
  if (body.length === 0) return [];
  const first = body[0]!;
  const head = first.trim();

  if (head.startsWith("[") || head.startsWith("{")) {
    const json = detectJson(text);
    return json ? [json] : [];
  }

  if (/^sl\s+local_address\s+(rem|remote)_address\s+st\b/.test(head)) {
    return procSockets(head, body.slice(1));
  }
  if (/^Inter-\|\s*Receive/.test(head) && /face\s*\|\s*bytes/.test(body[1] ?? "")) {
    return ["proc-net-dev"];
  }
  if (/^Iface\s+Destination\s+Gateway\s+Flags\s+RefCnt\s+Use\s+Metric\s+Mask/.test(head)) {
    return ["proc-net-route"];
  }
  if (
    body.every((l) =>
      /^[0-9a-f]{32} [0-9a-f]{2} [0-9a-f]{32} [0-9a-f]{2} [0-9a-f]{32}( [0-9a-f]{8}){4}\s+\S+\s*$/
        .test(l)
    )
  ) {
    return ["proc-net-ipv6_route"];
  }
  if (
    body.every((l) =>
      /^[0-9a-f]{32} [0-9a-f]{2,8} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}\s+\S+\s*$/.test(l)
    )
  ) {
    return ["proc-net-if_inet6"];
  }
  const snmpGroup = /^([A-Za-z0-9]+): [A-Za-z]/.exec(head)?.[1];
  if (snmpGroup && isHeaderValuePairs(body)) {
    return /Ext$/.test(snmpGroup) ? ["proc-net-netstat"] : ["proc-net-snmp"];
  }
  if (body.every((l) => /^[A-Za-z][A-Za-z0-9]*\s+-?[0-9]+\s*$/.test(l))) {
    return /^ifIndex\s/.test(head) ? ["proc-net-dev_snmp6"] : ["proc-net-snmp6"];
  }
  if (/^sockets: used [0-9]+$/.test(head)) return ["proc-net-sockstat"];
  if (/^(TCP6|UDP6|UDPLITE6|RAW6|FRAG6): inuse [0-9]+/.test(head)) return ["proc-net-sockstat6"];

  const joined = body.slice(0, 12).join("\n");
  if (
    /^\s*(Netid\s+)?State\s+Recv-Q\s+Send-Q\s+Local\s+Address:Port\s+Peer\s+Address:Port/m.test(
      joined,
    )
  ) {
    return ["ss"];
  }
  const bsdSockets =
    /^(Socket\s+Flowhash\s+|Tcpcb\s+|PCB\s+)?Proto\s+(Recv-Q|Rexmit)\s.*Local Address\s+Foreign Address/m;
  if (bsdSockets.test(joined) && /\(state\)|^(Socket|Tcpcb|PCB)\s/m.test(joined)) {
    return ["bsd-netstat-an"];
  }
  if (/^Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address\s+State\b/m.test(joined)) {
    return ["linux-netstat"];
  }
  if (
    /^Active (Internet connections|UNIX domain sockets) \((servers and established|only servers|w\/o servers)\)$/m
      .test(joined)
  ) {
    return ["linux-netstat"];
  }
  if (/^Iface\s+MTU\s+(Met\s+)?RX-OK\s+RX-ERR/m.test(joined)) return ["linux-netstat-i"];
  if (/^Name\s+Mtu\s+Network\s+Address\s+Ipkts\s+Ierrs/m.test(joined)) return ["bsd-netstat-i"];
  if (
    /^Kernel IP(v6)? routing table$/m.test(joined) ||
    /^Destination\s+(Gateway\s+Genmask|Next Hop)\s+Flags?\s/m.test(joined)
  ) {
    return ["route-n"];
  }
  if (
    /^Routing tables$/m.test(joined) ||
    /^Destination\s+Gateway\s+Flags\s+(Refs\s+Use\s+)?Netif/m.test(joined)
  ) {
    return ["bsd-netstat-rn"];
  }
  const netstatS = statisticsSections(body);
  if (netstatS) return [netstatS];
  if (/^COMMAND\s+PID\s+USER\s+FD\s+TYPE\s+DEVICE\s+SIZE\/OFF\s+NODE\s+NAME/.test(head)) {
    return ["lsof"];
  }
  if (/^p[0-9]+$/.test(head) && body.slice(1, 4).some((l) => /^[cfnPtTuLR]/.test(l))) {
    return ["lsof"];
  }
  const ifc = ifconfigKind(body);
  if (ifc) return [ifc];
  if (isIpAddr(body)) return ["ip-addr"];
  if (isIpRoute(body)) return ["ip-route"];
  return [];
}

function detectJson(text: string): FormatId | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(doc) || doc.length === 0) return undefined;
  const objects = doc.every((x) => typeof x === "object" && x !== null && !Array.isArray(x));
  if (!objects) return undefined;
  const recs = doc as Record<string, unknown>[];
  if (recs.every((r) => typeof r.ifname === "string" && typeof r.ifindex === "number")) {
    return "ip-json-addr";
  }
  if (recs.every((r) => typeof r.dst === "string")) return "ip-json-route";
  return undefined;
}

function procSockets(header: string, rows: string[]): FormatId[] {
  const firstRow = rows.find((r) => /^\s*[0-9]+:/.test(r));
  const addr = firstRow ? /^\s*[0-9]+:\s+([0-9A-Fa-f]+):/.exec(firstRow)?.[1] : undefined;
  const v6 = addr !== undefined ? addr.length === 32 : /remote_address/.test(header);
  const states = rows.map((r) => /^\s*[0-9]+:\s+\S+\s+\S+\s+([0-9A-Fa-f]{2})\b/.exec(r)?.[1])
    .filter((s): s is string => s !== undefined);
  const tcp: FormatId = v6 ? "proc-net-tcp6" : "proc-net-tcp";
  const udp: FormatId = v6 ? "proc-net-udp6" : "proc-net-udp";
  if (/\bref\s+pointer\s+drops\b/.test(header)) return [udp];
  const udpStates = states.length > 0 && states.every((s) => s === "01" || s === "07") &&
    states.includes("07");
  if (udpStates) return [udp, tcp];
  // Without udp's extra header columns, a table of TCP states is read as tcp; a truncated or
  // hand-made copy may still be udp.
  return [tcp, udp];
}

/** /proc/net/snmp and /proc/net/netstat: "Group: names…" then "Group: values…", pairwise. */
function isHeaderValuePairs(body: string[]): boolean {
  if (body.length % 2 !== 0) return false;
  for (let i = 0; i < body.length; i += 2) {
    const names = /^([A-Za-z0-9]+):((?: [A-Za-z][A-Za-z0-9_]*)+)\s*$/.exec(body[i]!);
    const values = /^([A-Za-z0-9]+):((?: -?[0-9]+)+)\s*$/.exec(body[i + 1]!);
    if (!names || !values || names[1] !== values[1]) return false;
  }
  return true;
}

/** `netstat -s`: Linux groups (Ip:, Tcp:, TcpExt:) or BSD protocols (tcp:, ip6:). */
function statisticsSections(body: string[]): FormatId | undefined {
  const sections = body.filter((l) => /^[A-Za-z][A-Za-z0-9]*:\s*$/.test(l)).map((l) => l.trim());
  if (sections.length === 0) return undefined;
  const indented = body.filter((l) => /^\s+\S/.test(l));
  if (indented.length === 0 || sections.length + indented.length !== body.length) {
    return undefined;
  }
  if (!indented.some((l) => /(^|\s)[0-9]+(\s|$)/.test(l.trim()))) return undefined;
  const linux = /^(Ip|Icmp|IcmpMsg|Tcp|Udp|UdpLite|TcpExt|IpExt|MPTcpExt|Ip6|Icmp6|Udp6):$/;
  const bsd = /^[a-z][a-z0-9]*:$/;
  if (sections.every((s) => linux.test(s))) return "linux-netstat-s";
  if (sections.every((s) => bsd.test(s))) return "bsd-netstat-s";
  return undefined;
}

function ifconfigKind(body: string[]): FormatId | undefined {
  const header = body.find((l) => /^\S/.test(l))!;
  const linuxOld = /^\S+\s+Link encap:/.test(header);
  const flagsHeader = /^\S+?:\s+flags=[0-9a-fA-F]+<[^>]*>/.test(header);
  if (!linuxOld && !flagsHeader) return undefined;
  if (linuxOld) return "linux-ifconfig";
  const text = body.join("\n");
  if (
    /\soptions=|netmask\s+0x|^\s+status:|^\s+media:|metric [0-9]+ mtu|^\s+nd6 options/m.test(text)
  ) {
    return "bsd-ifconfig";
  }
  if (/\stxqueuelen\s|^\s+RX packets\s|netmask\s+[0-9]+\.[0-9]/m.test(text)) {
    return "linux-ifconfig";
  }
  return /^\S+?:\s+flags=[0-9a-fA-F]+<[^>]*> {2}mtu /.test(header)
    ? "linux-ifconfig"
    : "bsd-ifconfig";
}

function isIpAddr(body: string[]): boolean {
  // "Message truncated" and similar noise may come first; the first link line decides.
  const link = body.slice(0, 10).findIndex((l) =>
    /^[0-9]+:\s+\S+:\s+<[^>]*>(\s|$)/.test(l) || /^[0-9]+:\s+\S+\s+inet6?\s+\S+/.test(l)
  );
  return link >= 0;
}

const ROUTE_LINE =
  /^(?:(?:unicast|local|broadcast|multicast|throw|unreachable|prohibit|blackhole|nat|anycast)\s+)?(?:default|[0-9a-fA-F.:]+(?:\/[0-9]{1,3})?)(?:\s+(?:via|dev|proto|table|scope|src|metric|nexthop|\\)\b.*|\s*\\.*|\s*)$/;

function isIpRoute(body: string[]): boolean {
  const routeLines = body.filter((l) => !/^\s+nexthop\s/.test(l));
  if (routeLines.length === 0) return false;
  const matching = routeLines.filter((l) =>
    ROUTE_LINE.test(l.trim()) &&
    (/\s(via|dev|table|proto|nexthop)\s|\\/.test(l) ||
      /^(unreachable|prohibit|blackhole|throw)\s/.test(l))
  );
  return matching.length === routeLines.length;
}
