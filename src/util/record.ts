/**
 * Records keyed by text from outside: a file, a host, a user. A plain `{}` inherits from
 * `Object.prototype`, so reading a key such as `constructor` or `toString` finds an inherited
 * function, and assigning `__proto__` replaces the prototype instead of storing a value. Every map
 * nsnap keys by such text is a `Map` or a record made here: it has no prototype, so every key,
 * `__proto__` included, is only a key.
 *
 * @example
 * ```ts
 * const groups = dict<number>([["constructor", 1], ["__proto__", 2]]);
 * Object.keys(groups); // ["constructor", "__proto__"]
 * own(groups, "toString"); // undefined
 * ```
 * @module
 */

/** A new record without a prototype, filled from `entries` in their order (a later key wins). */
export function dict<V>(entries?: Iterable<readonly [string, V]>): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  if (entries !== undefined) { for (const [k, v] of entries) out[k] = v; }
  return out;
}

/** A prototype-free copy of a record's own entries (values are not copied). */
export function dictFrom<V>(record: Readonly<Record<string, V>>): Record<string, V> {
  return dict(Object.entries(record));
}

/** The record's own value for `key`; never one inherited from a prototype. */
export function own<V>(
  record: Readonly<Record<string, V>> | undefined,
  key: string,
): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
