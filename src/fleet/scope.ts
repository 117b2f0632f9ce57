/**
 * Addresses in a fleet key. The same change on two hosts often names each host's own address
 * (a listener on 10.0.1.5 on one, 10.0.2.7 on the other); in a fleet key such an address is
 * replaced by its scope, so the two are one change. Addresses every host shares keep their
 * value: the wildcard and loopback addresses, multicast groups, and remote peers that are not
 * the host itself (a database, a gateway, a load balancer).
 *
 * Scopes: `<own private IPv4>` (10/8, 172.16/12, 192.168/16, 100.64/10) and
 * `<own private IPv6>` (fc00::/7), `<own link-local IPv4|IPv6>` (169.254/16, fe80::/10),
 * `<own public IPv4|IPv6>` (everything else). An inbound session's client (a remote address
 * that is not the host's) is generalised the same way without "own" (`<public IPv4>`): clients
 * differ from host to host, the service port is what the fleet shares.
 */
import type { NetInterface } from "../model.ts";
import { type Cidr, cidrContains, isLoopback, isWildcard, parseCidr } from "../net/address.ts";

const blocks = (list: string[]) => list.map((c) => parseCidr(c)!);
const PRIVATE: Cidr[] = blocks([
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "fc00::/7",
]);
const LINK_LOCAL: Cidr[] = blocks(["169.254.0.0/16", "fe80::/10"]);
const MULTICAST: Cidr[] = blocks(["224.0.0.0/4", "ff00::/8"]);

function inAny(list: readonly Cidr[], address: string): boolean {
  return list.some((c) => cidrContains(c, address));
}

/** The scope word of an address: private, link-local or public. */
export function addressClass(address: string): "private" | "link-local" | "public" {
  if (inAny(PRIVATE, address)) return "private";
  if (inAny(LINK_LOCAL, address)) return "link-local";
  return "public";
}

/** True for an address that means the same on every host. */
export function sharedMeaning(address: string): boolean {
  return isWildcard(address) || isLoopback(address) || inAny(MULTICAST, address) ||
    address === "255.255.255.255" || parseCidr(address) === undefined;
}

function familyWord(address: string): string {
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is an IPv4 address for this purpose.
  return address.includes(":") && !/^::ffff:\d/i.test(address) ? "IPv6" : "IPv4";
}

/** The scope token of one of the host's own addresses (`<own private IPv4>`). */
export function ownScope(address: string): string {
  return `<own ${addressClass(address)} ${familyWord(address)}>`;
}

/** The scope token of a client address (`<public IPv4>`). */
export function clientScope(address: string): string {
  return `<${addressClass(address)} ${familyWord(address)}>`;
}

/** True for a scope token rather than an address. */
export function isScope(text: string): boolean {
  return text.startsWith("<");
}

/** How an address is used in a change, which decides whether it is kept. */
export type AddressRole =
  /** A local address of a socket or an interface address: always the host's own. */
  | "local"
  /** A remote peer: the host's own only when its interfaces have it. */
  | "remote"
  /** An inbound session's client: generalised to its scope unless the host's own. */
  | "client";

/** The host facts a fleet key needs: the addresses its interfaces have. */
export interface HostAddresses {
  has(address: string): boolean;
}

/** The addresses (and IPv4 broadcasts) on a snapshot's interfaces. */
export function ownAddresses(interfaces: readonly NetInterface[]): Set<string> {
  const out = new Set<string>();
  for (const i of interfaces) {
    for (const a of i.addresses) {
      out.add(a.address);
      if (a.broadcast !== undefined) out.add(a.broadcast);
    }
  }
  return out;
}

/**
 * An address as a fleet key holds it: the address itself where it means the same on every
 * host, else its scope (see the module comment).
 * @example fleetAddress("10.0.1.5", "local", new Set()) // "<own private IPv4>"
 */
export function fleetAddress(address: string, role: AddressRole, own: HostAddresses): string {
  if (sharedMeaning(address)) return address;
  if (role === "local" || own.has(address)) return ownScope(address);
  return role === "client" ? clientScope(address) : address;
}
