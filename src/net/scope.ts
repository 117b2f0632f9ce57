/**
 * Address scope: where an address can be reached from, in the words a policy uses —
 * `loopback` (this host only), `link-local` (the attached link only), `private` (a site's own
 * networks, not routed on the internet), `public` (anything else), or `any` for the wildcard a
 * listener binds to accept on every address.
 *
 * Decisions (one table, `SCOPE_BLOCKS`, first match wins):
 * - loopback: 127.0.0.0/8, ::1/128, and IPv6 interface-local multicast ff01::/16.
 * - link-local: 169.254.0.0/16 (RFC 3927), fe80::/10 (RFC 4291), and the link-local multicast
 *   blocks 224.0.0.0/24 and ff02::/16 (mDNS and friends bind those).
 * - private: RFC 1918 (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), RFC 6598 shared address space
 *   100.64.0.0/10 (carrier-grade NAT: not routed on the internet either), RFC 4193 unique local
 *   addresses fc00::/7, and the deprecated site-local fec0::/10.
 * - public: everything else, including documentation and benchmarking ranges. An address that does
 *   not parse is public too: a policy must never treat what it cannot read as safe.
 * - IPv4-mapped IPv6 (::ffff:a.b.c.d) has the scope of its IPv4 address.
 */
import { type Cidr, cidrContains, isWildcard, parseCidr } from "./address.ts";

/** The scope of one address; `any` is the wildcard (0.0.0.0, ::), reachable on every address. */
export type AddressScope = "loopback" | "link-local" | "private" | "public" | "any";

/** The scopes an address can have, in order from narrowest to widest. */
export const ADDRESS_SCOPES: readonly AddressScope[] = [
  "loopback",
  "link-local",
  "private",
  "public",
  "any",
];

/** The CIDR blocks that decide a scope, first match wins; anything else is public. */
export const SCOPE_BLOCKS: ReadonlyArray<readonly [string, AddressScope, string]> = [
  ["127.0.0.0/8", "loopback", "IPv4 loopback"],
  ["::1/128", "loopback", "IPv6 loopback"],
  ["ff01::/16", "loopback", "IPv6 interface-local multicast"],
  ["169.254.0.0/16", "link-local", "RFC 3927 IPv4 link-local"],
  ["224.0.0.0/24", "link-local", "IPv4 link-local multicast"],
  ["fe80::/10", "link-local", "IPv6 link-local"],
  ["ff02::/16", "link-local", "IPv6 link-local multicast"],
  ["10.0.0.0/8", "private", "RFC 1918"],
  ["172.16.0.0/12", "private", "RFC 1918"],
  ["192.168.0.0/16", "private", "RFC 1918"],
  ["100.64.0.0/10", "private", "RFC 6598 shared address space (CGNAT)"],
  ["fc00::/7", "private", "RFC 4193 unique local"],
  ["fec0::/10", "private", "deprecated IPv6 site-local"],
];

const BLOCKS: ReadonlyArray<readonly [Cidr, AddressScope]> = SCOPE_BLOCKS.map((
  [cidr, scope],
) => [parseCidr(cidr)!, scope]);

/**
 * The scope of an address as text (a scope suffix such as `%eth0` is allowed).
 *
 * @example
 * ```ts
 * import { addressScope } from "./scope.ts";
 * addressScope("10.1.2.3"); // "private"
 * addressScope("::"); // "any"
 * addressScope("fe80::1%eth0"); // "link-local"
 * ```
 */
export function addressScope(address: string): AddressScope {
  const bare = address.replace(/%.*$/, "");
  if (isWildcard(bare) || bare === "::ffff:0.0.0.0") return "any";
  for (const [cidr, scope] of BLOCKS) if (cidrContains(cidr, bare)) return scope;
  return "public";
}
