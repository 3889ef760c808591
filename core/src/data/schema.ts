/** Kafka Connect schema types. Names match Kafka Connect's `Schema.Type` lower-cased. */
export type SchemaType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'array'
  | 'map'
  | 'struct';

/** A field of a struct schema, in schema order. */
export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

/**
 * An immutable Kafka Connect schema. Logical types (Decimal, Date, Time, Timestamp) are named schemas
 * over a primitive type, exactly as in Kafka Connect.
 *
 * Value representation in TypeScript:
 * - int8/int16/int32, float32/float64 → `number`; int64 → `bigint` or `number` (both accepted, `bigint`
 *   produced by converters only when the value is outside the safe integer range)
 * - boolean → `boolean`; string → `string`; bytes → `Uint8Array` (Buffer is fine)
 * - array → `unknown[]`; map → `Map<unknown, unknown>` (plain objects accepted for string keys); struct → `Struct`
 * - Decimal → `{ unscaled: bigint, scale: number }` via the `Decimal` helpers; Date/Time/Timestamp → `Date`
 */
export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly defaultValue?: unknown;
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** array element schema */
  readonly valueSchema?: Schema;
  /** map key schema */
  readonly keySchema?: Schema;
  /** struct fields, in order; empty for non-struct schemas */
  readonly fields: readonly Field[];
  /** Looks up a struct field by name; undefined when absent or not a struct. */
  field(name: string): Field | undefined;
}
