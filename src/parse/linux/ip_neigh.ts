/**
 * iproute2 `ip neigh` text (and `ip neigh show proxy`): `ADDRESS dev DEVICE [lladdr MAC]
 * [router] [proxy] [STATE …]`, with the words `ip -s neigh` adds (`ref`, `used`, `probes`) read
 * past.
 *
 * Decisions:
 * - Link-layer addresses are written lower case; one that is no MAC (a tunnel's IPv4 lladdr) is
 *   kept as printed. States are the upper-case words, in order, joined by a space.
 * - `proxy` marks a proxy entry (`ip neigh show proxy`); such entries have no state.
 * - Flags that say who manages an entry (extern_learn, offload, managed) are read past.
 */
import type { Neighbour } from "../../model.ts";
import { canonicalAddress, canonicalMac } from "../../net/address.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";

/** Words followed by a value that a snapshot does not keep (timers and counts of `ip -s`). */
const SKIPPED_WITH_VALUE = new Set(["ref", "used", "probes", "protocol", "nomaster", "vrf"]);
const SKIPPED = new Set(["extern_learn", "offload", "managed", "extern_valid"]);

/** A link-layer address as nsnap writes it: a MAC in lower case, anything else as printed. */
export function linkLayerAddress(text: string): string {
  return canonicalMac(text) ?? text;
}

/**
 * Parses `ip neigh` text into neighbour entries.
 *
 * @example
 * ```ts
 * import { parseIpNeigh } from "./ip_neigh.ts";
 * const { value } = parseIpNeigh("10.0.0.1 dev eth0 lladdr 52:54:00:AA:BB:CC REACHABLE\n");
 * value[0]?.mac; // "52:54:00:aa:bb:cc"
 * ```
 */
export function parseIpNeigh(text: string, source = "ip neigh"): Parsed<Neighbour[]> {
  const out: Neighbour[] = [];
  const warnings: string[] = [];
  splitLines(text).forEach((line, idx) => {
    const words = line.trim().split(/\s+/);
    if (words[0] === undefined || words[0] === "") return;
    const bad = (why: string) =>
      warnings.push(cannotRead(source, idx + 1, `neighbour (${why})`, line));
    const addr = words[0];
    if (!/^[0-9a-fA-F.:]+$/.test(addr) || !/[.:]/.test(addr)) return bad("bad address");
    const n: Neighbour = {
      family: addr.includes(":") ? "inet6" : "inet",
      address: canonicalAddress(addr),
      interface: "",
    };
    const states: string[] = [];
    for (let k = 1; k < words.length;) {
      const w = words[k]!;
      const v = words[k + 1];
      if (w === "dev" && v !== undefined) {
        n.interface = v;
        k += 2;
      } else if (w === "lladdr" && v !== undefined) {
        n.mac = linkLayerAddress(v);
        k += 2;
      } else if (w === "router") {
        n.router = true;
        k += 1;
      } else if (w === "proxy") {
        n.proxy = true;
        k += 1;
      } else if (SKIPPED_WITH_VALUE.has(w) && v !== undefined) {
        k += 2;
      } else if (SKIPPED.has(w)) {
        k += 1;
      } else if (/^[A-Z_]+$/.test(w)) {
        states.push(w);
        k += 1;
      } else return bad(`unknown word ${JSON.stringify(w)}`);
    }
    if (n.interface === "") return bad("no device");
    if (states.length) n.state = states.join(" ");
    out.push(n);
  });
  return { value: out, warnings };
}
