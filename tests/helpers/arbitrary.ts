/**
 * fast-check arbitraries that produce valid `nsnap/v1` snapshots in their in-memory form: bigint
 * counters (beyond 2^53 and negative too), canonical IPv4/IPv6 text, pids present or absent,
 * processes keyed by their pid. Lists come in any order; `normalizeSnapshot` sorts them.
 */
import fc from "fast-check";
import type {
  Connection,
  Counters,
  Firewall,
  FirewallChain,
  Forward,
  InterfaceAddress,
  InterfaceStats,
  Meta,
  Namespace,
  NamespaceContainer,
  NamespaceExposure,
  NamespaceSection,
  Neighbour,
  NetInterface,
  PacketSocket,
  ProcessInfo,
  Qdisc,
  RawSocket,
  Route,
  Rule,
  SectionStatus,
  Settings,
  Snapshot,
  TcpInfo,
  UnixSocket,
} from "../../src/model.ts";
import { INTERFACE_STAT_NAMES, SCHEMA_ID } from "../../src/model.ts";
import { TCP_INFO_FIELDS } from "../../src/fields.ts";
import { formatIPv4, formatIPv6Groups } from "../../src/net/address.ts";
import { TCP_STATES } from "../../src/net/states.ts";

/** Drops keys whose value is undefined (exactOptionalPropertyTypes: absent, not undefined). */
function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Text that YAML or a careless writer might take for a number, a boolean or null. */
const trickyText = fc.constantFrom(
  "123",
  "0x1F",
  "1e5",
  "-0",
  "true",
  "no",
  "null",
  "~",
  "",
  " padded ",
  "a: b",
  "- item",
  "#hash",
  "multi\nline",
  'quote"s',
  "tab\there",
  "ünïcödé",
  "emoji 🙂",
  "nel\u0085ls\u2028ps\u2029", // line breaks to a YAML 1.1 reader
  "del\x7f c1\x9b bom\ufeff non\ufffe\uffff", // outside YAML's printable set
);

/** Free text: mostly plain, sometimes tricky for serialisers. */
export const arbText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 12 }), weight: 3 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }), weight: 1 },
  { arbitrary: trickyText, weight: 2 },
);

/** A canonical dotted IPv4 address. */
export const arbIPv4: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("0.0.0.0", "127.0.0.1", "10.0.0.1", "192.168.1.10"),
  fc.integer({ min: 0, max: 0xffffffff }).map(formatIPv4),
);

/** A canonical (RFC 5952) IPv6 address, often with zero runs, sometimes IPv4-mapped. */
export const arbIPv6: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("::", "::1", "fe80::1", "2001:db8::10", "::ffff:127.0.0.1"),
  fc.array(
    fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })),
    { minLength: 8, maxLength: 8 },
  ).map(formatIPv6Groups),
);

const arbPort = fc.oneof(
  fc.constantFrom(0, 22, 53, 80, 443, 65535),
  fc.integer({ min: 0, max: 65535 }),
);
const arbPid = fc.integer({ min: 1, max: 4_194_304 });
const arbNat = fc.nat({ max: 2 ** 31 });

const arbDevice = fc.constantFrom("eth0", "lo", "veth-a0", "wg0", "if12");

/** tcp_info as a capture keeps it: the summary, or (--tcp-info) every field. */
export const arbTcpInfo: fc.Arbitrary<TcpInfo> = fc.oneof(
  fc.record({
    rtt: arbNat,
    rttvar: arbNat,
    retrans: arbNat,
    totalRetrans: arbNat,
    lost: arbNat,
  }).map((t) => ({ ...t })),
  fc.tuple(
    ...TCP_INFO_FIELDS.map(([, kind]) =>
      kind === "counter"
        ? fc.oneof(
          fc.constantFrom(0n, 2n ** 53n, 2n ** 64n - 1n),
          fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        )
        : kind === "bool"
        ? fc.boolean()
        : kind === "string"
        ? fc.constantFrom("cubic", "bbr", "reno")
        : arbNat
    ),
  ).map((values) =>
    Object.fromEntries(TCP_INFO_FIELDS.map(([name], i) => [name, values[i]])) as TcpInfo
  ),
);

/** The facts netlink adds to a socket, each present or absent. */
const arbNetlinkFacts = fc.record({
  interface: fc.option(arbDevice, { nil: undefined }),
  v6only: fc.option(fc.boolean(), { nil: undefined }),
  backlog: fc.option(fc.nat({ max: 65535 }), { nil: undefined }),
  timer: fc.option(
    fc.record({
      name: fc.constantFrom("on", "keepalive", "timewait", "persist"),
      expiresMs: arbNat,
      retrans: fc.nat({ max: 255 }),
    }).map((t) => ({ ...t })),
    { nil: undefined },
  ),
  mark: fc.option(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { nil: undefined }),
  cgroupId: fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
  tcpInfo: fc.option(arbTcpInfo, { nil: undefined }),
});

