/**
 * What a route is to nsnap: the keys that identify one across snapshots and sources, and the
 * kernel's reserved routing table names.
 */
import type { Family, Route } from "../model.ts";
import { canonicalAddress } from "./address.ts";
import { namespacedKey } from "./namespaces.ts";

/** The kernel's reserved table ids by iproute2's names (rt_tables). */
const TABLE_IDS: Readonly<Record<string, number>> = {
  unspec: 0,
  default: 253,
  main: 254,
  local: 255,
};

/**
 * The numeric id of a table given as iproute2 prints it: a reserved name (`main` 254, `local`
 * 255, `default` 253), a number, or absent (the main table); undefined for any other name.
 */
export function tableId(t: unknown): number | undefined {
  if (t === undefined) return 254;
  if (typeof t === "number") return Number.isInteger(t) && t >= 0 ? t : undefined;
  if (typeof t !== "string") return undefined;
  const name = t.toLowerCase();
  if (Object.hasOwn(TABLE_IDS, name)) return TABLE_IDS[name];
  return /^[0-9]{1,10}$/.test(t) && Number(t) <= 0xffffffff ? Number(t) : undefined;
}

/**
 * A route destination as iproute2 prints it (`default`, a bare address, a CIDR block) as the
 * canonical CIDR nsnap writes: "default" is 0.0.0.0/0 or ::/0, an address is a /32 or /128.
 */
export function routeDestination(dst: string, family: Family): string {
  if (dst === "default") return family === "inet" ? "0.0.0.0/0" : "::/0";
  const slash = dst.indexOf("/");
  if (slash < 0) return `${canonicalAddress(dst)}/${family === "inet" ? 32 : 128}`;
  return `${canonicalAddress(dst.slice(0, slash))}${dst.slice(slash)}`;
}

/** Names a table id: `main`, `local`, `default`, or its number. */
export function tableName(id: number): string {
  for (const [name, n] of Object.entries(TABLE_IDS)) if (n === id && n !== 0) return name;
  return String(id);
}

/** Identity of a route: family, table, type, destination and metric, in its namespace. */
export function routeKey(r: Route): string {
  return namespacedKey(r, `${r.family} ${r.table} ${r.type} ${r.destination} ${r.metric}`);
}

/** True for routes that exist once per interface: IPv6 link-local (fe80::/…) and multicast (ff00::/8). */
export function isPerInterfaceRoute(r: Route): boolean {
  return r.family === "inet6" && /^(fe80:|ff[0-9a-f]{2}:)/i.test(r.destination);
}

/** Identity of a route where several share its routeKey (multipath, per-interface): plus the interface. */
export function routeKeyWithInterface(r: Route, base: string = routeKey(r)): string {
  return `${base} dev ${r.interface ?? "-"}`;
}
