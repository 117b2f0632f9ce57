/**
 * Is a listener's port filtered? Reads the firewall the way the kernel would treat the first
 * packet of a connection from another host, and answers only where the rules are simple enough
 * to decide: `filtered` (every such packet is dropped or rejected), `open` (some get through),
 * or `not-evaluated` with the reason — never a guess. docs/firewall.md lists the rule shapes
 * understood.
 *
 * The packet looked at: a new connection (ct state new; for TCP the SYN) to the listener's
 * protocol, address and port, from any address and source port, arriving on any interface but
 * loopback (a listener is filtered when other hosts cannot reach it; the host itself always
 * can). A `::` listener is looked at over IPv6 and over IPv4 (it may be dual-stack), and is
 * filtered only when both are.
 *
 * How a chain is read: rule by rule, each rule's match is `all` (every such packet), `some` (a
 * part of them: some sources, some interfaces, a rate), `none`, or `unknown` (a shape not
 * understood), and its verdict accept, drop/reject, jump/goto, return, no verdict (counter,
 * log), or unknown. A drop for all packets is `filtered` only when no accept could have
 * matched before it; an accept is `open` only when no drop that is not understood came before
 * it. Jumps are followed into regular chains (depth-limited). Every input base chain a packet
 * family reaches is read; one that drops all means filtered, and `open` needs every one of them
 * to let packets through. Base chains before input (prerouting, netdev ingress) that drop all
 * such packets make the port filtered; any other verdict there (a drop for some, a DNAT, a rule
 * not understood) leaves an otherwise open port not evaluated.
 */
import type { Connection, Firewall, FirewallChain, FirewallTable, Snapshot } from "../model.ts";
import { cidrContains, isLoopback, isWildcard, parseCidr } from "./address.ts";
import { describeChain, firewallTableKey } from "./firewall.ts";
import { servicePort } from "./services.ts";
import { isListener, listenerKey, socketRules } from "./sockets.ts";

/** What the firewall does to new connections from other hosts to a listener. */
export interface FilterVerdict {
  verdict: "filtered" | "open" | "not-evaluated";
  /** Why, naming the chain and rule that decided (or the one not understood). */
  reason: string;
}

/** The listener looked at. */
export interface ListenerProbe {
  protocol: "tcp" | "udp";
  family: "inet" | "inet6";
  address: string;
  port: number;
}

/** One packet family's view: what the first packet of a connection looks like. */
interface Packet {
  family: "inet" | "inet6";
  protocol: "tcp" | "udp";
  port: number;
  /** The destination address; undefined for a wildcard listener (any of the host's). */
  address: string | undefined;
}

/** How much of the packets a match covers. */
type Cover = "all" | "some" | "none" | "unknown";

/** What a rule does with the packets it matches. */
type Action =
  | { do: "accept" | "drop" | "next" | "return" | "divert" | "unknown" }
  | { do: "jump" | "goto"; chain: string };

/** A rule as the evaluator reads it. */
interface Reading {
  cover: Cover;
  action: Action;
}

// ---- Combining covers ---------------------------------------------------------------------

/** AND of two matches: none wins, then unknown, then some. */
function and(a: Cover, b: Cover): Cover {
  if (a === "none" || b === "none") return "none";
  if (a === "unknown" || b === "unknown") return "unknown";
  if (a === "some" || b === "some") return "some";
  return "all";
}

/** A match negated with `!=` or `!`. */
function not(c: Cover): Cover {
  return c === "all" ? "none" : c === "none" ? "all" : c;
}

// ---- Values -------------------------------------------------------------------------------

/** The items of a value: `{ a, b }`, `a,b` or one. */
function items(value: string): string[] {
  const v = value.replace(/^\{\s*/, "").replace(/\s*\}$/, "");
  return v.split(",").map((x) => x.trim().replace(/^"(.*)"$/, "$1")).filter((x) => x !== "");
}