/** A connection as it is on disk: 64-bit tcp_info counters as numbers or decimal strings. */
export function diskForm(c: Connection): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(
      c,
      (_k, v) =>
        typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v)) : v,
    ),
  );
}

/** A namespace id as the capture makes them. */
export const arbNamespaceId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("docker:web", "pod:shop/web-0", "compose:shop/web/1", "netns:blue", "host"),
  fc.nat().map((n) => `inode:${4026531840 + n}`),
);

/** A listener's exposure across namespaces, keys in schema order. */
export const arbExposure: fc.Arbitrary<NamespaceExposure> = fc.record({
  kind: fc.constantFrom("published" as const, "host-network" as const, "internal" as const),
  summary: arbText,
  published: fc.option(
    fc.array(
      fc.record({
        hostAddress: fc.oneof(arbIPv4, arbIPv6),
        hostPort: arbPort,
        via: fc.uniqueArray(
          fc.constantFrom("docker" as const, "docker-proxy" as const, "dnat" as const),
          {
            minLength: 1,
          },
        ).map((v) => v.sort()),
      }).map((p) => ({ ...p })), // a plain object, as a reader makes it
      { maxLength: 2 },
    ),
    { nil: undefined },
  ),
  container: fc.option(arbText, { nil: undefined }),
}).map((e) => compact<NamespaceExposure>(e));

/** A namespace of a capture across them. */
export const arbNamespace: fc.Arbitrary<Namespace> = fc.record({
  id: arbNamespaceId,
  inode: fc.option(fc.nat(), { nil: undefined }),
  kind: fc.constantFrom("docker" as const, "pod" as const, "netns" as const, "unknown" as const),
  labels: fc.dictionary(fc.constantFrom("container", "image", "pod", "podNamespace"), arbText),
  containers: fc.option(
    fc.array(
      fc.record({
        runtime: fc.constantFrom("docker", "containerd"),
        id: fc.stringMatching(/^[0-9a-f]{64}$/),
        name: fc.option(arbText, { nil: undefined }),
        ports: fc.option(
          fc.array(
            fc.record({
              protocol: fc.constantFrom("tcp" as const, "udp" as const),
              containerPort: arbPort,
              hostAddress: fc.oneof(fc.constant(""), arbIPv4),
              hostPort: arbPort,
            }),
            { maxLength: 2 },
          ),
          { nil: undefined },
        ),
        pids: fc.option(fc.array(arbPid, { maxLength: 3 }), { nil: undefined }),
      }).map((c) => compact<NamespaceContainer>(c)),
      { maxLength: 2 },
    ),
    { nil: undefined },
  ),
  processes: arbNat,
  pids: fc.array(arbPid, { maxLength: 4 }),
  sections: fc.dictionary(
    fc.constantFrom("connections", "routes", "counters"),
    fc.record({
      status: fc.constantFrom("ok" as const, "partial" as const, "error" as const),
      source: fc.option(arbText, { nil: undefined }),
    }).map((x) => compact<NamespaceSection>(x)),
  ),
  counters: fc.option(fc.constant({ Tcp: { ActiveOpens: 3n } }), { nil: undefined }),
}).map((n) => compact<Namespace>(n));

/** A forward into a namespace. */
export const arbForward: fc.Arbitrary<Forward> = fc.record({
  protocol: fc.constantFrom("tcp" as const, "udp" as const),
  hostAddress: arbIPv4,
  hostPort: arbPort,
  toAddress: arbIPv4,
  toPort: arbPort,
  via: fc.constantFrom("dnat" as const, "docker-proxy" as const),
  pid: fc.option(arbPid, { nil: undefined }),
  namespace: fc.option(arbNamespaceId, { nil: undefined }),
}).map((f) => compact<Forward>(f));

