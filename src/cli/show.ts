/**
 * `nsnap show [SNAPSHOT|live]`: the netstat views (connections, routes, interfaces, statistics)
 * and the routing views (rules, neighbours, settings, qdiscs, firewall) of a snapshot or of the
 * live host. Parses options, selects, renders; nothing else.
 *
 * Short flags of the routing views, chosen not to collide with netstat's and ss's habits (-r -i
 * -s -t -u -l -a -n -p -x -w -0 -o -e -4 -6 are taken or planned; ss -N is --net, -K kills, -F
 * reads a filter file, -b is bpf, -H drops the header): -R rules, -G neighbours, -k settings
 * (kernel), -q qdiscs (queues), -B firewall.
 */
import { type Command, Option } from "@commander-js/extra-typings";
import type { AnySectionName, Namespace, Snapshot } from "../model.ts";
import { ownNamespaceId, recordNamespaceId } from "../net/namespaces.ts";
import { groupByNamespace, namespacePicker } from "../view/namespaces.ts";
import { exposureLines, renderGroups } from "../render/show_namespaces.ts";
import { UsageError } from "../errors.ts";
import { parseCidr } from "../net/address.ts";
import type { PortRange } from "../net/sockets.ts";
import { parsePortRanges, splitList } from "../diff/kinds.ts";
import { env, stdoutIsTty, writeStderr } from "../runtime/process.ts";
import { connectionRecord, normalizeState, selectConnections, viewRules } from "../view/select.ts";
import { parsePort } from "../view/port.ts";
import { parseTable, selectRoutes } from "../view/routes.ts";
import { protocolStatistics, selectCounterGroups } from "../view/stats.ts";
import { renderConnections } from "../render/show_connections.ts";
import {
  renderPacketSockets,
  renderRawSockets,
  renderUnixSockets,
} from "../render/show_sockets.ts";
import { selectPacketSockets, selectRawSockets, selectUnixSockets } from "../view/sockets.ts";
import { renderRoutes } from "../render/show_routes.ts";
import { renderInterfaces } from "../render/show_interfaces.ts";
import { renderStatistics } from "../render/show_stats.ts";
import { renderJson } from "../render/show_json.ts";
import { displayText, makePaint, type Paint } from "../render/table.ts";
import {
  renderFirewall,
  renderNeighbours,
  renderQdiscs,
  renderRules,
  renderSettings,
} from "../render/show_routing.ts";
import { listenerVerdicts } from "../net/filtered.ts";
import { type CliContext, out } from "./context.ts";
import { loadOperand, MAX_SIZE_HELP, parseMaxSize } from "./operand.ts";
import { isFolder, showFolder } from "./fleet.ts";

/**
 * How text output looks here: colour on a terminal unless NO_COLOR; text fits COLUMNS (40 or
 * more) or else 80 columns, on a terminal and piped alike (as netstat cuts addresses and ss lays
 * out for 80 when piped: text is for people, `--format json` is for scripts); `-W` keeps every
 * value whole on one line.
 */
export function textLayout(wide: boolean): { paint: Paint; width: number | undefined } {
  const noColor = env("NO_COLOR");
  const tty = stdoutIsTty();
  const paint = makePaint(tty && (noColor === undefined || noColor === ""));
  if (wide) return { paint, width: undefined };
  const cols = Number(env("COLUMNS") ?? NaN);
  return { paint, width: Number.isInteger(cols) && cols >= 40 ? cols : 80 };
}

/** Prints, on stderr, why the sections a view reads are incomplete (partial or failed). */
export function warnSections(
  snapshot: Snapshot,
  sections: readonly AnySectionName[],
  prefix = "",
): void {
  for (const name of sections) {
    const s = snapshot.meta.sections[name];
    if (s === undefined || snapshot[name] === undefined) {
      writeStderr(
        `nsnap: warning: ${prefix}this snapshot has no ${name} (an older nsnap, macOS, or an import without them)\n`,
      );
      continue;
    }
    if (s.status === "error") {
      writeStderr(
        `nsnap: warning: ${prefix}${name} not available: ${
          displayText(s.error ?? "capture failed")
        }\n`,
      );
    }
    for (const w of s.warnings ?? []) {
      writeStderr(`nsnap: warning: ${prefix}${name}: ${displayText(w)}\n`);
    }
  }
}

/** Reads a comma-separated `--state` list into nsnap's state names. */
export function parseStates(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").filter((s) => s.trim() !== "").map(normalizeState)];
}