/** Whether a port value (`22`, `80-90`, `8000:8100`, `{ 22, ssh }`) holds the port. */
function portCover(value: string, port: number): Cover {
  if (value.startsWith("@") || value.startsWith("$")) return "unknown";
  for (const item of items(value)) {
    const m = /^([^-:]+)(?:[-:]([^-:]+))?$/.exec(item);
    const lo = m ? servicePort(m[1]!) : undefined;
    const hi = m?.[2] !== undefined ? servicePort(m[2]) : lo;
    if (lo === undefined || hi === undefined) return "unknown";
    if (port >= lo && port <= hi) return "all";
  }
  return "none";
}

/** Whether an interface value holds only loopback (none), something else too (some). */
function interfaceCover(value: string): Cover {
  if (value.startsWith("@") || value.startsWith("$")) return "unknown";
  const names = items(value);
  return names.length > 0 && names.every((n) => n === "lo") ? "none" : "some";
}

/** A source address value: the whole space is all, anything else some (of the sources). */
function sourceCover(value: string): Cover {
  // A named set's elements are not in the snapshot: it could hold every address.
  if (value.startsWith("@") || value.startsWith("$")) return "unknown";
  const xs = items(value);
  if (xs.some((x) => !parseCidr(x))) return "unknown";
  return xs.some((x) => /\/0$/.test(x)) ? "all" : "some";
}

/** A destination address value against the listener's address. */
function destinationCover(value: string, p: Packet): Cover {
  if (value.startsWith("@") || value.startsWith("$")) return "unknown";
  const xs = items(value).map((x) => parseCidr(x));
  if (xs.some((c) => c === undefined)) return "unknown";
  if (xs.some((c) => c!.prefix === 0 && c!.family === p.family)) return "all";
  if (p.address === undefined) return "some";
  return xs.some((c) => cidrContains(c!, p.address!)) ? "all" : "none";
}

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { "6": "tcp", "17": "udp" };

/** Whether a protocol value (`tcp`, `{ tcp, udp }`, `6`) holds the packet's protocol. */
function protocolCover(value: string, protocol: string): Cover {
  if (value.startsWith("@") || value.startsWith("$")) return "unknown";
  const names = items(value).map((x) => PROTOCOL_NUMBERS[x] ?? x.toLowerCase());
  return names.includes(protocol) ? "all" : "none";
}

/** Whether a conntrack state list holds `new`. */
function stateCover(value: string): Cover {
  const states = items(value).flatMap((x) => x.split(",")).map((x) => x.trim().toLowerCase());
  if (states.some((s) => !/^(new|established|related|invalid|untracked)$/.test(s))) {
    return "unknown";
  }
  return states.includes("new") ? "all" : "none";
}

// ---- nft rules ----------------------------------------------------------------------------

/** nft's words: quoted strings and `{ … }` sets stay whole. */
function nftWords(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|\{[^}]*\}|\S+/g) ?? [];
}

/** Words that end what an nft expression's value can be followed by. */
const NFT_VERDICTS = new Set(["accept", "drop", "reject", "return", "continue", "jump", "goto"]);

