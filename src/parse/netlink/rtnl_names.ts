/**
 * Names for the numbers rtnetlink carries (linux/rtnetlink.h): route scopes, types and protocols,
 * written the way iproute2 writes them by default (its built-in tables, not /etc/iproute2), so that
 * records compare with `ip -j` output and with routes nsnap read from `ip` before.
 */

const SCOPES: Record<number, string> = {
  0: "global",
  200: "site",
  253: "link",
  254: "host",
  255: "nowhere",
};

/** A scope's name (global, site, link, host, nowhere) or its number as text. */
export function scopeName(scope: number): string {
  return SCOPES[scope] ?? String(scope);
}

const ROUTE_TYPES = [
  "unspec",
  "unicast",
  "local",
  "broadcast",
  "anycast",
  "multicast",
  "blackhole",
  "unreachable",
  "prohibit",
  "throw",
  "nat",
  "xresolve",
];

/** A route type's name (unicast, local, broadcast, blackhole, …) or its number as text. */
export function routeTypeName(type: number): string {
  return ROUTE_TYPES[type] ?? String(type);
}

const PROTOCOLS: Record<number, string> = {
  0: "unspec",
  1: "redirect",
  2: "kernel",
  3: "boot",
  4: "static",
  8: "gated",
  9: "ra",
  10: "mrt",
  11: "zebra",
  12: "bird",
  13: "dnrouted",
  14: "xorp",
  15: "ntk",
  16: "dhcp",
  18: "keepalived",
  42: "babel",
  99: "openr",
  186: "bgp",
  187: "isis",
  188: "ospf",
  189: "rip",
  192: "eigrp",
};

/** Who installed a route or rule (kernel, boot, static, dhcp, bgp, …), or its number as text. */
export function routeProtocolName(protocol: number): string {
  return PROTOCOLS[protocol] ?? String(protocol);
}