/** Checks an `--address` value early, before a live capture is made. */
export function parseAddress(value: string): string {
  if (!parseCidr(value)) {
    throw new UsageError(
      `Cannot filter by address ${JSON.stringify(value)}: not an address or CIDR block`,
    );
  }
  return value;
}

/** Reads `--udp-service` values (repeatable, comma lists) for show and port. */
export function parseUdpServices(value: string, previous: PortRange[] = []): PortRange[] {
  return [...previous, ...parsePortRanges(splitList(value), "udp-service")];
}

/** Reads a `--pid` value. */
export function parsePid(value: string): number {
  if (!/^[0-9]{1,10}$/.test(value.trim())) {
    throw new UsageError(`Cannot filter by pid ${JSON.stringify(value)}: expected a number`);
  }
  return Number(value);
}

/** Registers `nsnap show` on the program. */
export function registerShow(program: Command, _ctx: CliContext) {
  return program
    .command("show")
    .description(
      "netstat views of a snapshot or the live host: connections, routes (-r), interfaces (-i), " +
        "statistics (-s), rules (-R), neighbours (-G), settings (-k), qdiscs (-q), firewall (-B)",
    )
    .argument(
      "[snapshot]",
      "snapshot file, - for stdin, live (default), or a folder: one view per host",
    )
    .option("-t, --tcp", "TCP sockets")
    .option("-u, --udp", "UDP sockets")
    .option("-4, --ipv4", "IPv4 only (sockets and routes)")
    .option("-6, --ipv6", "IPv6 only (sockets and routes; IPv4-mapped and [::] sockets are IPv6)")
    .option("-l, --listening", "listening sockets only")
    .option("-a, --all", "listening and connected sockets")
    .option("-n, --numeric", "numeric addresses and ports (always on; accepted for -tulpn)")
    .option("-p, --programs", "PID/Program column (always on; accepted for -tulpn)")
    .option("-e, --extend", "add the User, Inode and Cgroup columns (ss -e)")
    .option("-o, --options", "add the Timer column: the socket's pending timer (ss -o)")
    .option("-x, --unix", "UNIX sockets, as ss -x (-l: listeners, -a: every one)")
    .option("-w, --raw", "raw sockets, as ss -w (all of them)")
    .option("-0, --packet", "packet sockets, as ss -0: tcpdump, DHCP clients (all of them)")
    .option("-W, --wide", "never shorten addresses or names to fit the terminal")
    .option("-r, --route", "routing tables")
    .option(
      "-i, --interfaces",
      "interfaces with their counters and addresses; with -t, -u, -l or -a: TCP info (ss -ti)",
    )
    .option("-s, --statistics", "protocol statistics (with -t or -u: that protocol's only)")
    .option("-R, --rules", "policy-routing rules, as ip rule prints them")
    .option("-G, --neigh", "ARP and NDP neighbours, as ip neigh prints them")
    .option("-k, --settings", "kernel network settings, as sysctl prints them")
    .option("-q, --qdisc", "queueing disciplines with their counters, as tc -s qdisc")
    .option("-B, --firewall", "the firewall, as nft list ruleset (iptables-save) prints it")
    .option(
      "--table <id>",
      "routing table: a number, main, local or default (implies -r)",
      parseTable,
    )
    .option("--port <n>", "sockets with this local or remote port", parsePort)
    .option("--state <states>", "socket states, comma-separated (implies -a)", parseStates)
    .option("--pid <pid>", "sockets held by this process", parsePid)
    .option("--program <name>", "sockets held by a program whose name contains this")
    .option(
      "--address <cidr>",
      "sockets with a local or remote address in this CIDR block",
      parseAddress,
    )
    .option(
      "--udp-service <ports>",
      "UDP ports that are services even in the ephemeral range (51820,60000-60100)",
      parseUdpServices,
    )
    .option(
      "--netns <glob>",
      "namespaces whose id, container, netns or pod name matches (repeatable, comma-separated)",
      collectGlobs,
    )
    .option("--max-size <size>", MAX_SIZE_HELP, parseMaxSize)
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json"] as const).default(
        "text" as const,
      ),
    )
    .addHelpText(
      "after",
      `
Without -a or -l, only connected sockets are shown (as netstat does); -l shows
listeners only. An unconnected UDP socket on an ephemeral port is a client
(state "UNCONN (client)"), not a listener: it shows without -l, not with it
(--udp-service names ports that are services). A listener the firewall filters
is marked * (docs/firewall.md). With --format json the selected records are
printed (counters as a number, or as a string above 2^53).

Examples:
  nsnap show -tulpn                      listening TCP and UDP sockets, programs
  nsnap show -ta --state established     established TCP connections
  nsnap show -a --port 5432              everything on port 5432
  nsnap show -t --address 10.0.0.0/8     TCP sessions to or from 10/8
  nsnap show -r --table 100              routing table 100
  nsnap show -i before.json              interfaces and counters from a snapshot
  nsnap show -s -t incident.json.gz      TCP statistics from a saved snapshot
  nsnap show -tl --netns 'docker:*'      listeners of every Docker container
  nsnap show -G --format json            neighbours as JSON
  nsnap show -B before.json              the firewall in a snapshot
  nsnap show -tl --format json | jq '.[] | select(.pid == null)'

A capture across namespaces is shown one namespace at a time, the host first,
each listener of a container followed by who can reach it (published on a
host port, internal only, host-network).`,
    )
    .action(async (operand, opts) => {
      const views = [
        opts.route || opts.table !== undefined,
        opts.interfaces && !socketFlags(opts),
        opts.statistics,
        opts.rules,
        opts.neigh,
        opts.settings,
        opts.qdisc,
        opts.firewall,
      ].filter(Boolean).length;
      if (views > 1) {
        throw new UsageError(
          "Cannot show more than one view: choose one of -r, -i, -s, -R, -G, -k, -q, -B",
        );
      }
      if (operand !== undefined && isFolder(operand)) {
        return await showFolder(
          operand,
          opts.maxSize,
          opts.format === "json",
          (snap, host) => showView(snap, opts, host),
        );
      }
      const snapshot = await loadOperand(operand ?? "live", {
        // A live capture reads what the view shows: every UNIX socket, every tcp_info field.
        capture: {
          ...(opts.unix && !opts.listening ? { allUnix: true } : {}),
          ...(opts.interfaces && socketFlags(opts) ? { tcpInfo: "full" as const } : {}),
        },
        ...(opts.maxSize === undefined ? {} : { maxBytes: opts.maxSize }),
      });
      const view = showView(snapshot, opts);
      await out(opts.format === "json" ? renderJson(view.records()) : view.text());
    });
}

