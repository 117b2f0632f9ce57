/**
 * What format detection looks at: a saved output's lines, split once, and the tests several
 * formats share (is it a table of header/value pairs, an ifconfig, an `ip route` listing …).
 * Each format's own test is its `detect` in the registry (formats.ts).
 */

/** A saved output as the detectors see it. */
export interface Probe {
  text: string;
  /** Every line, without line ends. */
  lines: string[];
  /** The lines that are not blank. */
  body: string[];
  /** The first non-blank line, trimmed. */
  head: string;
  /** The first twelve non-blank lines, joined: where table headers are looked for. */
  top: string;
  /** The parsed document when the text is JSON (an array or an object), else undefined. */
  json: unknown;
}

/** The probe of a text; undefined for text no format can be (empty, binary). */
export function probeOf(text: string): Probe | undefined {
  if (text.includes("\u0000")) return undefined;
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const body = lines.filter((l) => l.trim() !== "");
  if (body.length === 0) return undefined;
  const head = body[0]!.trim();
  let json: unknown;
  if (head.startsWith("[") || head.startsWith("{")) {
    try {
      json = JSON.parse(text);
    } catch { /* not JSON after all */ }
  }
  return { text, lines, body, head, top: body.slice(0, 12).join("\n"), json };
}

/** The records of a JSON array of objects (as `ip -j` prints), else undefined. */
export function jsonRecords(p: Probe): Record<string, unknown>[] | undefined {
  const doc = p.json;
  if (!Array.isArray(doc) || doc.length === 0) return undefined;
  const objects = doc.every((x) => typeof x === "object" && x !== null && !Array.isArray(x));
  return objects ? doc as Record<string, unknown>[] : undefined;
}

/**
 * /proc/net/tcp-style tables: the family by the width of the first row's hex address (8 or 32
 * digits), or by the header's `rem_address` (IPv4) / `remote_address` (IPv6) when there is no row;
 * udp by its `ref pointer drops` header, or by rows all in UDP states (01, 07) with one unconnected.
 */
export function procSocketKind(
  p: Probe,
): { family: "inet" | "inet6"; udp: "sure" | "likely" | "unlikely" } | undefined {
  if (!/^sl\s+local_address\s+(rem|remote)_address\s+st\b/.test(p.head)) return undefined;
  const rows = p.body.slice(1);
  const firstRow = rows.find((r) => /^\s*[0-9]+:/.test(r));
  const addr = firstRow ? /^\s*[0-9]+:\s+([0-9A-Fa-f]+):/.exec(firstRow)?.[1] : undefined;
  const v6 = addr !== undefined ? addr.length === 32 : /remote_address/.test(p.head);
  const family = v6 ? "inet6" : "inet";
  if (/\bref\s+pointer\s+drops\b/.test(p.head)) return { family, udp: "sure" };
  const states = rows.map((r) => /^\s*[0-9]+:\s+\S+\s+\S+\s+([0-9A-Fa-f]{2})\b/.exec(r)?.[1])
    .filter((s): s is string => s !== undefined);
  const udpStates = states.length > 0 && states.every((s) => s === "01" || s === "07") &&
    states.includes("07");
  // Without udp's extra header columns, a table of TCP states is read as tcp; a truncated or
  // hand-made copy may still be udp.
  return { family, udp: udpStates ? "likely" : "unlikely" };
}

/** /proc/net/snmp and /proc/net/netstat: "Group: names…" then "Group: values…", pairwise. */
export function headerValuePairs(p: Probe): string | undefined {
  // Group and counter names are names: `_` too (`__proto__:` is read, prototype-free).
  const group = /^([A-Za-z0-9_]+): [A-Za-z_]/.exec(p.head)?.[1];
  if (group === undefined || p.body.length % 2 !== 0) return undefined;
  for (let i = 0; i < p.body.length; i += 2) {
    const names = /^([A-Za-z0-9_]+):((?: [A-Za-z_][A-Za-z0-9_]*)+)\s*$/.exec(p.body[i]!);
    const values = /^([A-Za-z0-9_]+):((?: -?[0-9]+)+)\s*$/.exec(p.body[i + 1]!);
    if (!names || !values || names[1] !== values[1]) return undefined;
  }
  return group;
}

/** `netstat -s`: Linux groups (Ip:, Tcp:, TcpExt:) or BSD protocols (tcp:, ip6:). */
export function statisticsKind(p: Probe): "linux" | "bsd" | undefined {
  const sections = p.body.filter((l) => /^[A-Za-z][A-Za-z0-9]*:\s*$/.test(l)).map((l) => l.trim());
  if (sections.length === 0) return undefined;
  const indented = p.body.filter((l) => /^\s+\S/.test(l));
  if (indented.length === 0 || sections.length + indented.length !== p.body.length) {
    return undefined;
  }
  if (!indented.some((l) => /(^|\s)[0-9]+(\s|$)/.test(l.trim()))) return undefined;
  const linux = /^(Ip|Icmp|IcmpMsg|Tcp|Udp|UdpLite|TcpExt|IpExt|MPTcpExt|Ip6|Icmp6|Udp6):$/;
  const bsd = /^[a-z][a-z0-9]*:$/;
  if (sections.every((s) => linux.test(s))) return "linux";
  if (sections.every((s) => bsd.test(s))) return "bsd";
  return undefined;
}

