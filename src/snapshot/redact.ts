/**
 * Redaction for snapshots that leave the building (public tickets): addresses, MACs and host
 * names become stable pseudonyms derived from a key with HMAC-SHA256, so two snapshots redacted
 * with the same key can still be diffed, shown and searched by port.
 *
 * What is kept, because it carries meaning and identifies nobody: the family, wildcard and
 * loopback addresses, multicast and broadcast, link-local-ness (169.254/16, fe80::/64 stay in
 * their ranges), IPv4-mapped IPv6 form, prefix lengths, ports, states, counters, interface names.
 *
 * How addresses are mapped (prefix-preserving, after Crypto-PAn): an ordinary IPv4 address goes
 * into 240.0.0.0/5 and an ordinary IPv6 address into 2001:db8::/32 (both reserved, never routed);
 * each pseudonym bit is the original bit XOR a keyed bit of everything before it, so two
 * addresses that share a prefix share it after redaction too: a host stays inside its redacted
 * route. Limits: the top 5 bits of IPv4 and the top 32 of IPv6 are folded away, so two networks
 * that differ only there can collide (one chance in 2^(prefix-5) for IPv4); IPv4 routes of /0–/4
 * and IPv6 ones shorter than /16 are kept as they are, since they name no one; IPv6 prefixes of
 * /16 to /31 (a provider's allocation) become the documentation prefix cut to their length.
 *
 * Routing rules lose their addresses like routes do, neighbours their addresses and MACs; the
 * text of firewall rules has every address, CIDR (prefix kept), MAC, DNS name and known user
 * name replaced. Settings and qdiscs hold no addresses and stay.
 *
 * Processes: the command line is dropped; user names become pseudonyms unless they are one of a
 * short fixed list of well-known system accounts (`SYSTEM_USERS`: root, daemon, nobody,
 * www-data …), whatever the uid says (macOS accounts start at 501; lsof gives no uid); a home
 * folder in an executable path becomes a pseudonym. The network namespace's name becomes one.
 * Warnings, errors and `meta.source.files` lose every address, MAC, host name, known user name
 * and file path they quote (system paths under /proc, /sys, /dev, /etc, /usr … stay).
 * Labels are the operator's own and are kept, as are interface and program names.
 */
import type {
  Connection,
  Firewall,
  Forward,
  InterfaceAddress,
  Namespace,
  Neighbour,
  NetInterface,
  Route,
  Rule,
  Snapshot,
} from "../model.ts";
import { formatIPv4, formatIPv6Groups, parseIPv4, parseIPv6 } from "../net/address.ts";
import { normalizeSnapshot } from "./normalize.ts";
import { dict } from "../util/record.ts";
import { hex } from "../util/hex.ts";
import { nodeCrypto, randomHex } from "../runtime/process.ts";

/** A fresh random key, for a run that was given none (its pseudonyms match no other run's). */
export function randomRedactKey(): string {
  return randomHex(32);
}

/** Address-to-pseudonym mapping for one key, with its keyed bits cached by prefix. */
class Pseudonyms {
  readonly #key: string;
  readonly #bits = new Map<string, number>();
  readonly #names = new Map<string, string>();
  readonly #createHmac = nodeCrypto().createHmac;
  constructor(key: string) {
    this.#key = key;
  }

  /** The HMAC-SHA256 of a tagged value under the key. */
  digest(tag: string, value: string): Uint8Array {
    return this.#createHmac("sha256", this.#key).update(`${tag}\0${value}`).digest();
  }

  /** A short stable name: `<prefix>-<8 hex>`. */
  name(prefix: string, value: string): string {
    const id = `${prefix}\0${value}`;
    let n = this.#names.get(id);
    if (n === undefined) {
      const d = this.digest(prefix, value);
      n = `${prefix}-${hex(d.subarray(0, 4))}`;
      this.#names.set(id, n);
    }
    return n;
  }

