/**
 * What a fleet report calls each host: its hostname, or where that names no one, its path. Names
 * are unique within a report — two different hosts never print the same — and sorted in natural
 * order (web-2 before web-10), the same on every runtime.
 */
import { identifyingHostname, type Member } from "./pair.ts";
import { pathKey } from "./scan.ts";

/**
 * Compares two names the way people sort them: runs of digits by value, the rest by code unit.
 * @example ["web-10", "web-2"].sort(naturalCompare) // ["web-2", "web-10"]
 */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [], rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i]!, y = rb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x), dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = x.replace(/^0+(?=\d)/, ""), ny = y.replace(/^0+(?=\d)/, "");
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The name a member goes by before names are made unique. */
export function baseName(m: Member): string {
  return identifyingHostname(m.hostname) ? m.hostname : pathKey(m.rel);
}

/**
 * Gives every host of a report a unique name: its base name, then where two collide, the base
 * name with a machine id prefix, then with its path, then numbered. `members[i]` is the
 * snapshot that names host i (the after snapshot of a pair).
 */
export function uniqueNames(members: readonly Member[]): string[] {
  const candidates = members.map((m) => {
    const base = baseName(m);
    const id = m.machineId === undefined ? undefined : m.machineId.slice(0, 8);
    const list = [base];
    if (id !== undefined) list.push(`${base} (machine ${id})`);
    list.push(`${base} (${m.file})`);
    if (id !== undefined) list.push(`${base} (machine ${id}, ${m.file})`);
    return list;
  });
  const names = candidates.map((c) => c[0]!);
  for (let level = 1; level < 4; level++) {
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    let clash = false;
    names.forEach((n, i) => {
      if (counts.get(n)! > 1) {
        clash = true;
        const c = candidates[i]!;
        names[i] = c[Math.min(level, c.length - 1)]!;
      }
    });
    if (!clash) return names;
  }
  // Still equal (the same file given twice): number them.
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n} #${k}`;
  });
}