/** Reads an nft rule against the packet. */
function readNft(text: string, p: Packet): Reading {
  const w = nftWords(text);
  let cover: Cover = "all";
  let action: Action = { do: "next" };
  let i = 0;
  const op = () => {
    if (w[i] === "!=") {
      i++;
      return true;
    }
    if (w[i] === "==") i++;
    return false;
  };
  const value = () => w[i++] ?? "";
  const dims = new Set<string>();
  // Two partial matches on one dimension (two source sets) may leave nothing: not understood.
  const match = (c: Cover, dim = "") => {
    if (c === "some" && dim !== "") {
      if (dims.has(dim)) c = "unknown";
      dims.add(dim);
    }
    cover = and(cover, c);
  };
  const giveUp = () => {
    cover = and(cover, "unknown");
    // Past what is not understood, only the verdict is looked for.
    for (; i < w.length; i++) {
      if (NFT_VERDICTS.has(w[i]!)) {
        action = verdictAt();
        return;
      }
    }
  };
  const verdictAt = (): Action => {
    const v = w[i]!;
    if (v === "jump" || v === "goto") {
      return { do: v, chain: (w[i + 1] ?? "").replace(/^"|"$/g, "") };
    }
    if (v === "accept") return { do: "accept" };
    if (v === "drop" || v === "reject") return { do: "drop" };
    if (v === "return") return { do: "return" };
    return { do: "next" };
  };
  while (i < w.length) {
    const t = w[i]!;
    if (t === "iif" || t === "iifname") {
      i++;
      const neg = op();
      const c = interfaceCover(value());
      match(neg ? (c === "none" ? "all" : c) : c, "iif");
    } else if (
      (t === "tcp" || t === "udp" || t === "th") && /^(dport|sport)$/.test(w[i + 1] ?? "")
    ) {
      const field = w[i + 1];
      i += 2;
      if (w[i] === "vmap") return { cover: and(cover, "unknown"), action: { do: "unknown" } };
      const neg = op();
      const proto: Cover = t === "th" || t === p.protocol ? "all" : "none";
      const c = field === "dport" ? portCover(value(), p.port) : (value(), "some" as Cover);
      match(and(proto, neg && field === "dport" ? not(c) : c), field === "sport" ? "sport" : "");
    } else if (t === "ct" && w[i + 1] === "state") {
      i += 2;
      const neg = op();
      const c = stateCover(value());
      match(neg ? not(c) : c);
    } else if (t === "meta" && (w[i + 1] === "l4proto" || w[i + 1] === "nfproto")) {
      const key = w[i + 1];
      i += 2;
      const neg = op();
      const v = value();
      const c = key === "l4proto"
        ? protocolCover(v, p.protocol)
        : protocolCover(v.replace(/ipv4/g, "inet").replace(/ipv6/g, "inet6"), p.family);
      match(neg ? not(c) : c);
    } else if (t === "meta" && (w[i + 1] === "iif" || w[i + 1] === "iifname")) {
      i += 2;
      const neg = op();
      const c = interfaceCover(value());
      match(neg && c === "none" ? "all" : c, "iif");
    } else if (
      (t === "ip" || t === "ip6") && /^(saddr|daddr|protocol|nexthdr)$/.test(w[i + 1] ?? "")
    ) {
      const field = w[i + 1]!;
      i += 2;
      if (w[i] === "vmap") return { cover: and(cover, "unknown"), action: { do: "unknown" } };
      const fam: Cover = (t === "ip") === (p.family === "inet") ? "all" : "none";
      const neg = op();
      const v = value();
      const c = field === "saddr"
        ? sourceCover(v)
        : field === "daddr"
        ? destinationCover(v, p)
        : protocolCover(v, p.protocol);
      match(
        and(fam, neg ? (field === "saddr" ? (c === "all" ? "none" : c) : not(c)) : c),
        field === "saddr" ? "saddr" : field === "daddr" ? "daddr" : "",
      );
    } else if (t === "icmp" || t === "icmpv6" || t === "igmp") {
      // Any icmp match implies the protocol: never a TCP or UDP packet.
      match("none");
      i++;
      if (i < w.length && !NFT_VERDICTS.has(w[i]!)) i++;
      op();
      if (i < w.length && !NFT_VERDICTS.has(w[i]!)) i++;
    } else if (t === "fib" && w[i + 1] === "daddr" && w[i + 2] === "type" && w[i + 3] === "local") {
      i += 4;
    } else if (t === "meta" && w[i + 1] === "pkttype" && w[i + 2] === "host") {
      i += 3;
    } else if (t === "limit" && w[i + 1] === "rate") {
      i += 2;
      if (w[i] === "over") i++;
      i++;
      if (w[i] === "burst") i += 3;
      match("some", "rate");
    } else if (t === "counter") {
      i++;
      if (w[i] === "name") i += 2;
    } else if (t === "log") {
      i++;
      while (/^(prefix|level|flags|group|snaplen|queue-threshold)$/.test(w[i] ?? "")) i += 2;
    } else if (t === "comment") {
      i += 2;
    } else if (t === "notrack") {
      i++;
    } else if ((t === "meta" || t === "ct") && w[i + 2] === "set") {
      i += 4; // meta mark set 0x1: the packet changes, later matches on it are not understood
    } else if (NFT_VERDICTS.has(t)) {
      action = verdictAt();
      i += t === "jump" || t === "goto" ? 2 : 1;
      if (t === "reject") { while (i < w.length) i++; // reject with …
       }
    } else if (/^(dnat|snat|masquerade|redirect)$/.test(t)) {
      action = { do: t === "dnat" || t === "redirect" ? "divert" : "next" };
      i = w.length;
    } else if (t === "queue") {
      action = { do: "unknown" };
      i = w.length;
    } else {
      giveUp();
      break;
    }
  }
  return { cover, action };
}