  /** The keyed bit that follows a prefix (given as a '0'/'1' string). */
  #bit(tag: string, prefix: string): number {
    const id = `${tag}${prefix}`;
    let b = this.#bits.get(id);
    if (b === undefined) {
      b = this.digest(tag, prefix)[0]! & 1;
      this.#bits.set(id, b);
    }
    return b;
  }

  /**
   * Keeps `keep` leading bits of `bits`, replaces the next ones with `fixed` (when given), and
   * scrambles every bit after that prefix-preservingly.
   */
  scramble(tag: string, bits: string, keep: number, fixed = ""): string {
    let out = bits.slice(0, keep) + fixed;
    for (let j = out.length; j < bits.length; j++) {
      out += String(Number(bits[j]) ^ this.#bit(tag, bits.slice(0, j)));
    }
    return out;
  }
}

const V4_FIXED = "11110"; // 240.0.0.0/5
const V6_FIXED = "00100000000000010000110110111000"; // 2001:db8::/32

function v4Bits(n: number): string {
  return (n >>> 0).toString(2).padStart(32, "0");
}

function v6Bits(groups: readonly number[]): string {
  return groups.map((g) => g.toString(2).padStart(16, "0")).join("");
}

function bitsToV4(bits: string): number {
  return parseInt(bits, 2) >>> 0;
}

function bitsToV6Groups(bits: string): number[] {
  const g: number[] = [];
  for (let i = 0; i < 128; i += 16) g.push(parseInt(bits.slice(i, i + 16), 2));
  return g;
}

/** How an IPv4 address is treated: kept whole, kept up to a prefix, or moved into 240/5. */
function v4Plan(n: number): { keep: number; fixed: string } | "keep" {
  const top = n >>> 24;
  if (n === 0 || n === 0xffffffff || top === 127 || (top >= 224 && top <= 239)) return "keep";
  if (n >>> 16 === 0xa9fe) return { keep: 16, fixed: "" }; // 169.254/16 link-local
  return { keep: 0, fixed: V4_FIXED };
}

function v6Plan(g: readonly number[]): { keep: number; fixed: string } | "keep" | "mapped" {
  const zeros5 = g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0;
  if (zeros5 && g[5] === 0xffff) return "mapped";
  if (zeros5 && g[5] === 0 && g[6] === 0 && (g[7] === 0 || g[7] === 1)) return "keep"; // :: ::1
  if ((g[0]! & 0xff00) === 0xff00) return "keep"; // multicast
  if ((g[0]! & 0xffc0) === 0xfe80) return { keep: 64, fixed: "" }; // link-local: keep fe80::/64
  return { keep: 0, fixed: V6_FIXED };
}

/** Words that stand where an address would and name nothing. */
const NOT_NAMES = new Set(["", "*", "default", "any", "localhost", "none", "unspecified"]);

/** Redacts the address part of a (possibly CIDR, possibly %scoped) address text. */
function redactAddressText(p: Pseudonyms, text: string, prefixLength?: number): string {
  const pct = text.indexOf("%");
  const scope = pct >= 0 ? text.slice(pct) : "";
  const addr = pct >= 0 ? text.slice(0, pct) : text;
  const v4 = addr.includes(":") ? undefined : parseIPv4(addr);
  if (v4 !== undefined) {
    const out = redactV4(p, v4, prefixLength);
    return out === undefined ? text : formatIPv4(out) + scope;
  }
  const g = parseIPv6(addr);
  if (g !== undefined) {
    const plan = v6Plan(g);
    if (plan === "keep") return text;
    if (plan === "mapped") {
      const inner = redactV4(p, ((g[6]! << 16) | g[7]!) >>> 0, prefixLength);
      if (inner === undefined) return text;
      return `::ffff:${formatIPv4(inner)}${scope}`;
    }
    const pl = prefixLength ?? 128;
    if (plan.fixed !== "" && pl < plan.fixed.length) {
      // Shorter than the documentation prefix: below /16 it names no one; else cut it down.
      if (pl < 16) return text;
      return formatIPv6Groups(bitsToV6Groups(plan.fixed.slice(0, pl).padEnd(128, "0"))) + scope;
    }
    let bits = p.scramble("v6", v6Bits(g), plan.keep, plan.fixed);
    if (pl < 128) bits = bits.slice(0, Math.max(pl, plan.keep)).padEnd(128, "0");
    return formatIPv6Groups(bitsToV6Groups(bits)) + scope;
  }
  if (NOT_NAMES.has(addr.toLowerCase())) return text;
  return p.name("name", addr) + scope;
}

