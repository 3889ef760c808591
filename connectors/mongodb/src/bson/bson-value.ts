import type { Document } from 'mongodb';

/**
 * The BSON wrapper type of `v` (`ObjectId`, `Int32`, `Long`, `Double`, `Decimal128`, `Binary`,
 * `Timestamp`, `BSONRegExp`, `Code`, `MinKey`, …), or undefined for plain JavaScript values. Checks
 * the `_bsontype` tag rather than `instanceof`, so values from another copy of `bson` are recognised.
 */
export function bsonTypeOf(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const tag = (v as { _bsontype?: unknown })._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

/** True for a plain document (an object that is neither a BSON wrapper, an array, a Date nor bytes). */
export function isDocument(v: unknown): v is Document {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof Map) &&
    bsonTypeOf(v) === undefined
  );
}