// ---- iptables rules -----------------------------------------------------------------------

/** Targets that let the packet go on to the next rule. */
const IPT_NEXT = new Set([
  "LOG",
  "NFLOG",
  "ULOG",
  "MARK",
  "CONNMARK",
  "CT",
  "NOTRACK",
  "TRACE",
  "TCPMSS",
  "CLASSIFY",
  "DSCP",
  "TOS",
  "AUDIT",
  "SET",
  "SNAT",
  "MASQUERADE",
]);

function iptWords(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

/** Reads an iptables-save rule (after `-A CHAIN`) against the packet. */
function readIptables(text: string, p: Packet): Reading {
  const w = iptWords(text);
  let cover: Cover = "all";
  let action: Action = { do: "next" };
  const dims = new Set<string>();
  const match = (c: Cover, neg: boolean, dim = "") => {
    let x = neg ? not(c) : c;
    if (x === "some" && dim !== "") {
      if (dims.has(dim)) x = "unknown";
      dims.add(dim);
    }
    cover = and(cover, x);
  };
  for (let i = 0; i < w.length;) {
    let neg = false;
    if (w[i] === "!") {
      neg = true;
      i++;
    }
    const t = w[i++]!;
    const v = w[i] ?? "";
    switch (t) {
      case "-p":
      case "--protocol":
        i++;
        match(protocolCover(v, p.protocol), neg);
        continue;
      case "-s":
      case "--source":
        i++;
        match(
          neg ? (sourceCover(v) === "all" ? "none" : sourceCover(v)) : sourceCover(v),
          false,
          "saddr",
        );
        continue;
      case "-d":
      case "--destination":
        i++;
        match(destinationCover(v, p), neg, "daddr");
        continue;
      case "-i":
      case "--in-interface": {
        i++;
        const c = v === "lo" ? "none" : "some";
        match(neg && c === "none" ? "all" : c, false, "iif");
        continue;
      }
      case "-m":
      case "--match":
        i++;
        continue;
      case "--dport":
      case "--destination-port":
      case "--dports":
      case "--destination-ports":
        i++;
        match(portCover(v, p.port), neg);
        continue;
      case "--sport":
      case "--source-port":
      case "--sports":
      case "--source-ports":
        i++;
        match("some", false, "sport");
        continue;
      case "--ports":
        i++;
        match(portCover(v, p.port) === "all" && !neg ? "all" : "some", false);
        continue;
      case "--ctstate":
      case "--state":
        i++;
        match(stateCover(v), neg);
        continue;
      case "--comment":
        i++;
        continue;
      case "--dst-type":
        i++;
        match(v === "LOCAL" ? "all" : "unknown", neg);
        continue;
      case "--limit":
        i++;
        match("some", false, "rate");
        continue;
      case "--limit-burst":
        i++;
        continue;
      case "--syn":
        match(p.protocol === "tcp" ? "all" : "none", neg);
        continue;
      case "-j":
      case "--jump":
      case "-g":
      case "--goto": {
        const target = v;
        i = w.length; // what follows belongs to the target (--reject-with, --log-prefix …)
        if (t === "-g" || t === "--goto") action = { do: "goto", chain: target };
        else if (target === "ACCEPT") action = { do: "accept" };
        else if (target === "DROP" || target === "REJECT") action = { do: "drop" };
        else if (target === "RETURN") action = { do: "return" };
        else if (target === "DNAT" || target === "REDIRECT") action = { do: "divert" };
        else if (IPT_NEXT.has(target)) action = { do: "next" };
        // A user chain, or a target not known here (which walk() finds is no chain).
        else action = { do: "jump", chain: target };
        continue;
      }
      default:
        cover = and(cover, "unknown");
        // Past what is not understood, only the target is looked for.
        for (; i < w.length; i++) if (w[i] === "-j" || w[i] === "-g") break;
        continue;
    }
  }
  return { cover, action };
}

// ---- Chains -------------------------------------------------------------------------------

/**
 * What a chain does with the packets that enter it. `drop-some` only comes from a regular
 * chain that returns some packets before dropping the rest.
 */
type Outcome =
  | { is: "drop-all" | "accept-all" | "accept-some" | "drop-some"; why: string }
  | { is: "pass"; why: string }
  | { is: "unknown"; why: string };

/** How deep jumps are followed before the answer is "not evaluated". */
const MAX_DEPTH = 8;

interface Context {
  table: FirewallTable;
  packet: Packet;
  depth: number;
}

function readRule(ctx: Context, text: string): Reading {
  return ctx.table.syntax === "nft" ? readNft(text, ctx.packet) : readIptables(text, ctx.packet);
}

function quote(ctx: Context, chain: FirewallChain, text: string): string {
  return `${describeChain(ctx.table, chain)}: \`${text}\``;
}

/**
 * Walks a chain. A base chain ends in its policy; a regular chain ends by passing the packets
 * back (`pass`), which the jump that led there turns into a rule of its own.
 */
function walk(ctx: Context, chain: FirewallChain, base: boolean): Outcome {
  let certainAccept: string | undefined, maybeAccept: string | undefined;
  /** Rules that dropped a part of the packets: after two, nothing may be left. */
  let partialDrops = 0, maybeDrop: string | undefined;
  let someDrop = false;
  /** Some packets went back to the caller (a regular chain's `return` for some). */
  let returnedSome = false;
  const finish = (verdict: "accept" | "drop", why: string): Outcome => {
    if (verdict === "accept") {
      if (maybeDrop) return { is: "unknown", why: maybeDrop };
      if (partialDrops + (returnedSome ? 1 : 0) > 1) {
        return {
          is: "unknown",
          why: `several rules of ${describeChain(ctx.table, chain)} drop parts of the packets`,
        };
      }
      return { is: someDrop || returnedSome ? "accept-some" : "accept-all", why };
    }
    if (certainAccept) return { is: "accept-some", why: certainAccept };
    if (maybeAccept) return { is: "unknown", why: maybeAccept };
    return { is: returnedSome ? "drop-some" : "drop-all", why };
  };
  for (const rule of chain.rules) {
    const r = readRule(ctx, rule.text);
    let cover = r.cover;
    let action = r.action;
    let where = quote(ctx, chain, rule.text);
    if (cover === "none" || action.do === "next") continue;
    const vague = `${where} is not understood`;
    const overlap = `whether ${where} gets any packet depends on the rules before it`;
    if (action.do === "jump" || action.do === "goto") {
      const target = ctx.table.chains.find((c) => c.name === (action as { chain: string }).chain);
      if (!target || target.hook !== undefined || ctx.depth >= MAX_DEPTH) {
        action = { do: "unknown" };
      } else {
        const sub = walk({ ...ctx, depth: ctx.depth + 1 }, target, false);
        // The rule that decided, in the chain jumped to, says more than the jump.
        if (sub.is !== "pass" && cover === "all") where = sub.why;
        if (sub.is === "pass") {
          if (action.do === "jump") continue;
          action = { do: "return" };
        } else if (sub.is === "accept-all") action = { do: "accept" };
        else if (sub.is === "drop-all") action = { do: "drop" };
        else if (sub.is === "accept-some" || sub.is === "drop-some") {
          action = { do: sub.is === "accept-some" ? "accept" : "drop" };
          cover = and(cover, "some");
        } else return { is: "unknown", why: sub.why };
      }
    }
    switch (action.do) {
      case "accept":
        if (cover === "all") return finish("accept", where);
        // A part accepted for sure only when nothing before could have dropped that part.
        if (cover === "some" && !maybeDrop && !someDrop && !returnedSome) certainAccept ??= where;
        else maybeAccept ??= cover === "some" ? overlap : vague;
        continue;
      case "drop":
        if (cover === "all") return finish("drop", where);
        if (cover === "some") {
          someDrop = true;
          partialDrops++;
        } else maybeDrop ??= vague;
        continue;
      case "return":
        if (cover === "all") {
          if (!base) return regularEnd();
          return finish(
            policyOf(chain),
            `${describeChain(ctx.table, chain)}: policy ${chain.policy}`,
          );
        }
        if (cover === "unknown") {
          maybeAccept ??= vague;
          maybeDrop ??= vague;
        } else if (!base) returnedSome = true;
        else if (policyOf(chain) === "drop") {
          someDrop = true;
          partialDrops++;
        } else if (maybeDrop || someDrop) maybeAccept ??= overlap;
        else certainAccept ??= where;
        continue;
      default: {
        // divert (DNAT/redirect), queue, vmap, a target not known.
        if (cover === "all" && action.do === "divert") {
          return { is: "unknown", why: `${where} sends the packets elsewhere` };
        }
        const why = action.do === "divert" && cover === "some"
          ? `${where} sends some packets elsewhere`
          : vague;
        maybeAccept ??= why;
        maybeDrop ??= why;
      }
    }
  }
  if (!base) return regularEnd();
  return finish(
    policyOf(chain),
    `${describeChain(ctx.table, chain)}: policy ${chain.policy ?? "accept"}`,
  );

  function regularEnd(): Outcome {
    if (!certainAccept && !maybeAccept && !maybeDrop) {
      if (!someDrop) return { is: "pass", why: describeChain(ctx.table, chain) };
      return { is: "drop-some", why: `${describeChain(ctx.table, chain)} drops some packets` };
    }
    const why = maybeAccept ?? maybeDrop ?? certainAccept ??
      `${describeChain(ctx.table, chain)} decides for some packets only`;
    return { is: "unknown", why };
  }
}

function chainText(c: FirewallChain): string {
  return [c.name, c.hook, c.policy, c.priority, ...c.rules.map((r) => r.text)].join("\n");
}

function tableText(t: FirewallTable): string {
  return t.chains.map(chainText).sort().join("\n\n");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function policyOf(chain: FirewallChain): "accept" | "drop" {
  return chain.policy === "drop" ? "drop" : "accept";
}

/** Whether a table's chains see packets of this family. */
function tableSees(t: FirewallTable, family: "inet" | "inet6"): boolean {
  if (t.family === "inet" || t.family === "netdev") return true;
  return t.family === (family === "inet" ? "ip" : "ip6");
}

/** The verdict for one packet family. */
function forFamily(firewall: Firewall, packet: Packet): FilterVerdict {
  const input: Outcome[] = [];
  let hazard: string | undefined;
  // In a defined order, so the reason given never depends on how the lists were ordered.
  const tables = [...firewall.tables].sort((x, y) =>
    compare(firewallTableKey(x), firewallTableKey(y)) || compare(tableText(x), tableText(y))
  );
  for (const table of tables) {
    if (!tableSees(table, packet.family)) continue;
    const chains = [...table.chains].sort((x, y) =>
      compare(x.name, y.name) || compare(chainText(x), chainText(y))
    );
    for (const chain of chains) {
      const early = chain.hook === "prerouting" || chain.hook === "ingress";
      if (chain.hook !== "input" && !early) continue;
      if (chain.type !== undefined && chain.type !== "filter" && !early) continue;
      const o = walk({ table, packet, depth: 0 }, chain, true);
      if (o.is === "drop-all") return { verdict: "filtered", reason: o.why };
      if (early) {
        if (o.is !== "accept-all") hazard ??= o.why;
        continue;
      }
      input.push(o);
    }
  }
  const unknown = input.find((o) => o.is === "unknown");
  if (unknown) return { verdict: "not-evaluated", reason: unknown.why };
  if (hazard) return { verdict: "not-evaluated", reason: `before input, ${hazard}` };
  const some = input.filter((o) => o.is === "accept-some");
  if (some.length > 1) {
    return {
      verdict: "not-evaluated",
      reason: "several input chains each let only some sources through",
    };
  }
  if (input.length === 0) return { verdict: "open", reason: "no input chain filters it" };
  const decided = some[0] ?? input.find((o) => o.why.includes("`")) ?? input[0]!;
  return {
    verdict: "open",
    reason: some.length ? `${decided.why} (some sources)` : decided.why,
  };
}

/**
 * What the firewall does to new connections from other hosts to a listener; `undefined` for a
 * loopback listener, which no other host reaches anyway.
 *
 * @example
 * ```ts
 * import { listenerFiltering } from "./filtered.ts";
 * const fw = { tables: [{ syntax: "nft" as const, family: "inet", name: "filter", chains: [
 *   { name: "input", type: "filter", hook: "input", priority: 0, policy: "drop",
 *     rules: [{ text: "tcp dport 22 accept" }] },
 * ] }] };
 * listenerFiltering(fw, { protocol: "tcp", family: "inet", address: "0.0.0.0", port: 8080 });
 * // { verdict: "filtered", reason: "inet filter input: policy drop" }
 * ```
 */
export function listenerFiltering(
  firewall: Firewall | undefined,
  l: ListenerProbe,
): FilterVerdict | undefined {
  if (isLoopback(l.address)) return undefined;
  if (firewall === undefined) {
    return { verdict: "not-evaluated", reason: "the snapshot has no firewall section" };
  }
  const address = isWildcard(l.address) ? undefined : l.address.replace(/%.*$/, "");
  const families: Array<"inet" | "inet6"> = l.address === "::" ? ["inet6", "inet"] : [l.family];
  const verdicts = families.map((family) =>
    forFamily(firewall, { family, protocol: l.protocol, port: l.port, address })
  );
  if (verdicts.every((v) => v.verdict === "filtered")) return verdicts[0];
  return verdicts.find((v) => v.verdict === "open") ??
    verdicts.find((v) => v.verdict === "not-evaluated")!;
}

/**
 * The verdict of every listener of a snapshot, by listener key (net/sockets.ts). A listener
 * of another namespace (`namespace` set) is judged by that namespace's own firewall
 * (`namespaces[].firewall`), never the host's; when the snapshot does not hold it, the
 * verdict is `not-evaluated`. Own-namespace listeners have none when the snapshot has no
 * firewall section or could not read it.
 */
export function listenerVerdicts(snap: Snapshot): Map<string, FilterVerdict> {
  const out = new Map<string, FilterVerdict>();
  const own: FirewallRead | undefined = readable(snap.firewall, snap.meta.sections.firewall);
  const others = new Map<string, FirewallRead | string>();
  for (const ns of snap.namespaces ?? []) {
    if (ns.own) continue;
    others.set(
      ns.id,
      readable(ns.firewall, ns.sections["firewall"] ?? { status: "ok" }) ??
        `the firewall of ${ns.id} was not read`,
    );
  }
  const rules = socketRules(snap);
  for (const c of snap.connections) {
    if (!isListener(c, rules)) continue;
    const k = listenerKey(c);
    if (out.has(k)) continue;
    const fw = c.namespace === undefined
      ? own
      : others.get(c.namespace) ?? `the firewall of ${c.namespace} was not read`;
    if (fw === undefined) continue;
    const v = typeof fw === "string"
      ? (isLoopback(c.localAddress) ? undefined : { verdict: "not-evaluated" as const, reason: fw })
      : verdictIn(fw, c);
    if (v !== undefined) out.set(k, v);
  }
  return out;
}

/** A firewall and the status it was read with. */
interface FirewallRead {
  firewall: Firewall;
  status: { status: string; warnings?: string[] | undefined };
}

/** The firewall when it was read (ok or partial), else undefined. */
function readable(
  firewall: Firewall | undefined,
  status: { status: string; warnings?: string[] | undefined } | undefined,
): FirewallRead | undefined {
  if (firewall === undefined || status === undefined || status.status === "error") return;
  return { firewall, status };
}

/** One listener's verdict under a firewall read ok or in part. */
function verdictIn(fw: FirewallRead, c: Connection): FilterVerdict | undefined {
  const v = listenerFiltering(fw.firewall, probeOf(c));
  // Part of the firewall could not be read: what was read may still drop, but "open" is
  // only as good as what is missing.
  if (v?.verdict === "open" && fw.status.status === "partial") {
    return {
      verdict: "not-evaluated",
      reason: `part of the firewall was not read (${fw.status.warnings?.[0] ?? "partial"})`,
    };
  }
  return v;
}

/** A socket as the listener the evaluator looks at. */
export function probeOf(c: Connection): ListenerProbe {
  return { protocol: c.protocol, family: c.family, address: c.localAddress, port: c.localPort };
}