/** A TCP or UDP socket of either family; pid and pids present or absent. */
export const arbConnection: fc.Arbitrary<Connection> = fc
  .record({
    protocol: fc.constantFrom("tcp" as const, "udp" as const),
    family: fc.constantFrom("inet" as const, "inet6" as const),
    localPort: arbPort,
    remotePort: arbPort,
    tcpState: fc.constantFrom(...TCP_STATES),
    udpState: fc.constantFrom("UNCONN", "ESTABLISHED"),
    recvQ: arbNat,
    sendQ: arbNat,
    uid: fc.option(fc.oneof(fc.constant(0), fc.nat({ max: 65534 })), { nil: undefined }),
    inode: fc.option(fc.oneof(fc.constant(0), fc.nat({ max: Number.MAX_SAFE_INTEGER })), {
      nil: undefined,
    }),
    holders: fc.option(fc.uniqueArray(arbPid, { minLength: 1, maxLength: 4 }), { nil: undefined }),
    pidOnly: fc.boolean(),
    v4: fc.tuple(arbIPv4, arbIPv4),
    v6: fc.tuple(arbIPv6, arbIPv6),
    netlink: fc.option(arbNetlinkFacts, { nil: undefined }),
    namespace: fc.option(arbNamespaceId, { nil: undefined, freq: 3 }),
    exposure: fc.option(arbExposure, { nil: undefined, freq: 4 }),
  })
  .map((r) => {
    const [localAddress, remoteAddress] = r.family === "inet" ? r.v4 : r.v6;
    return compact<Connection>({
      protocol: r.protocol,
      family: r.family,
      localAddress,
      localPort: r.localPort,
      remoteAddress,
      remotePort: r.remotePort,
      state: r.protocol === "tcp" ? r.tcpState : r.udpState,
      recvQ: r.recvQ,
      sendQ: r.sendQ,
      uid: r.uid,
      inode: r.inode,
      pid: r.holders?.[0],
      pids: r.holders && !r.pidOnly ? r.holders : undefined,
      ...(r.netlink ? compact(r.netlink) : {}),
      namespace: r.namespace,
      exposure: r.namespace === undefined ? undefined : r.exposure,
    });
  });

const arbHolders = fc.option(fc.uniqueArray(arbPid, { minLength: 1, maxLength: 3 }), {
  nil: undefined,
});

/** A UNIX socket: path-bound, abstract or unbound; queues and peer present or absent. */
export const arbUnixSocket: fc.Arbitrary<UnixSocket> = fc.record({
  type: fc.constantFrom("stream", "dgram", "seqpacket"),
  state: fc.constantFrom("LISTEN", "ESTABLISHED", "UNCONN"),
  name: fc.option(
    fc.oneof(
      fc.constantFrom("/run/docker.sock", "/run/php/php-fpm.sock", "/home/alice/.s"),
      arbText.map((t) => "@" + t),
    ),
    { nil: undefined },
  ),
  recvQ: fc.option(arbNat, { nil: undefined }),
  sendQ: fc.option(arbNat, { nil: undefined }),
  backlog: fc.option(fc.nat({ max: 4096 }), { nil: undefined }),
  uid: fc.option(fc.nat({ max: 65534 }), { nil: undefined }),
  inode: fc.nat({ max: 2 ** 32 - 1 }),
  peerInode: fc.option(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { nil: undefined }),
  holders: arbHolders,
  namespace: fc.option(arbNamespaceId, { nil: undefined, freq: 3 }),
}).map(({ name, holders, ...u }) =>
  compact<UnixSocket>({
    ...u,
    path: name,
    abstract: name?.startsWith("@") ? true : undefined,
    pid: holders?.[0],
    pids: holders,
  })
);

/** A raw IP socket (ICMP, ICMPv6, any protocol). */
export const arbRawSocket: fc.Arbitrary<RawSocket> = fc.record({
  family: fc.constantFrom("inet" as const, "inet6" as const),
  ipProtocol: fc.constantFrom(1, 58, 255, 112),
  v4: fc.tuple(arbIPv4, arbIPv4),
  v6: fc.tuple(arbIPv6, arbIPv6),
  state: fc.constantFrom("UNCONN", "ESTABLISHED"),
  recvQ: arbNat,
  sendQ: arbNat,
  uid: fc.option(fc.nat({ max: 65534 }), { nil: undefined }),
  inode: fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: undefined }),
  interface: fc.option(arbDevice, { nil: undefined }),
  v6only: fc.option(fc.boolean(), { nil: undefined }),
  holders: arbHolders,
  namespace: fc.option(arbNamespaceId, { nil: undefined, freq: 3 }),
}).map(({ v4, v6, holders, ...r }) => {
  const [localAddress, remoteAddress] = r.family === "inet" ? v4 : v6;
  return compact<RawSocket>({
    ...r,
    localAddress,
    remoteAddress,
    pid: holders?.[0],
    pids: holders,
  });
});

/** A packet socket (tcpdump, a DHCP client). */
export const arbPacketSocket: fc.Arbitrary<PacketSocket> = fc.record({
  type: fc.constantFrom("raw", "dgram"),
  protocol: fc.constantFrom(0, 3, 0x0800, 0x0806, 0x86dd, 0x88cc),
  interface: fc.option(arbDevice, { nil: undefined }),
  recvQ: fc.option(arbNat, { nil: undefined }),
  uid: fc.option(fc.nat({ max: 65534 }), { nil: undefined }),
  inode: fc.nat({ max: 2 ** 32 - 1 }),
  holders: arbHolders,
  namespace: fc.option(arbNamespaceId, { nil: undefined, freq: 3 }),
}).map(({ holders, ...p }) => compact<PacketSocket>({ ...p, pid: holders?.[0], pids: holders }));

