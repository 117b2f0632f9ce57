/**
 * Destination NAT rules that forward a host port into a namespace: Docker's `DOCKER` chain, the
 * CNI portmap plugin's `CNI-DN-*` chains (Kubernetes hostPort), or an operator's own. Read from
 * one rule's text as `iptables-save` prints it
 * (`-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80`)
 * or as `nft list ruleset` does
 * (`ip daddr 127.0.0.1 iifname != "docker0" tcp dport 8080 counter dnat to 172.17.0.2:80`).
 *
 * Decisions:
 * - A rule that names no destination address (`-d`, `ip daddr`) takes every local address of its
 *   family: Docker's chain is reached only for local destinations (`addrtype --dst-type LOCAL`).
 * - Only single ports are read: a rule with a port range or a multiport match, a negated
 *   destination, or no protocol is not a forward nsnap can tie to one listener, and is passed
 *   over (never guessed).
 * - The rules iptables-nft made (Docker's on Debian) read the same from `iptables-save -t nat`
 *   and from `nft list ruleset`'s text; nft's JSON (`-j`) shows them as `xt target "DNAT"`
 *   without the destination, so it is never the source of a forward.
 */
import { canonicalAddress, parseIPv4, parseIPv6 } from "../../net/address.ts";
import { tokenize } from "../text.ts";

/** What one DNAT rule forwards. */
export interface DnatForward {
  protocol: "tcp" | "udp" | "sctp";
  /** 0.0.0.0 or :: when the rule takes every local address. */
  hostAddress: string;
  hostPort: number;
  toAddress: string;
  toPort: number;
  /** The chain the rule is in (iptables-save's `-A CHAIN`). */
  chain?: string;
}

const PROTOCOLS = new Set(["tcp", "udp", "sctp"]);

function singlePort(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** `172.17.0.2:80`, `[fd00::2]:80`, or a bare address (the port is kept); undefined otherwise. */
function target(text: string, port: number): { address: string; port: number } | undefined {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::([0-9]{1,5}))?$/.exec(text);
  if (v6) {
    if (parseIPv6(v6[1]!) === undefined) return undefined;
    const p = v6[2] === undefined ? port : singlePort(v6[2]);
    return p === undefined ? undefined : { address: canonicalAddress(v6[1]!), port: p };
  }
  const v4 = /^([0-9.]+)(?::([0-9]{1,5}))?$/.exec(text);
  if (v4 && parseIPv4(v4[1]!) !== undefined) {
    const p = v4[2] === undefined ? port : singlePort(v4[2]);
    return p === undefined ? undefined : { address: canonicalAddress(v4[1]!), port: p };
  }
  return undefined;
}

/** A destination match `127.0.0.1/32` or `127.0.0.1` as one host address; undefined otherwise. */
function hostOf(text: string): string | undefined {
  const m = /^([0-9a-fA-F:.]+?)(?:\/(32|128))?$/.exec(text);
  if (!m) return undefined;
  return parseIPv4(m[1]!) !== undefined || parseIPv6(m[1]!) !== undefined
    ? canonicalAddress(m[1]!)
    : undefined;
}

/**
 * Reads one `iptables-save` rule line; undefined unless it is a single-port DNAT.
 *
 * @example
 * ```ts
 * import { dnatOfIptablesRule } from "./dnat_rule.ts";
 * dnatOfIptablesRule("-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80");
 * // { protocol: "tcp", hostAddress: "0.0.0.0", hostPort: 8080, toAddress: "172.17.0.2", toPort: 80, chain: "DOCKER" }
 * ```
 */
export function dnatOfIptablesRule(line: string): DnatForward | undefined {
  const w = tokenize(line).map((t) => t.text);
  if (w[0] !== "-A" || w.length < 2) return undefined;
  let protocol: string | undefined, dport: number | undefined, host: string | undefined;
  let to: string | undefined, isDnat = false, bad = false;
  for (let i = 2; i < w.length; i++) {
    const word = w[i]!, next = w[i + 1];
    const negated = w[i - 1] === "!";
    if (word === "-p" || word === "--protocol") {
      if (negated) bad = true;
      protocol = next;
    } else if (word === "--dport" || word === "--destination-port") {
      const p = singlePort(next);
      if (p === undefined || negated) bad = true;
      dport = p;
    } else if (word === "--dports") bad = true;
    else if (word === "-d" || word === "--destination") {
      const h = next === undefined ? undefined : hostOf(next);
      if (h === undefined || negated) bad = true;
      host = h;
    } else if (word === "-j" && next === "DNAT") isDnat = true;
    else if (word === "--to-destination") to = next;
  }
  if (!isDnat || bad || to === undefined || dport === undefined) return undefined;
  if (protocol === undefined || !PROTOCOLS.has(protocol)) return undefined;
  const t = target(to, dport);
  if (t === undefined) return undefined;
  const v6 = t.address.includes(":");
  return {
    protocol: protocol as DnatForward["protocol"],
    hostAddress: host ?? (v6 ? "::" : "0.0.0.0"),
    hostPort: dport,
    toAddress: t.address,
    toPort: t.port,
    chain: w[1]!,
  };
}

/**
 * Reads one rule as `nft list ruleset` prints it; undefined unless it is a single-port DNAT.
 *
 * @example
 * ```ts
 * import { dnatOfNftRule } from "./dnat_rule.ts";
 * dnatOfNftRule('ip daddr 127.0.0.1 tcp dport 8080 counter packets 0 bytes 0 dnat to 172.17.0.2:80')?.hostAddress;
 * // "127.0.0.1"
 * ```
 */
export function dnatOfNftRule(rule: string): DnatForward | undefined {
  const w = tokenize(rule.replace(/#.*$/, "")).map((t) => t.text);
  let protocol: string | undefined, dport: number | undefined, host: string | undefined;
  let to: string | undefined, bad = false;
  for (let i = 0; i < w.length; i++) {
    const word = w[i]!, next = w[i + 1];
    if ((word === "ip" || word === "ip6") && next === "daddr") {
      const value = w[i + 2];
      const h = value === undefined ? undefined : hostOf(value);
      if (h === undefined) bad = true; // != , a set, a prefix: not one host address
      host = h;
      i += 2;
    } else if (PROTOCOLS.has(word) && next === "dport") {
      protocol = word;
      const p = singlePort(w[i + 2]);
      if (p === undefined) bad = true;
      dport = p;
      i += 2;
    } else if (word === "dnat") {
      let j = i + 1;
      if (w[j] === "ip" || w[j] === "ip6") j++;
      if (w[j] === "to") to = w[j + 1];
      i = j + 1;
    }
  }
  if (bad || to === undefined || dport === undefined || protocol === undefined) return undefined;
  const t = target(to, dport);
  if (t === undefined) return undefined;
  return {
    protocol: protocol as DnatForward["protocol"],
    hostAddress: host ?? (t.address.includes(":") ? "::" : "0.0.0.0"),
    hostPort: dport,
    toAddress: t.address,
    toPort: t.port,
  };
}

/**
 * Every single-port DNAT of an `iptables-save` (or `iptables-save -t nat`) output, in order,
 * with its rule line. Rules of tables other than nat are passed over.
 */
export function dnatOfIptablesSave(text: string): { forward: DnatForward; rule: string }[] {
  const out: { forward: DnatForward; rule: string }[] = [];
  let table = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("*")) table = line.slice(1);
    else if (table === "nat" && line.startsWith("-A ")) {
      const forward = dnatOfIptablesRule(line);
      if (forward) out.push({ forward, rule: line });
    }
  }
  return out;
}
