/**
 * `ip -j neigh` (and `ip -j neigh show proxy`): iproute2's JSON for ARP and NDP entries —
 * `dst`, `dev`, `lladdr`, `router` and `proxy` (present as null when set), `state` (a list).
 */
import type { Neighbour } from "../../model.ts";
import { canonicalAddress } from "../../net/address.ts";
import { cannotRead, type Parsed } from "../text.ts";
import { parseJsonArray } from "./ip_json.ts";
import { linkLayerAddress } from "./ip_neigh.ts";

/** Parses `ip -j neigh`; `proxy` marks every entry (the output of `ip -j neigh show proxy`). */
export function parseIpJsonNeigh(
  json: string,
  source = "ip -j neigh",
  proxy = false,
): Parsed<Neighbour[]> {
  const out: Neighbour[] = [];
  const warnings: string[] = [];
  parseJsonArray(json, source).forEach((raw, i) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    if (typeof r.dst !== "string" || typeof r.dev !== "string" || typeof raw !== "object") {
      warnings.push(cannotRead(`${source}[${i}]`, undefined, "neighbour", JSON.stringify(raw)));
      return;
    }
    const n: Neighbour = {
      family: r.dst.includes(":") ? "inet6" : "inet",
      address: canonicalAddress(r.dst),
      interface: r.dev,
    };
    if (typeof r.lladdr === "string" && r.lladdr !== "") n.mac = linkLayerAddress(r.lladdr);
    const states = Array.isArray(r.state) ? r.state.map(String) : [];
    if (states.length) n.state = states.join(" ");
    if (Object.hasOwn(r, "router")) n.router = true;
    if (proxy || Object.hasOwn(r, "proxy")) n.proxy = true;
    out.push(n);
  });
  return { value: out, warnings };
}