/**
 * `ifconfig`: BSD prints `options=`, hex netmasks, `status:`, `metric 0 mtu` (looked for first:
 * Linux never prints them); net-tools prints `Link encap:` or `txqueuelen`/`RX packets`.
 */
export function ifconfigKind(p: Probe): "linux" | "bsd" | undefined {
  const header = p.body.find((l) => /^\S/.test(l));
  if (header === undefined) return undefined;
  if (/^\S+\s+Link encap:/.test(header)) return "linux";
  if (!/^\S+?:\s+flags=[0-9a-fA-F]+<[^>]*>/.test(header)) return undefined;
  const text = p.body.join("\n");
  if (
    /\soptions=|netmask\s+0x|^\s+status:|^\s+media:|metric [0-9]+ mtu|^\s+nd6 options/m.test(text)
  ) {
    return "bsd";
  }
  if (/\stxqueuelen\s|^\s+RX packets\s|netmask\s+[0-9]+\.[0-9]/m.test(text)) return "linux";
  return /^\S+?:\s+flags=[0-9a-fA-F]+<[^>]*> {2}mtu /.test(header) ? "linux" : "bsd";
}

/** `ip addr` / `ip link`: "Message truncated" and similar noise may come first; a link line decides. */
export function isIpAddr(p: Probe): boolean {
  return p.body.slice(0, 10).some((l) =>
    /^[0-9]+:\s+\S+:\s+<[^>]*>(\s|$)/.test(l) || /^[0-9]+:\s+\S+\s+inet6?\s+\S+/.test(l)
  );
}

const ROUTE_LINE =
  /^(?:(?:unicast|local|broadcast|multicast|throw|unreachable|prohibit|blackhole|nat|anycast)\s+)?(?:default|[0-9a-fA-F.:]+(?:\/[0-9]{1,3})?)(?:\s+(?:via|dev|proto|table|scope|src|metric|nexthop|\\)\b.*|\s*\\.*|\s*)$/;

/**
 * `ip route` text (any family, `-o`, `table all`): every line a route, each saying something
 * only ip says (via, dev, table, proto, metric, a route type), or a multipath route whose
 * nexthops follow on indented `nexthop` lines (or after `\` with `-o`).
 */
export function isIpRoute(p: Probe): boolean {
  if (isIpNeigh(p)) return false;
  let routes = 0;
  for (let i = 0; i < p.body.length; i++) {
    const line = p.body[i]!;
    if (/^\s+nexthop\s/.test(line)) {
      if (routes === 0) return false;
      continue;
    }
    const t = line.trim();
    if (!ROUTE_LINE.test(t)) return false;
    const multipath = /^\s+nexthop\s/.test(p.body[i + 1] ?? "") || t.includes("\\");
    const says = /\s(via|dev|table|proto|metric)\s/.test(` ${t} `) ||
      /^(unreachable|prohibit|blackhole|throw)\s/.test(t);
    if (!multipath && !says) return false;
    routes++;
  }
  return routes > 0;
}

const NEIGH_LINE =
  /^[0-9a-fA-F.:]+ dev \S+(?: lladdr \S+)?(?: router)?(?: proxy)?(?: (?:ref|used|probes) \S+)*(?: [A-Z_]+)*\s*$/;

/**
 * `ip neigh` text: every line `ADDRESS dev DEVICE` and then only what ip neigh prints (lladdr,
 * router, proxy, upper-case NUD states), with at least one line saying lladdr, proxy or a state
 * (a bare `10.0.0.5 dev eth0` could be a host route).
 */
export function isIpNeigh(p: Probe): boolean {
  return p.body.every((l) => NEIGH_LINE.test(l.trim())) &&
    p.body.some((l) => / lladdr | proxy\b| [A-Z]{4,}\s*$/.test(l));
}

/** `sysctl -a`: `name = value` lines (sysctl's own error lines aside), a net.* one among them. */
export function isSysctlA(p: Probe): boolean {
  const lines = p.body.filter((l) => !l.startsWith("sysctl: "));
  return lines.length > 0 && lines.every((l) => /^[A-Za-z0-9_][A-Za-z0-9_.\/:@-]* = ?/.test(l)) &&
    lines.some((l) => l.startsWith("net."));
}

/** iptables-save: its header comment, or `*table` … `COMMIT` blocks. */
export function isIptablesSave(p: Probe): boolean {
  if (/^# Generated by ip6?tables(-legacy)?-save\b/m.test(p.top)) return true;
  return /^\*(filter|nat|mangle|raw|security)$/m.test(p.top) && /^COMMIT$/m.test(p.text);
}