/** A process as recorded for a pid (the pid is set by arbSnapshot to match its key). */
export const arbProcess: fc.Arbitrary<ProcessInfo> = fc
  .record({
    pid: arbPid,
    ppid: fc.option(arbPid, { nil: undefined }),
    name: arbText,
    exe: fc.option(arbText.map((t) => "/usr/bin/" + t), { nil: undefined }),
    user: fc.option(arbText, { nil: undefined }),
    uid: fc.option(fc.nat({ max: 65534 }), { nil: undefined }),
    startTime: fc.option(
      fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true })
        .map((d) => d.toISOString()),
      { nil: undefined },
    ),
    cmdline: fc.option(fc.array(arbText, { maxLength: 4 }), { nil: undefined }),
  })
  .map((p) => compact(p));

/** A route of either family, with or without gateway and the optional attributes. */
export const arbRoute: fc.Arbitrary<Route> = fc
  .record({
    family: fc.constantFrom("inet" as const, "inet6" as const),
    table: fc.oneof(fc.constantFrom(254, 255, 100), fc.nat({ max: 2 ** 32 - 1 })),
    type: fc.constantFrom("unicast", "local", "broadcast", "multicast", "blackhole"),
    v4: fc.tuple(arbIPv4, fc.integer({ min: 0, max: 32 }), arbIPv4),
    v6: fc.tuple(arbIPv6, fc.integer({ min: 0, max: 128 }), arbIPv6),
    hasGateway: fc.boolean(),
    interface: fc.option(fc.constantFrom("eth0", "lo", "veth-a", "wg0"), { nil: undefined }),
    metric: fc.oneof(fc.constant(0), fc.nat({ max: 2 ** 32 - 1 })),
    protocol: fc.option(fc.constantFrom("kernel", "boot", "static", "dhcp"), { nil: undefined }),
    scope: fc.option(fc.constantFrom("universe", "link", "host"), { nil: undefined }),
    hasSource: fc.boolean(),
    flags: fc.option(fc.array(fc.constantFrom("onlink", "linkdown", "U", "G")), {
      nil: undefined,
    }),
    nexthops: fc.option(
      fc.array(
        fc.record({
          gateway: fc.option(arbIPv4, { nil: undefined }),
          interface: fc.option(fc.constantFrom("eth0", "eth1"), { nil: undefined }),
          weight: fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
        }).map((n) => compact(n)),
        { maxLength: 3 },
      ),
      { nil: undefined },
    ),
    attributes: fc.record({
      mtu: fc.option(fc.constantFrom(1200, 1300, 1500, 9000), { nil: undefined }),
      advmss: fc.option(fc.constantFrom(1260, 1460), { nil: undefined }),
      hoplimit: fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
      initcwnd: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
      initrwnd: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
      rtt: fc.option(fc.constantFrom(10, 0.5, 250), { nil: undefined }),
      congestion: fc.option(fc.constantFrom("cubic", "bbr"), { nil: undefined }),
      features: fc.option(fc.constant(["ecn"] as string[]), { nil: undefined }),
      pref: fc.option(fc.constantFrom("low", "medium", "high"), { nil: undefined }),
      expires: fc.option(fc.nat({ max: 100_000 }), { nil: undefined }),
      realms: fc.option(fc.constantFrom("5", "1/5"), { nil: undefined }),
    }, { requiredKeys: [] }).map((a) => compact(a)),
  })
  .map((r) => {
    const [dest, prefix, other] = r.family === "inet" ? r.v4 : r.v6;
    return compact<Route>({
      family: r.family,
      table: r.table,
      type: r.type,
      destination: `${dest}/${prefix}`,
      gateway: r.hasGateway ? other : undefined,
      interface: r.interface,
      metric: r.metric,
      protocol: r.protocol,
      scope: r.scope,
      source: r.hasSource ? other : undefined,
      flags: r.flags,
      nexthops: r.nexthops,
      ...r.attributes,
    });
  });

/** A bigint counter: small, near 2^53, up to 2^64-1, or negative (Tcp.MaxConn is -1). */
export const arbCounterValue: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, -1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 32n }),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: -(2n ** 63n), max: -1n }),
);

const arbStats: fc.Arbitrary<InterfaceStats> = fc
  .subarray([...INTERFACE_STAT_NAMES])
  .chain((names) =>
    fc.tuple(...names.map(() => fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))).map((values) => {
      const s: Record<string, bigint> = {};
      names.forEach((n, i) => (s[n] = values[i]!));
      return s as InterfaceStats;
    })
  );

const arbInterfaceAddress: fc.Arbitrary<InterfaceAddress> = fc.oneof(
  fc.record({
    family: fc.constant("inet" as const),
    address: arbIPv4,
    prefixLength: fc.integer({ min: 0, max: 32 }),
    scope: fc.option(fc.constantFrom("global", "host", "link"), { nil: undefined }),
    broadcast: fc.option(arbIPv4, { nil: undefined }),
  }).map((a) => compact(a)),
  fc.record({
    family: fc.constant("inet6" as const),
    address: arbIPv6,
    prefixLength: fc.integer({ min: 0, max: 128 }),
    scope: fc.option(fc.constantFrom("global", "link"), { nil: undefined }),
  }).map((a) => compact(a)),
);

