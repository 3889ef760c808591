/**
 * A PostgreSQL type as the type mapping sees it: domains resolved to their base type, arrays with
 * their element type, enums with their labels. Built from `pg_type` by the catalog reader.
 */
export interface PgType {
  readonly oid: number;
  /** `typname` of the (base) type, e.g. `int4`, `numeric`, `timestamptz`, `_text` for text[] */
  readonly name: string;
  readonly kind: 'base' | 'array' | 'enum';
  /** element type of an array; null otherwise */
  readonly element: PgType | null;
  /** labels of an enum, in sort order; empty otherwise */
  readonly enumValues: readonly string[];
  /** array element delimiter (`,` for every built-in type except box) */
  readonly delimiter: string;
}

/** A captured table column with everything the mapping needs. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: PgType;
  /** `atttypmod`: precision/scale/length information, -1 when none */
  readonly typeModifier: number;
  /** false for NOT NULL columns */
  readonly optional: boolean;
}

/** Shorthand for tests and built-in lookups: a base type by name. */
export function baseType(name: string, oid = 0): PgType {
  return { oid, name, kind: 'base', element: null, enumValues: [], delimiter: ',' };
}

/** An array of `element`. */
export function arrayType(element: PgType, oid = 0): PgType {
  return { oid, name: `_${element.name}`, kind: 'array', element, enumValues: [], delimiter: ',' };
}

/** An enum with `labels`. */
export function enumType(name: string, labels: readonly string[], oid = 0): PgType {
  return { oid, name, kind: 'enum', element: null, enumValues: labels, delimiter: ',' };
}

/** `numeric(p, s)` precision and scale from a type modifier; null without one. */
export function numericPrecisionScale(typeModifier: number): { precision: number; scale: number } | null {
  if (typeModifier < 4) return null;
  const t = typeModifier - 4;
  // scale is an 11-bit signed field since PostgreSQL 15 (negative scales are allowed)
  let scale = t & 0x7ff;
  if (scale & 0x400) scale -= 0x800;
  return { precision: (t >> 16) & 0xffff, scale };
}

/** Fractional-second precision of time/timestamp types; 6 (the default) when unspecified. */
export function temporalPrecision(typeModifier: number): number {
  return typeModifier < 0 ? 6 : typeModifier;
}

/** Declared length of char/varchar/bit types; null when unbounded. */
export function characterLength(typeModifier: number, name: string): number | null {
  if (typeModifier < 0) return null;
  return name === 'bit' || name === 'varbit' ? typeModifier : typeModifier - 4;
}
