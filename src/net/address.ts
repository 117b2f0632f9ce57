/**
 * IP address text: canonical forms (IPv4 dotted, IPv6 RFC 5952), CIDR matching, wildcards.
 * Pure functions shared by the parsers, the diff engine and the views.
 */

/** Formats eight 16-bit groups as RFC 5952 text, keeping IPv4-mapped addresses as ::ffff:a.b.c.d. */
export function formatIPv6Groups(g: ArrayLike<number>): string {
  // IPv4-mapped (::ffff:a.b.c.d) is written the way the kernel and ss write it.
  if (
    g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff
  ) {
    const a = g[6]!, b = g[7]!;
    return `::ffff:${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  // Longest run of zero groups (length >= 2, first one wins on ties) becomes "::".
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (out !== "" && !out.endsWith(":")) out += ":";
    out += g[i]!.toString(16);
  }
  return out;
}

/** Parses IPv4 dotted text to a 32-bit number, or undefined when it is not one. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Parses IPv6 text (with optional %scope, embedded IPv4) into eight groups, or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  const pct = text.indexOf("%");
  let s = pct >= 0 ? text.slice(0, pct) : text;
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return undefined;
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    s = s.slice(0, lastColon + 1) + (v4 >>> 16).toString(16) + ":" + (v4 & 0xffff).toString(16);
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parse = (h: string) =>
    h === "" ? [] : h.split(":").map((x) => /^[0-9a-fA-F]{1,4}$/.test(x) ? parseInt(x, 16) : NaN);
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const explicit = head.length + rest.length;
  if (head.some(Number.isNaN) || rest.some(Number.isNaN)) return undefined;
  if (halves.length === 1 && explicit !== 8) return undefined;
  if (halves.length === 2 && explicit > 7) return undefined;
  const zeros = new Array<number>(8 - explicit).fill(0);
  return halves.length === 2 ? [...head, ...zeros, ...rest] : head;
}

/** Returns the canonical text of an IPv4 or IPv6 address (scope kept), or the input unchanged. */
export function canonicalAddress(text: string): string {
  if (text.includes(":")) {
    const g = parseIPv6(text);
    if (!g) return text;
    const pct = text.indexOf("%");
    return formatIPv6Groups(g) + (pct >= 0 ? text.slice(pct) : "");
  }
  const v4 = parseIPv4(text);
  return v4 === undefined ? text : formatIPv4(v4);
}

/** Formats a 32-bit number as dotted IPv4. */
export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * The prefix length of an IPv4 netmask given as a 32-bit number (255.255.255.0 is 24);
 * undefined when its one bits are not contiguous.
 */
export function prefixOfMask(mask: number): number | undefined {
  if (!Number.isInteger(mask) || mask < 0 || mask > 0xffffffff) return undefined;
  let bits = 0;
  while (bits < 32 && (mask & (0x80000000 >>> bits)) !== 0) bits++;
  const rebuilt = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return rebuilt === mask ? bits : undefined;
}

/**
 * A link-layer address as nsnap writes it: lower case, two hex digits per octet ("0:c:29:1a:4e:3b"
 * → "00:0c:29:1a:4e:3b"); 6 to 20 octets (Ethernet to InfiniBand). Undefined for anything else.
 */
export function canonicalMac(text: string): string | undefined {
  if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5,19}$/.test(text)) return undefined;
  return text.split(":").map((p) => p.padStart(2, "0").toLowerCase()).join(":");
}

/** True for the any-address (0.0.0.0, ::, *) a listener binds to accept from everywhere. */
export function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::" || address === "*";
}

/** True for loopback addresses (127.0.0.0/8, ::1, ::ffff:127.x). */
export function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}

/** A parsed CIDR block, for matching addresses against it. */
export interface Cidr {
  family: "inet" | "inet6";
  bits: bigint;
  prefix: number;
}

function toBits(address: string): { family: "inet" | "inet6"; bits: bigint } | undefined {
  if (address.includes(":")) {
    const g = parseIPv6(address);
    if (!g) return undefined;
    // ::ffff:a.b.c.d matches IPv4 CIDRs too.
    if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
      return { family: "inet", bits: BigInt((g[6]! << 16 >>> 0) + g[7]!) };
    }
    return { family: "inet6", bits: g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n) };
  }
  const v4 = parseIPv4(address);
  return v4 === undefined ? undefined : { family: "inet", bits: BigInt(v4) };
}

/** Parses "10.0.0.0/8", "fe80::/10" or a bare address (a /32 or /128); undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const b = toBits(addr);
  if (!b) return undefined;
  const max = b.family === "inet" ? 32 : 128;
  const prefix = slash >= 0 ? Number(text.slice(slash + 1)) : max;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  const shift = BigInt(max - prefix);
  return { family: b.family, bits: (b.bits >> shift) << shift, prefix };
}

/** True when the address lies inside the CIDR block. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const b = toBits(address);
  if (!b || b.family !== cidr.family) return false;
  const shift = BigInt((cidr.family === "inet" ? 32 : 128) - cidr.prefix);
  return (b.bits >> shift) << shift === cidr.bits;
}
