/**
 * How far a listening address reaches: only this host (loopback), the local networks (private,
 * link-local, unique-local, multicast), or beyond (public). A wildcard address (0.0.0.0, ::)
 * reaches as far as the widest address the host has in that family.
 *
 * Decisions:
 * - Private means RFC 1918, shared address space (100.64.0.0/10), link-local, IPv6 unique-local
 *   (fc00::/7) and multicast; every other unicast address is public, documentation ranges too.
 * - IPv4-mapped IPv6 addresses are classed as their IPv4 address.
 * - In a redacted snapshot, pseudonyms (240.0.0.0/5, 2001:db8::/32) hide whether the original was
 *   private or public: such an address is `unknown`, never guessed.
 * - A wildcard on a host whose addresses are not known (no interfaces section) is `unknown`; on a
 *   host with only loopback addresses it is `loopback`. An IPv6 wildcard counts the IPv4
 *   addresses too, since a dual-stack `::` socket accepts IPv4 unless it is v6only, which the
 *   snapshot does not record yet.
 */
import {
  cidrContains,
  isLoopback,
  isWildcard,
  parseCidr,
  parseIPv4,
  parseIPv6,
} from "./address.ts";

/** The reach of one address, widest last. */
export type AddressReach = "loopback" | "private" | "unknown" | "public";

const PRIVATE = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "169.254.0.0/16",
  "224.0.0.0/4",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
].map((c) => parseCidr(c)!);

const PSEUDONYMS = ["240.0.0.0/5", "2001:db8::/32"].map((c) => parseCidr(c)!);

const ORDER: readonly AddressReach[] = ["loopback", "private", "unknown", "public"];

/** Classifies one concrete (non-wildcard) address. */
export function addressReach(address: string, redacted = false): AddressReach {
  const bare = address.replace(/%.*$/, "");
  if (isLoopback(bare)) return "loopback";
  if (parseIPv4(bare) === undefined && parseIPv6(bare) === undefined) return "unknown";
  if (redacted && PSEUDONYMS.some((c) => cidrContains(c, bare))) return "unknown";
  return PRIVATE.some((c) => cidrContains(c, bare)) ? "private" : "public";
}

/** The widest of several reaches (loopback when there are none). */
export function widestReach(reaches: Iterable<AddressReach>): AddressReach {
  let best = 0;
  for (const r of reaches) best = Math.max(best, ORDER.indexOf(r));
  return ORDER[best]!;
}

/** An address the host has, as the interfaces section lists it. */
export interface HostAddress {
  family: string;
  address: string;
}

/**
 * How far a listener bound to `address` reaches, given the host's addresses (`undefined` when
 * the snapshot does not know them).
 *
 * @example
 * ```ts
 * listenerReach("0.0.0.0", [{ family: "inet", address: "10.0.0.5" }]); // "private"
 * listenerReach("127.0.0.1", undefined); // "loopback"
 * ```
 */
export function listenerReach(
  address: string,
  hostAddresses: readonly HostAddress[] | undefined,
  redacted = false,
): AddressReach {
  if (!isWildcard(address)) return addressReach(address, redacted);
  if (hostAddresses === undefined) return "unknown";
  const v6 = address === "::";
  const own = hostAddresses.filter((a) =>
    address === "*" || v6 || a.family === "inet" || a.address.includes(".")
  );
  return widestReach(own.map((a) => addressReach(a.address, redacted)));
}