/** A network interface with addresses, flags and (often) its /proc/net/dev counters. */
export const arbInterface: fc.Arbitrary<NetInterface> = fc
  .record({
    name: fc.oneof(fc.constantFrom("lo", "eth0", "veth-a", "wg0", "en0"), arbText),
    index: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
    mac: fc.option(
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
        .map((b) => b.map((x) => x.toString(16).padStart(2, "0")).join(":")),
      { nil: undefined },
    ),
    mtu: fc.option(fc.constantFrom(1500, 65536, 9000, 1280), { nil: undefined }),
    flags: fc.array(fc.constantFrom("UP", "BROADCAST", "RUNNING", "MULTICAST", "LOOPBACK"), {
      maxLength: 4,
    }),
    operState: fc.option(fc.constantFrom("up", "down", "unknown"), { nil: undefined }),
    speedMbps: fc.option(fc.constantFrom(-1, 10, 1000, 10000), { nil: undefined }),
    addresses: fc.array(arbInterfaceAddress, { maxLength: 4 }),
    stats: fc.option(arbStats, { nil: undefined }),
  })
  .map((i) => compact(i));

const arbCounterName = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,14}$/);

/** Protocol counters: groups of named bigint values, in the order they were produced. */
export const arbCounters: fc.Arbitrary<Counters> = fc.dictionary(
  fc.oneof(
    fc.constantFrom("Ip", "Tcp", "TcpExt", "Udp", "Ip6", "IcmpMsg", "Sockstat"),
    arbCounterName,
  ),
  fc.dictionary(arbCounterName, arbCounterValue, { maxKeys: 8 }),
  { maxKeys: 5 },
);

const arbStatus: fc.Arbitrary<SectionStatus> = fc.tuple(
  fc.oneof(
    fc.constant<SectionStatus>({ status: "ok" }),
    fc.array(arbText, { minLength: 1, maxLength: 2 }).map((w) => ({
      status: "partial" as const,
      warnings: w,
    })),
    arbText.map((e) => ({ status: "error" as const, error: e })),
  ),
  fc.option(fc.constantFrom("netlink", "proc", "netlink+proc", "ip -j", "netstat -rn"), {
    nil: undefined,
  }),
).map(([s, source]) => source === undefined ? s : { ...s, source });

const arbIso = fc.date({
  min: new Date(0),
  max: new Date(4102444800000),
  noInvalidDate: true,
}).map((d) => d.toISOString());

/** The meta block of a capture or an import. */
export const arbMeta: fc.Arbitrary<Meta> = fc
  .record({
    capturedAt: arbIso,
    durationMs: fc.oneof(fc.nat({ max: 100_000 }), fc.double({ min: 0, max: 1e6, noNaN: true })),
    host: fc.record({
      hostname: fc.oneof(fc.constantFrom("web-1", "db.example.com"), arbText),
      os: fc.constantFrom("linux", "darwin"),
      kernel: fc.option(fc.constantFrom("6.8.0-45-generic", "23.6.0"), { nil: undefined }),
      arch: fc.option(fc.constantFrom("x86_64", "arm64"), { nil: undefined }),
      bootTime: fc.option(arbIso, { nil: undefined }),
    }).map((h) => compact(h)),
    netns: fc.option(
      fc.record({
        inode: fc.option(fc.nat({ max: 2 ** 32 }), { nil: undefined }),
        name: fc.option(arbText, { nil: undefined }),
      }).map((n) => compact(n)),
      { nil: undefined },
    ),
    tool: fc.record({
      name: fc.constant("nsnap"),
      version: fc.constantFrom("0.1.0", "1.2.3"),
      runtime: fc.constantFrom("deno 2.9.6", "bun 1.4.5"),
    }),
    privileges: fc.record({
      uid: fc.option(fc.nat({ max: 65534 }), { nil: undefined }),
      root: fc.boolean(),
    }).map((p) => compact(p)),
    labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/), arbText, { maxKeys: 3 }),
    source: fc.option(
      fc.record({
        kind: fc.constantFrom("capture" as const, "import" as const),
        formats: fc.option(fc.array(fc.constantFrom("ss", "netstat-an")), { nil: undefined }),
        files: fc.option(fc.array(arbText, { maxLength: 2 }), { nil: undefined }),
      }).map((s) => compact(s)),
      { nil: undefined },
    ),
    capture: fc.option(
      fc.record({
        tcpInfo: fc.constantFrom("off" as const, "summary" as const, "full" as const),
        unixSockets: fc.constantFrom("listeners" as const, "all" as const),
        socketLists: fc.option(fc.constant("every-namespace" as const), { nil: undefined }),
      }).map((c) => compact(c)),
      { nil: undefined },
    ),
    redacted: fc.option(fc.boolean(), { nil: undefined }),
    sections: fc.record({
      connections: arbStatus,
      processes: arbStatus,
      routes: arbStatus,
      interfaces: arbStatus,
      counters: arbStatus,
      rules: arbStatus,
      neighbours: arbStatus,
      settings: arbStatus,
      qdiscs: arbStatus,
      firewall: arbStatus,
    }, { requiredKeys: ["connections", "processes", "routes", "interfaces", "counters"] }),
  })
  .map((m) => compact<Meta>(m as Meta));