/** The options of `nsnap show` that decide what one snapshot's view is. */
export interface ShowOptions {
  tcp?: true | undefined;
  udp?: true | undefined;
  ipv4?: true | undefined;
  ipv6?: true | undefined;
  listening?: true | undefined;
  all?: true | undefined;
  extend?: true | undefined;
  options?: true | undefined;
  unix?: true | undefined;
  raw?: true | undefined;
  packet?: true | undefined;
  wide?: true | undefined;
  route?: true | undefined;
  interfaces?: true | undefined;
  statistics?: true | undefined;
  rules?: true | undefined;
  neigh?: true | undefined;
  settings?: true | undefined;
  qdisc?: true | undefined;
  firewall?: true | undefined;
  table?: number | undefined;
  port?: number | undefined;
  state?: string[] | undefined;
  pid?: number | undefined;
  program?: string | undefined;
  address?: string | undefined;
  /** UDP ports that are services even in the ephemeral range (`--udp-service`). */
  udpService?: PortRange[] | undefined;
  /** Namespace globs (`--netns`). */
  netns?: string[] | undefined;
}

/**
 * True when the flags ask for sockets: then `-i` is ss's TCP info (`ss -ti`), else netstat's
 * interfaces (`netstat -i`).
 */
export function socketFlags(opts: ShowOptions): boolean {
  return Boolean(
    opts.tcp || opts.udp || opts.listening || opts.all || opts.state !== undefined || opts.unix ||
      opts.raw || opts.packet,
  );
}

/** The one family `-4` or `-6` asks for; neither or both: undefined (both families). */
function familyOf(opts: ShowOptions): "inet" | "inet6" | undefined {
  if (Boolean(opts.ipv4) === Boolean(opts.ipv6)) return undefined;
  return opts.ipv4 ? "inet" : "inet6";
}

/** Reads a repeatable, comma-separated list of globs. */
export function collectGlobs(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((g) => g.trim()).filter((g) => g !== "")];
}

/** One snapshot's view: its records (for JSON) or its text, made when asked for. */
export interface ShowView {
  records(): unknown;
  text(): string;
}

/**
 * The view `show` prints for one snapshot, after its section warnings on stderr (prefixed with
 * the host's name in a folder).
 */
