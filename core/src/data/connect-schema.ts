import type { Field, Schema, SchemaType } from './schema.js';
import { valueEquals } from './values.js';

/** What `SchemaBuilder.build()` hands to the schema constructor. */
export interface SchemaInit {
  type: SchemaType;
  optional: boolean;
  defaultValue?: unknown;
  name?: string;
  version?: number;
  doc?: string;
  parameters?: Readonly<Record<string, string>>;
  valueSchema?: Schema;
  keySchema?: Schema;
  fields?: readonly { name: string; schema: Schema }[];
}

/**
 * The one `Schema` implementation. Instances are frozen; build them with `SchemaBuilder` rather than
 * directly so the default value is validated.
 */
export class ConnectSchema implements Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly defaultValue?: unknown;
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly valueSchema?: Schema;
  readonly keySchema?: Schema;
  readonly fields: readonly Field[];
  readonly #byName: ReadonlyMap<string, Field>;

  constructor(init: SchemaInit) {
    this.type = init.type;
    this.optional = init.optional;
    // Absent keys (not `undefined` values) keep schemas created in different ways structurally identical.
    if (init.defaultValue !== undefined && init.defaultValue !== null) this.defaultValue = init.defaultValue;
    if (init.name !== undefined) this.name = init.name;
    if (init.version !== undefined) this.version = init.version;
    if (init.doc !== undefined) this.doc = init.doc;
    if (init.parameters !== undefined) this.parameters = Object.freeze({ ...init.parameters });
    if (init.valueSchema !== undefined) this.valueSchema = init.valueSchema;
    if (init.keySchema !== undefined) this.keySchema = init.keySchema;
    this.fields = Object.freeze(
      (init.fields ?? []).map((f, index) => Object.freeze({ name: f.name, index, schema: f.schema })),
    );
    this.#byName = new Map(this.fields.map((f) => [f.name, f]));
    Object.freeze(this);
  }

  field(name: string): Field | undefined {
    return this.#byName.get(name);
  }

  /** Short human-readable form for error messages, e.g. `Schema{org.apache.kafka.connect.data.Decimal:BYTES}`. */
  toString(): string {
    return this.name === undefined ? `Schema{${this.type.toUpperCase()}}` : `Schema{${this.name}:${this.type.toUpperCase()}}`;
  }
}

/**
 * Deep structural equality of two schemas (Kafka Connect's `ConnectSchema.equals`): type, optionality,
 * default value, name, version, doc, parameters, element/key/value schemas and fields in order.
 * `null` equals only `null`.
 */
export function schemaEquals(a: Schema | null | undefined, b: Schema | null | undefined): boolean {
  if (a === b) return true;
  if (a == null || b == null) return false;
  if (
    a.type !== b.type ||
    a.optional !== b.optional ||
    a.name !== b.name ||
    a.version !== b.version ||
    a.doc !== b.doc ||
    !parametersEqual(a.parameters, b.parameters) ||
    !schemaEquals(a.valueSchema, b.valueSchema) ||
    !schemaEquals(a.keySchema, b.keySchema) ||
    a.fields.length !== b.fields.length
  ) {
    return false;
  }
  for (let i = 0; i < a.fields.length; i++) {
    const fa = a.fields[i];
    const fb = b.fields[i];
    if (fa === undefined || fb === undefined || fa.name !== fb.name || !schemaEquals(fa.schema, fb.schema)) return false;
  }
  return valueEquals(a.defaultValue ?? null, b.defaultValue ?? null);
}

function parametersEqual(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  if (a === b) return true;
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => (a ?? {})[k] === (b ?? {})[k]);
}