const arbRange = fc.tuple(fc.nat({ max: 65535 }), fc.nat({ max: 100 })).map(([a, n]) => ({
  start: a,
  end: Math.min(65535, a + n),
}));

/** A policy-routing rule of either family with any of the selectors and actions. */
export const arbRule: fc.Arbitrary<Rule> = fc
  .record({
    family: fc.constantFrom("inet" as const, "inet6" as const),
    priority: fc.oneof(fc.constantFrom(0, 1000, 32766, 32767), fc.nat({ max: 2 ** 32 - 1 })),
    not: fc.option(fc.constant(true as const), { nil: undefined }),
    v4: fc.tuple(arbIPv4, fc.integer({ min: 0, max: 32 })),
    v6: fc.tuple(arbIPv6, fc.integer({ min: 0, max: 128 })),
    hasFrom: fc.boolean(),
    hasTo: fc.boolean(),
    iif: fc.option(fc.constantFrom("lo", "eth0", "wg0"), { nil: undefined }),
    oif: fc.option(fc.constantFrom("eth1", "vrf-blue"), { nil: undefined }),
    fwmark: fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: undefined }),
    fwmask: fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: undefined }),
    uidRange: fc.option(arbRange, { nil: undefined }),
    ipProto: fc.option(fc.constantFrom("tcp", "udp", "47"), { nil: undefined }),
    sport: fc.option(arbRange, { nil: undefined }),
    dport: fc.option(arbRange, { nil: undefined }),
    tos: fc.option(fc.constantFrom("0x10", "0x04"), { nil: undefined }),
    action: fc.constantFrom("lookup", "goto", "nop", "blackhole", "unreachable", "prohibit"),
    table: fc.oneof(fc.constantFrom(253, 254, 255, 100), fc.nat({ max: 2 ** 32 - 1 })),
    l3mdev: fc.boolean(),
    goto: fc.nat({ max: 40000 }),
    suppressPrefixLength: fc.option(fc.integer({ min: 0, max: 128 }), { nil: undefined }),
  })
  .map((r) => {
    const [addr, len] = r.family === "inet" ? r.v4 : r.v6;
    return compact<Rule>({
      family: r.family,
      priority: r.priority,
      not: r.not,
      from: r.hasFrom ? `${addr}/${len}` : undefined,
      to: r.hasTo ? `${addr}/${len}` : undefined,
      iif: r.iif,
      oif: r.oif,
      fwmark: r.fwmark,
      fwmask: r.fwmark === undefined ? undefined : r.fwmask,
      uidRange: r.uidRange,
      ipProto: r.ipProto,
      sport: r.sport,
      dport: r.dport,
      tos: r.tos,
      action: r.action,
      table: r.action === "lookup" && !r.l3mdev ? r.table : undefined,
      l3mdev: r.action === "lookup" && r.l3mdev ? true : undefined,
      goto: r.action === "goto" ? r.goto : undefined,
      suppressPrefixLength: r.action === "lookup" ? r.suppressPrefixLength : undefined,
    });
  });

const arbMac = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
  .map((b) => b.map((x) => x.toString(16).padStart(2, "0")).join(":"));

/** An ARP or NDP entry, a proxy entry now and then. */
export const arbNeighbour: fc.Arbitrary<Neighbour> = fc
  .record({
    family: fc.constantFrom("inet" as const, "inet6" as const),
    v4: arbIPv4,
    v6: arbIPv6,
    interface: fc.constantFrom("eth0", "eth1", "wg0", "br-lan"),
    mac: fc.option(arbMac, { nil: undefined }),
    state: fc.constantFrom(
      "REACHABLE",
      "STALE",
      "DELAY",
      "PROBE",
      "FAILED",
      "INCOMPLETE",
      "PERMANENT",
      "NOARP",
    ),
    router: fc.option(fc.constant(true as const), { nil: undefined }),
    proxy: fc.boolean(),
  })
  .map((n) =>
    compact<Neighbour>({
      family: n.family,
      address: n.family === "inet" ? n.v4 : n.v6,
      interface: n.interface,
      mac: n.proxy ? undefined : n.mac,
      state: n.proxy ? undefined : n.state,
      router: n.router,
      proxy: n.proxy ? true : undefined,
    })
  );