export function showView(snapshot: Snapshot, opts: ShowOptions, host?: string): ShowView {
  const { paint, width } = textLayout(opts.wide ?? false);
  const who = host === undefined ? "" : `${host}: `;
  const picked = namespacePicker(snapshot, opts.netns);
  const inPicked = <T extends { namespace?: string | undefined }>(list: readonly T[]) =>
    list.filter((r) => picked(recordNamespaceId(r, snapshot)));
  if (opts.route || opts.table !== undefined) {
    warnSections(snapshot, ["routes"], who);
    const groups = groupByNamespace(snapshot, inPicked(snapshot.routes));
    const family = familyOf(opts);
    const tables = groups.map((g) =>
      selectRoutes({ ...snapshot, routes: g.records }, opts.table, family)
    );
    return {
      records: () => tables.flatMap((ts) => ts.flatMap((t) => t.routes)),
      text: () => {
        // An empty answer would otherwise print nothing at all: say what was looked for.
        if (tables.every((ts) => ts.every((t) => t.routes.length === 0))) {
          const where = opts.table === undefined ? "" : ` in table ${opts.table}`;
          const kind = family === undefined ? "" : family === "inet" ? " IPv4" : " IPv6";
          writeStderr(`nsnap: ${who}no${kind} routes${where}\n`);
        }
        return renderGroups(
          snapshot,
          groups,
          (routes) =>
            renderRoutes(selectRoutes({ ...snapshot, routes }, opts.table, family), {
              paint,
              width,
            }),
          paint,
          width,
        );
      },
    };
  }
  if (opts.interfaces && !socketFlags(opts)) {
    warnSections(snapshot, ["interfaces"], who);
    const groups = groupByNamespace(snapshot, inPicked(snapshot.interfaces));
    return {
      records: () => groups.flatMap((g) => g.records),
      text: () =>
        renderGroups(
          snapshot,
          groups,
          (list) => renderInterfaces(list, { paint, width }),
          paint,
          width,
        ),
    };
  }
  if (opts.rules || opts.neigh || opts.settings || opts.qdisc || opts.firewall) {
    return routingView(snapshot, opts, who, paint, width);
  }
  if (opts.statistics) {
    warnSections(snapshot, ["counters"], who);
    const filter = { tcp: opts.tcp, udp: opts.udp };
    const own = ownNamespaceId(snapshot);
    const sets = (snapshot.namespaces ?? [{ id: own } as Namespace])
      .filter((n) => picked(n.id))
      .map((n) => ({ n, counters: n.id === own ? snapshot.counters : n.counters }))
      .filter((x) => x.counters !== undefined);
    const groups = sets.map(({ n }) => ({ id: n.id, namespace: n, records: [n.id] }));
    const countersOf = new Map(sets.map((x) => [x.n.id, x.counters!]));
    return {
      records: () =>
        snapshot.namespaces
          ? Object.fromEntries(
            [...countersOf].map(([id, c]) => [id, selectCounterGroups(c, filter)]),
          )
          : selectCounterGroups(snapshot.counters, filter),
      text: () =>
        renderGroups(
          snapshot,
          groups,
          (ids) =>
            renderStatistics(
              protocolStatistics(countersOf.get(ids[0]!) ?? snapshot.counters, filter),
              paint,
            ),
          paint,
          width,
        ),
    };
  }
  warnSections(snapshot, ["connections"], who);
  const selected = inPicked(selectConnections(snapshot, {
    tcp: opts.tcp,
    udp: opts.udp,
    inet4: opts.ipv4,
    inet6: opts.ipv6,
    listening: opts.listening,
    all: opts.all,
    port: opts.port,
    state: opts.state,
    pid: opts.pid,
    program: opts.program,
    address: opts.address,
    udpServices: opts.udpService,
  }));
  const rules = viewRules(snapshot, opts.udpService);
  const verdicts = listenerVerdicts(snapshot);
  const filtered = new Set(
    [...verdicts].filter(([, v]) => v.verdict === "filtered").map(([k]) => k),
  );
  const inet = !(opts.unix || opts.raw || opts.packet) || Boolean(opts.tcp || opts.udp);
  const tcpInfo = Boolean(opts.interfaces);
  if (
    tcpInfo && snapshot.meta.capture?.tcpInfo !== "summary" &&
    snapshot.meta.capture?.tcpInfo !== "full"
  ) {
    writeStderr(`nsnap: warning: ${who}this snapshot has no TCP info (netlink captures have it)\n`);
  }
  const inetView: ShowView = {
    records: () => selected.map((c) => connectionRecord(snapshot, c, rules, verdicts)),
    text: () =>
      renderGroups(
        snapshot,
        groupByNamespace(snapshot, selected),
        (list) =>
          renderConnections(snapshot, list, {
            paint,
            width,
            user: opts.extend ?? false,
            inode: opts.extend ?? false,
            cgroup: opts.extend ?? false,
            timer: opts.options ?? false,
            tcpInfo,
            udpServices: opts.udpService,
            filtered,
          }) + exposureLines(list, width),
        paint,
        width,
      ),
  };
  const views: [string, ShowView][] = [];
  if (inet) views.push(["connections", inetView]);
  views.push(...otherSockets(snapshot, opts, who, { paint, width }, inPicked));
  if (views.length === 1) return views[0]![1];
  return {
    records: () => Object.fromEntries(views.map(([name, v]) => [name, v.records()])),
    text: () => views.map(([, v]) => v.text()).filter((t) => t !== "").join("\n"),
  };
}