function redactV4(p: Pseudonyms, n: number, prefixLength?: number): number | undefined {
  const plan = v4Plan(n);
  if (plan === "keep") return undefined;
  const pl = prefixLength ?? 32;
  if (plan.fixed !== "" && pl < plan.fixed.length) return undefined; // /0–/4 name no one
  let bits = p.scramble("v4", v4Bits(n), plan.keep, plan.fixed);
  if (pl < 32) bits = bits.slice(0, Math.max(pl, plan.keep)).padEnd(32, "0");
  return bitsToV4(bits);
}

/** Redacts a CIDR ("10.1.0.0/16") keeping its prefix length; a bare address stays bare. */
function redactCidr(p: Pseudonyms, text: string): string {
  const slash = text.indexOf("/");
  if (slash < 0) return redactAddressText(p, text);
  const len = Number(text.slice(slash + 1));
  if (!Number.isInteger(len)) return redactAddressText(p, text.slice(0, slash)) + text.slice(slash);
  return redactAddressText(p, text.slice(0, slash), len) + text.slice(slash);
}

/** Locally administered pseudonym of the same length; all-zero and broadcast MACs stay. */
function redactMac(p: Pseudonyms, mac: string): string {
  const parts = mac.split(":");
  if (!parts.every((x) => /^[0-9a-fA-F]{1,2}$/.test(x))) return p.name("mac", mac);
  const bytes = parts.map((x) => parseInt(x, 16));
  if (bytes.every((b) => b === 0) || bytes.every((b) => b === 255)) return mac;
  const d = p.digest("mac", mac.toLowerCase());
  return bytes
    .map((_, i) => (i === 0 ? 0x02 : d[i % d.length]!).toString(16).padStart(2, "0"))
    .join(":");
}

/** The IPv4 broadcast of address/prefix, when it is one. */
function v4Broadcast(address: string, prefix: number): string | undefined {
  const n = parseIPv4(address);
  if (n === undefined || prefix < 0 || prefix > 32) return undefined;
  const host = prefix === 0 ? 0xffffffff : prefix === 32 ? 0 : (2 ** (32 - prefix)) - 1;
  return formatIPv4((n | host) >>> 0);
}

const IPV4_IN_TEXT = /(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])/g;
const IPV6_IN_TEXT = /(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9.]+)?/g;