/** Kernel settings by sysctl name (dotted), values as /proc/sys holds them. */
export const arbSettings: fc.Arbitrary<Settings> = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      "net.ipv4.ip_forward",
      "net.core.somaxconn",
      "net.ipv4.tcp_rmem",
      "net.ipv4.conf.eth0/100.rp_filter",
    ),
    fc.stringMatching(/^net\.[a-z0-9_]{1,8}\.[a-z0-9_]{1,12}$/),
  ),
  fc.oneof(fc.constantFrom("0", "1", "4096", "32768 60999", "cubic"), arbText),
  { maxKeys: 6 },
);

const arbQdiscCounter = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

/** A qdisc with its options and (often) its counters. */
export const arbQdisc: fc.Arbitrary<Qdisc> = fc
  .record({
    interface: fc.constantFrom("eth0", "lo", "wg0"),
    kind: fc.constantFrom("fq_codel", "pfifo", "tbf", "htb", "noqueue", "mq"),
    handle: fc.constantFrom("0:", "1:", "8001:", "ffff:"),
    parent: fc.constantFrom("root", "1:10", "ffff:fff1", ":1"),
    options: fc.option(fc.oneof(fc.constantFrom("limit 3p", "rate 1Mbit burst 4Kb"), arbText), {
      nil: undefined,
    }),
    stats: fc.option(
      fc.record({
        bytes: arbQdiscCounter,
        packets: arbQdiscCounter,
        drops: arbQdiscCounter,
        overlimits: arbQdiscCounter,
        requeues: arbQdiscCounter,
        backlog: arbQdiscCounter,
        qlen: arbQdiscCounter,
      }, { requiredKeys: [] }),
      { nil: undefined },
    ),
  })
  .map((q) => compact(q));

const arbChain: fc.Arbitrary<FirewallChain> = fc
  .record({
    name: fc.oneof(fc.constantFrom("input", "forward", "INPUT", "DOCKER"), arbText),
    base: fc.boolean(),
    hook: fc.constantFrom("input", "forward", "output", "prerouting"),
    priority: fc.integer({ min: -400, max: 400 }),
    policy: fc.constantFrom("accept", "drop"),
    rules: fc.array(
      fc.record({
        text: fc.oneof(
          fc.constantFrom("tcp dport 22 accept", "ip saddr 10.1.0.0/16 drop", "counter", ""),
          arbText,
        ),
        handle: fc.option(fc.nat({ max: 10_000 }), { nil: undefined }),
        counters: fc.option(
          fc.record({ packets: arbQdiscCounter, bytes: arbQdiscCounter }),
          { nil: undefined },
        ),
      }).map((r) => compact(r)),
      { maxLength: 4 },
    ),
  })
  .map((c) =>
    compact<FirewallChain>({
      name: c.name,
      type: c.base ? "filter" : undefined,
      hook: c.base ? c.hook : undefined,
      priority: c.base ? c.priority : undefined,
      policy: c.base ? c.policy : undefined,
      rules: c.rules,
    })
  );

/** A packet filter: nft and iptables tables with base and regular chains. */
export const arbFirewall: fc.Arbitrary<Firewall> = fc.record({
  tables: fc.uniqueArray(
    fc.record({
      syntax: fc.constantFrom("nft" as const, "iptables" as const),
      family: fc.constantFrom("inet", "ip", "ip6", "bridge"),
      name: fc.oneof(fc.constantFrom("filter", "nat"), arbText),
      // A table holds one chain of a name, and a ruleset one table of a family and name.
      chains: fc.uniqueArray(arbChain, { maxLength: 3, selector: (c) => c.name }),
    }),
    { maxLength: 3, selector: (t) => `${t.syntax} ${t.family} ${t.name}` },
  ),
});

/**
 * An unconnected UDP socket on a port of Linux's default ephemeral range: a client (a resolver,
 * an NTP or statsd client), or with inode 0 a kernel socket, which is a service.
 */
export const arbUdpClient: fc.Arbitrary<Connection> = fc
  .record({
    family: fc.constantFrom("inet" as const, "inet6" as const),
    port: fc.integer({ min: 32768, max: 60999 }),
    inode: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 2 ** 31 }), weight: 4 }, {
      arbitrary: fc.constant(0),
      weight: 1,
    }),
    pid: fc.option(arbPid, { nil: undefined }),
  })
  .map((r) =>
    compact<Connection>({
      protocol: "udp",
      family: r.family,
      localAddress: r.family === "inet" ? "0.0.0.0" : "::",
      localPort: r.port,
      remoteAddress: r.family === "inet" ? "0.0.0.0" : "::",
      remotePort: 0,
      state: "UNCONN",
      recvQ: 0,
      sendQ: 0,
      inode: r.inode,
      pid: r.pid,
    })
  );