/**
 * The UNIX, raw and packet socket views the flags ask for (`-x`, `-w`, `-0`), each named after
 * its list in the snapshot; a snapshot without the list, or whose UNIX list holds listeners
 * only, says so on stderr.
 */
function otherSockets(
  snapshot: Snapshot,
  opts: ShowOptions,
  who: string,
  layout: { paint: Paint; width: number | undefined },
  inPicked: <T extends { namespace?: string | undefined }>(list: readonly T[]) => T[],
): [string, ShowView][] {
  const filter = { listening: opts.listening, all: opts.all, pid: opts.pid, program: opts.program };
  const table = { ...layout, extend: opts.extend ?? false };
  const missing = (list: string, what: string) => {
    if (snapshot[list as "unixSockets"] === undefined) {
      writeStderr(
        `nsnap: warning: ${who}this snapshot has no ${what} (an older nsnap, macOS, or an import)\n`,
      );
    }
  };
  // A capture across namespaces: one table per namespace, as the connections are shown.
  const grouped = <T extends { namespace?: string | undefined }>(
    list: T[],
    render: (s: Snapshot, l: T[]) => string,
  ) =>
  () =>
    renderGroups(
      snapshot,
      groupByNamespace(snapshot, list),
      (part) => render(snapshot, part),
      layout.paint,
      layout.width,
    );
  const out: [string, ShowView][] = [];
  if (opts.unix) {
    missing("unixSockets", "UNIX sockets");
    if (!opts.listening && snapshot.meta.capture?.unixSockets === "listeners") {
      writeStderr(
        `nsnap: warning: ${who}this snapshot lists UNIX listeners only (capture --all-unix lists every one)\n`,
      );
    }
    const list = inPicked(selectUnixSockets(snapshot, filter));
    out.push(["unixSockets", {
      records: () => list,
      text: grouped(list, (s, l) => renderUnixSockets(s, l, table)),
    }]);
  }
  if (opts.raw) {
    missing("rawSockets", "raw sockets");
    const list = inPicked(selectRawSockets(snapshot, filter));
    out.push(["rawSockets", {
      records: () => list,
      text: grouped(list, (s, l) => renderRawSockets(s, l, table)),
    }]);
  }
  if (opts.packet) {
    missing("packetSockets", "packet sockets");
    const list = inPicked(selectPacketSockets(snapshot, filter));
    out.push(["packetSockets", {
      records: () => list,
      text: grouped(list, (s, l) => renderPacketSockets(s, l, table)),
    }]);
  }
  return out;
}

/** The view of one of the routing sections (-R, -G, -k, -q, -B), in its tool's layout. */
function routingView(
  snapshot: Snapshot,
  opts: ShowOptions,
  who: string,
  paint: Paint,
  width: number | undefined,
): ShowView {
  const name = opts.rules
    ? "rules"
    : opts.neigh
    ? "neighbours"
    : opts.settings
    ? "settings"
    : opts.qdisc
    ? "qdiscs"
    : "firewall";
  warnSections(snapshot, [name], who);
  return {
    records: () => snapshot[name] ?? null,
    text: () => {
      const text = name === "rules"
        ? renderRules(snapshot.rules ?? [], paint)
        : name === "neighbours"
        ? renderNeighbours(snapshot.neighbours ?? [], paint, width)
        : name === "settings"
        ? renderSettings(snapshot.settings ?? {}, width)
        : name === "qdiscs"
        ? renderQdiscs(snapshot.qdiscs ?? [], paint, width)
        : renderFirewall(snapshot.firewall ?? { tables: [] }, width);
      if (text === "" && snapshot[name] !== undefined) writeStderr(`nsnap: ${who}no ${name}\n`);
      return text;
    },
  };
}
