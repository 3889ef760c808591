/**
 * Schemaless structured values. Kafka Connect uses `java.util.Map`; here a schemaless value may be a
 * `Map` (what the JSON converter produces) or a plain object (what hand-written source tasks tend to
 * produce). Transforms read both and return the same kind they were given.
 */
export type MapValue = Map<unknown, unknown> | Record<string, unknown>;

/** True for a `Map` or a plain `{}` object. */
export function isMapValue(value: unknown): value is MapValue {
  if (value instanceof Map) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The entry for `key`, or null when absent (as `Map.get` on a Java map). */
export function mapGet(map: MapValue, key: string): unknown {
  if (map instanceof Map) return map.get(key) ?? null;
  return Object.hasOwn(map, key) ? (map[key] ?? null) : null;
}

/** A mutable copy as a `Map` (insertion order kept), to edit before `sameKindAs`. */
export function toMap(map: MapValue): Map<unknown, unknown> {
  return map instanceof Map ? new Map(map) : new Map(Object.entries(map));
}

/**
 * Returns `entries` as the same kind of value as `template`: a `Map` for a `Map`, else a plain
 * object (keys stringified; `__proto__` stays an ordinary key).
 */
export function sameKindAs(template: MapValue, entries: Map<unknown, unknown>): MapValue {
  if (template instanceof Map) return entries;
  return Object.fromEntries([...entries].map(([k, v]) => [String(k), v]));
}