/** Another socket on a listener's address (SO_REUSEPORT): another inode, maybe another owner. */
const arbInstance = fc.record({
  of: fc.nat(),
  inode: fc.integer({ min: 1, max: 2 ** 31 }),
  pid: fc.option(arbPid, { nil: undefined }),
  name: fc.option(fc.constantFrom("python3", "socat", "nginx"), { nil: undefined }),
});

/**
 * A whole valid snapshot; its connections' pids have entries in `processes` (and a few extra).
 * Beside the generated sockets it has UDP clients and extra instances (SO_REUSEPORT) of some of
 * its listeners; half-closed sessions come from the TCP states.
 */
export const arbSnapshot: fc.Arbitrary<Snapshot> = fc
  .record({
    meta: arbMeta,
    connections: fc.array(arbConnection, { maxLength: 12 }),
    udpClients: fc.array(arbUdpClient, { maxLength: 3 }),
    instances: fc.array(arbInstance, { maxLength: 3 }),
    extraProcesses: fc.array(arbProcess, { maxLength: 3 }),
    processTemplate: arbProcess,
    routes: fc.array(arbRoute, { maxLength: 8 }),
    interfaces: fc.array(arbInterface, { maxLength: 4 }),
    counters: arbCounters,
    sockets: fc.option(
      fc.record({
        unix: fc.array(arbUnixSocket, { maxLength: 4 }),
        raw: fc.array(arbRawSocket, { maxLength: 2 }),
        packet: fc.array(arbPacketSocket, { maxLength: 2 }),
      }),
      { nil: undefined },
    ),
    namespaces: fc.option(fc.array(arbNamespace, { maxLength: 3 }), { nil: undefined, freq: 3 }),
    forwards: fc.option(fc.array(arbForward, { maxLength: 3 }), { nil: undefined, freq: 3 }),
    rules: fc.option(fc.array(arbRule, { maxLength: 5 }), { nil: undefined }),
    neighbours: fc.option(fc.array(arbNeighbour, { maxLength: 5 }), { nil: undefined }),
    settings: fc.option(arbSettings, { nil: undefined }),
    qdiscs: fc.option(fc.array(arbQdisc, { maxLength: 4 }), { nil: undefined }),
    firewall: fc.option(arbFirewall, { nil: undefined }),
  })
  .map((raw) => {
    // A snapshot without a namespaces list is of one namespace: no record names another.
    const r = raw.namespaces === undefined ? withoutNamespaces(raw) : raw;
    const connections = [...r.connections, ...r.udpClients];
    const listeners = r.connections.filter((c) => c.state === "LISTEN" || c.state === "UNCONN");
    const names = new Map<number, string>();
    for (const i of r.instances) {
      const of = listeners[i.of % Math.max(1, listeners.length)];
      if (!of) break;
      connections.push(compact<Connection>({
        ...of,
        inode: i.inode,
        pid: i.pid,
        pids: i.pid === undefined ? undefined : [i.pid],
      }));
      if (i.pid !== undefined && i.name !== undefined) names.set(i.pid, i.name);
    }
    const processes: Record<string, ProcessInfo> = {};
    for (const p of r.extraProcesses) processes[String(p.pid)] = p;
    const others = r.sockets ? [...r.sockets.unix, ...r.sockets.raw, ...r.sockets.packet] : [];
    for (const c of [...connections, ...others]) {
      for (const pid of c.pids ?? (c.pid === undefined ? [] : [c.pid])) {
        const name = names.get(pid);
        processes[String(pid)] = { ...r.processTemplate, pid, ...(name ? { name } : {}) };
      }
    }
    return compact<Snapshot>({
      schema: SCHEMA_ID,
      meta: r.meta,
      connections,
      ...(r.sockets
        ? {
          unixSockets: r.sockets.unix,
          rawSockets: r.sockets.raw,
          packetSockets: r.sockets.packet,
        }
        : {}),
      processes,
      routes: r.routes,
      interfaces: r.interfaces,
      counters: r.counters,
      rules: r.rules,
      neighbours: r.neighbours,
      settings: r.settings,
      qdiscs: r.qdiscs,
      firewall: r.firewall,
      namespaces: r.namespaces,
      forwards: r.forwards,
    });
  });

/** A generated record set with every `namespace` field taken off its records' lists. */
function withoutNamespaces<T extends Record<string, unknown>>(r: T): T {
  const strip = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map((x) => {
        if (x === null || typeof x !== "object" || !("namespace" in x)) return x;
        const { namespace: _, ...rest } = x as Record<string, unknown>;
        return rest;
      })
      : v;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    // The UNIX, raw and packet lists sit one level down, under `sockets`.
    out[k] = k === "sockets" && v !== undefined && v !== null
      ? Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([n, l]) => [n, strip(l)]),
      )
      : strip(v);
  }
  return out as T;
}