const MAC_IN_TEXT = /(?<![0-9A-Fa-f:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5,19}(?![0-9A-Fa-f:])/g;
/** An absolute path, or a relative one with a folder in it, inside free text. */
const PATH_IN_TEXT =
  /(?<![\w.~-])(?:~|\.{1,2})?(?:\/[^\s/:'"()<>[\],;]+)+\/?|(?<![\w/.-])[\w.-]+(?:\/[^\s/:'"()<>[\],;]+)+/g;
/** Folders whose paths name the system, not a person: kept in warnings. */
const SYSTEM_PATH =
  /^\/(proc|sys|dev|etc|usr|bin|sbin|lib|lib32|lib64|libx32|run|var\/run|var\/lib|opt\/homebrew|System|Library)(\/|$)/;
/** A DNS name inside free text: labels with a dot, the last one alphabetic. */
const HOST_IN_TEXT =
  /(?<![\w.@-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}(?![\w-]|\.\w)/g;

/** Replaces a file path by a pseudonym, keeping a common extension ("file-1a2b3c4d.txt"). */
function redactFilePath(p: Pseudonyms, path: string): string {
  const ext = /\.(txt|json|yaml|yml|gz|log|out|csv)$/i.exec(path)?.[0] ?? "";
  return p.name("file", path) + ext;
}

/** Free text (warnings, errors) with the names it quotes replaced. */
type TextRedactor = (text: string) => string;

/**
 * Replaces what free text can quote: addresses, MACs, file paths outside the system's folders,
 * DNS names, the host's name and the user names the snapshot pseudonymises.
 */
function textRedactor(p: Pseudonyms, hostname: string, users: readonly string[]): TextRedactor {
  const names = nameRedactor(p, hostname, users);
  return (text: string) => {
    let out = text.replace(PATH_IN_TEXT, (m) => SYSTEM_PATH.test(m) ? m : redactFilePath(p, m));
    out = out.replace(MAC_IN_TEXT, (m) => redactMac(p, m));
    out = out.replace(IPV4_IN_TEXT, (m) => redactAddressText(p, m));
    out = out.replace(IPV6_IN_TEXT, (m) => parseIPv6(m) ? redactAddressText(p, m) : m);
    return names(out);
  };
}

/** Replaces the host's name, the pseudonymised user names and DNS names in text. */
function nameRedactor(p: Pseudonyms, hostname: string, users: readonly string[]): TextRedactor {
  const names = [hostname, ...users].filter((n) => n !== "" && !NOT_NAMES.has(n.toLowerCase()))
    .sort((a, b) => b.length - a.length);
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const named = escaped.length === 0
    ? undefined
    : new RegExp(`(?<![\\w.-])(?:${escaped.join("|")})(?![\\w-])`, "g");
  // DNS names first: a name that starts with the host's own name ("web1.corp.example") must go
  // whole, not leave its domain behind a pseudonym that the DNS pass then takes for its own.
  return (text: string) => {
    const out = text.replace(
      HOST_IN_TEXT,
      (m) => /^(host|user|file|name)-[0-9a-f]{8}/.test(m) ? m : p.name("host", m),
    );
    return named
      ? out.replace(named, (m) => m === hostname ? p.name("host", m) : p.name("user", m))
      : out;
  };
}

/** A MAC, an IPv4 address or CIDR, or an IPv6 address or CIDR, as a rule's text holds them. */
const ADDRESS_IN_RULE = new RegExp(
  "(?<![0-9A-Za-z:.])(?:" +
    "(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:])" +
    "|(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?(?![0-9])" +
    "|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:/[0-9]{1,3})?" +
    ")",
  "g",
);

/**
 * A firewall rule's text: each MAC, address and CIDR (prefix kept) once, then names. Paths are
 * not looked for: a CIDR would read as one.
 */
function redactRuleText(p: Pseudonyms, text: string, names: TextRedactor): string {
  const out = text.replace(ADDRESS_IN_RULE, (m) => {
    if (/^(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/.test(m)) return redactMac(p, m);
    if (m.includes(".")) return redactCidr(p, m);
    const slash = m.indexOf("/");
    return parseIPv6(slash < 0 ? m : m.slice(0, slash)) ? redactCidr(p, m) : m;
  });
  return names(out);
}

function redactRule(p: Pseudonyms, r: Rule): Rule {
  const out: Rule = { ...r };
  if (r.from !== undefined) out.from = redactCidr(p, r.from);
  if (r.to !== undefined) out.to = redactCidr(p, r.to);
  return out;
}

function redactNeighbour(p: Pseudonyms, n: Neighbour): Neighbour {
  const out: Neighbour = { ...n, address: redactAddressText(p, n.address) };
  if (n.mac !== undefined) out.mac = redactMac(p, n.mac);
  return out;
}

function redactFirewall(p: Pseudonyms, f: Firewall, names: TextRedactor): Firewall {
  return {
    tables: f.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => ({
        ...c,
        rules: c.rules.map((r) => ({ ...r, text: redactRuleText(p, r.text, names) })),
      })),
    })),
  };
}

/**
 * Accounts that name a system role, not a person: kept by --redact. Everything else, whatever
 * its uid, becomes a pseudonym.
 */
export const SYSTEM_USERS: ReadonlySet<string> = new Set([
  "root",
  "daemon",
  "bin",
  "sys",
  "adm",
  "nobody",
  "nogroup",
  "www-data",
  "messagebus",
  "syslog",
  "sshd",
  "systemd-network",
  "systemd-resolve",
  "systemd-timesync",
  "ntp",
  "chrony",
  "_chrony",
  "dnsmasq",
  "avahi",
  "postfix",
  "redis",
  "postgres",
  "mysql",
  "nginx",
  "memcache",
  "haproxy",
  "_www",
  "_mdnsresponder",
  "_networkd",
]);

/**
 * A home folder's owner in a path (/home/alice/…, /Users/alice/…), and any folder named after a
 * pseudonymised user, become pseudonyms.
 */
function redactPath(p: Pseudonyms, path: string, users: readonly string[]): string {
  const known = new Set(users);
  return path.replace(
    /^\/(home|Users)\/([^/]+)/,
    (_m, base: string, user: string) => `/${base}/${p.name("user", user)}`,
  ).split("/").map((part) => (known.has(part) ? p.name("user", part) : part)).join("/");
}

function redactConnection(p: Pseudonyms, c: Connection, text: (t: string) => string): Connection {
  const out: Connection = {
    ...c,
    localAddress: redactAddressText(p, c.localAddress),
    remoteAddress: redactAddressText(p, c.remoteAddress),
  };
  if (c.exposure !== undefined) {
    out.exposure = { ...c.exposure, summary: text(c.exposure.summary) };
    if (c.exposure.published) {
      out.exposure.published = c.exposure.published.map((x) => ({
        ...x,
        hostAddress: redactAddressText(p, x.hostAddress),
        via: [...x.via],
      }));
    }
  }
  return out;
}

/** A namespace: the addresses its warnings and bindings quote; names stay (they pair it). */
function redactNamespace(p: Pseudonyms, n: Namespace, text: (t: string) => string): Namespace {
  const sections: Namespace["sections"] = {};
  for (const [name, s] of Object.entries(n.sections)) {
    const o = { ...s };
    if (s.warnings !== undefined) o.warnings = s.warnings.map(text);
    if (s.error !== undefined) o.error = text(s.error);
    sections[name] = o;
  }
  const out: Namespace = { ...n, labels: { ...n.labels }, pids: [...n.pids], sections };
  if (n.containers) {
    out.containers = n.containers.map((c) => {
      const x = { ...c };
      if (c.ports) {
        x.ports = c.ports.map((b) => ({
          ...b,
          hostAddress: b.hostAddress === "" ? "" : redactAddressText(p, b.hostAddress),
        }));
      }
      return x;
    });
  }
  return out;
}

function redactForward(p: Pseudonyms, f: Forward, text: (t: string) => string): Forward {
  const out: Forward = {
    ...f,
    hostAddress: redactAddressText(p, f.hostAddress),
    toAddress: redactAddressText(p, f.toAddress),
  };
  if (f.rule !== undefined) out.rule = text(f.rule);
  return out;
}

function redactRoute(p: Pseudonyms, r: Route): Route {
  const out: Route = { ...r, destination: redactCidr(p, r.destination) };
  if (r.gateway !== undefined) out.gateway = redactAddressText(p, r.gateway);
  if (r.source !== undefined) out.source = redactAddressText(p, r.source);
  if (r.nexthops !== undefined) {
    out.nexthops = r.nexthops.map((h) =>
      h.gateway === undefined ? { ...h } : { ...h, gateway: redactAddressText(p, h.gateway) }
    );
  }
  return out;
}

function redactInterfaceAddress(p: Pseudonyms, a: InterfaceAddress): InterfaceAddress {
  const out: InterfaceAddress = { ...a, address: redactAddressText(p, a.address) };
  if (a.broadcast !== undefined) {
    const own = a.family === "inet" ? v4Broadcast(a.address, a.prefixLength) : undefined;
    out.broadcast = own === a.broadcast
      ? (v4Broadcast(out.address, a.prefixLength) ?? a.broadcast)
      : redactAddressText(p, a.broadcast);
  }
  return out;
}

function redactInterface(p: Pseudonyms, i: NetInterface): NetInterface {
  const out: NetInterface = {
    ...i,
    flags: [...i.flags],
    addresses: i.addresses.map((a) => redactInterfaceAddress(p, a)),
  };
  if (i.mac !== undefined) out.mac = redactMac(p, i.mac);
  return out;
}

/**
 * Returns a copy of the snapshot with addresses, MACs, host and user names replaced by stable
 * pseudonyms derived from `key`, command lines dropped, and `meta.redacted` set. The same key
 * gives the same pseudonyms in every snapshot, so redacted snapshots can be diffed.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "../model.ts";
 * declare const snapshot: Snapshot;
 * const safe = redactSnapshot(snapshot, "shared-secret");
 * safe.meta.host.hostname; // "host-3fa2c91b"
 * ```
 */
export function redactSnapshot(snapshot: Snapshot, key: string): Snapshot {
  const p = new Pseudonyms(key);
  const hostname = snapshot.meta.host.hostname;
  const users = Object.values(snapshot.processes).map((x) => x.user).filter((u): u is string =>
    u !== undefined && !SYSTEM_USERS.has(u)
  );
  const text = textRedactor(p, hostname, users);
  const m = snapshot.meta;
  const sections = Object.fromEntries(
    Object.entries(m.sections).flatMap(([name, s]) => {
      if (s === undefined) return [];
      const out = { ...s };
      if (s.warnings !== undefined) out.warnings = s.warnings.map(text);
      if (s.error !== undefined) out.error = text(s.error);
      return [[name, out]];
    }),
  ) as typeof m.sections;
  const meta: Snapshot["meta"] = {
    ...m,
    host: { ...m.host, hostname: hostname === "" ? "" : p.name("host", hostname) },
    sections,
    redacted: true,
  };
  // The machine id identifies the host too; a stable pseudonym still pairs a fleet's snapshots.
  if (m.host.machineId !== undefined) meta.host.machineId = p.name("machine", m.host.machineId);
  if (m.namespaces !== undefined) {
    meta.namespaces = { ...m.namespaces };
    if (m.namespaces.warnings) meta.namespaces.warnings = m.namespaces.warnings.map(text);
    if (m.namespaces.error) meta.namespaces.error = text(m.namespaces.error);
  }
  if (m.source !== undefined) {
    meta.source = { ...m.source };
    if (m.source.files !== undefined) {
      meta.source.files = m.source.files.map((f) => redactFilePath(p, f));
    }
  }
  if (m.netns?.name !== undefined) meta.netns = { ...m.netns, name: p.name("netns", m.netns.name) };
  const processes: Snapshot["processes"] = dict();
  for (const [pid, info] of Object.entries(snapshot.processes)) {
    const { cmdline: _dropped, ...rest } = info;
    const out = { ...rest };
    if (out.exe !== undefined) out.exe = redactPath(p, out.exe, users);
    if (out.user !== undefined && !SYSTEM_USERS.has(out.user)) out.user = p.name("user", out.user);
    processes[pid] = out;
  }
  return normalizeSnapshot({
    ...snapshot,
    meta,
    connections: snapshot.connections.map((c) => redactConnection(p, c, text)),
    ...(snapshot.unixSockets
      ? {
        unixSockets: snapshot.unixSockets.map((u) =>
          u.path === undefined ? { ...u } : { ...u, path: redactPath(p, u.path, users) }
        ),
      }
      : {}),
    ...(snapshot.rawSockets
      ? {
        rawSockets: snapshot.rawSockets.map((r) => ({
          ...r,
          localAddress: redactAddressText(p, r.localAddress),
          remoteAddress: redactAddressText(p, r.remoteAddress),
        })),
      }
      : {}),
    processes,
    routes: snapshot.routes.map((r) => redactRoute(p, r)),
    interfaces: snapshot.interfaces.map((i) => redactInterface(p, i)),
    ...(snapshot.rules ? { rules: snapshot.rules.map((r) => redactRule(p, r)) } : {}),
    ...(snapshot.neighbours
      ? { neighbours: snapshot.neighbours.map((n) => redactNeighbour(p, n)) }
      : {}),
    ...(snapshot.firewall
      ? { firewall: redactFirewall(p, snapshot.firewall, nameRedactor(p, hostname, users)) }
      : {}),
    ...(snapshot.namespaces
      ? { namespaces: snapshot.namespaces.map((n) => redactNamespace(p, n, text)) }
      : {}),
    ...(snapshot.forwards
      ? { forwards: snapshot.forwards.map((f) => redactForward(p, f, text)) }
      : {}),
  });
}
