/**
 * Addresses as netlink carries them (network byte order, 4 or 16 bytes; link-layer addresses of any
 * length), turned into the canonical text the rest of nsnap uses: IPv4 dotted, IPv6 RFC 5952
 * compressed with IPv4-mapped as ::ffff:a.b.c.d, MACs as lower-case colon-separated hex.
 */
import { formatIPv6Groups } from "../../net/address.ts";

export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;

/** The nsnap family name of an address family number, or undefined for others. */
export function familyName(af: number): "inet" | "inet6" | undefined {
  return af === AF_INET ? "inet" : af === AF_INET6 ? "inet6" : undefined;
}

/** IPv4 text of the 4 bytes at `at`. */
export function ipv4At(view: DataView, at: number): string {
  return `${view.getUint8(at)}.${view.getUint8(at + 1)}.${view.getUint8(at + 2)}.${
    view.getUint8(at + 3)
  }`;
}

const groups = new Array<number>(8);

/** IPv6 text of the 16 bytes at `at`. */
export function ipv6At(view: DataView, at: number): string {
  for (let i = 0; i < 8; i++) groups[i] = view.getUint16(at + 2 * i, false);
  return formatIPv6Groups(groups);
}

/**
 * The address of `length` bytes at `at`: IPv4 for 4, IPv6 for 16, otherwise undefined (an
 * attribute of another family, or a truncated one).
 */
export function ipAt(view: DataView, at: number, length: number): string | undefined {
  return length === 4 ? ipv4At(view, at) : length === 16 ? ipv6At(view, at) : undefined;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A link-layer address as "aa:bb:cc:dd:ee:ff" (any length; "" for none). */
export function macAt(view: DataView, at: number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += (i ? ":" : "") + HEX[view.getUint8(at + i)]!;
  return s;
}

/** The "any" address of a family, for a prefix of length 0 that carries no address attribute. */
export function anyAddress(family: "inet" | "inet6"): string {
  return family === "inet" ? "0.0.0.0" : "::";
}
