import { DataError, Decimal, isDecimalValue, Struct, type AnyRecord, type Schema } from '@sluice/core';
import { defineConfigSchema, listProperty, parseTransformConfig, REPLACE_NULL_WITH_DEFAULT_PROPERTY, stringProperty } from '../internal/config.js';
import { isMapValue, mapGet, sameKindAs, toMap } from '../internal/map-value.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { requireMap, requireStruct } from '../internal/requirements.js';
import { SidedTransformation } from '../internal/sided-transformation.js';
import { typeName } from '../internal/type-name.js';

/** Settings of `MaskField$Key` / `MaskField$Value`. */
export const maskFieldConfigSchema = defineConfigSchema(
  {
    fields: listProperty('Names of fields to mask.', { minItems: 1 }),
    replacement: stringProperty('Custom replacement applied to every masked field (numeric and string fields only); converted to the field\'s type.', {
      minLength: 1,
      'x-importance': 'LOW',
    }),
    'replace.null.with.default': REPLACE_NULL_WITH_DEFAULT_PROPERTY,
  },
  ['fields'],
);

interface Config {
  fields: string[];
  replacement?: string;
  'replace.null.with.default': boolean;
}

const PURPOSE = 'mask fields';
const INT_BITS = { int8: 8n, int16: 16n, int32: 32n, int64: 64n } as const;
type IntType = keyof typeof INT_BITS;

// The kind of a value as MaskField sees it: from the field schema when there is one, else from the
// JS type (integers count as int64 and other numbers as float64, as JSON numbers arrive).
type Kind = IntType | 'float32' | 'float64' | 'boolean' | 'string' | 'decimal' | 'date' | 'array' | 'map' | 'other';

function kindOf(schema: Schema | null, value: unknown): Kind {
  if (schema !== null) {
    if (schema.name === Decimal.LOGICAL_NAME) return 'decimal';
    if (value instanceof Date) return 'date';
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64':
      case 'float32':
      case 'float64':
      case 'boolean':
      case 'string':
      case 'array':
      case 'map':
        return schema.type;
      default:
        return 'other';
    }
  }
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return 'array';
  if (isDecimalValue(value)) return 'decimal';
  if (isMapValue(value)) return 'map';
  return 'other';
}

function nullValue(kind: Kind, value: unknown): unknown {
  switch (kind) {
    case 'boolean':
      return false;
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
      return typeof value === 'bigint' ? 0n : 0;
    case 'decimal':
      // Zero at the value's own scale keeps it valid for its Decimal schema.
      return Object.freeze({ unscaled: 0n, scale: (value as { scale: number }).scale });
    case 'date':
      return new Date(0);
    case 'string':
      return '';
    case 'array':
      return [];
    case 'map':
      return value instanceof Map ? new Map() : {};
    default:
      throw new DataError(`Cannot mask value of type: ${typeName(value)}`);
  }
}

function replacementValue(kind: Kind, value: unknown, replacement: string): unknown {
  const notNumber = (): never => {
    throw new DataError(`Unable to convert the configured replacement to a number for a ${kind} field`);
  };
  switch (kind) {
    case 'string':
      return replacement;
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64': {
      const text = replacement.trim();
      if (!/^[+-]?\d+$/.test(text)) notNumber();
      const n = BigInt(text);
      const bits = INT_BITS[kind];
      if (n < -(2n ** (bits - 1n)) || n >= 2n ** (bits - 1n)) notNumber();
      return typeof value === 'bigint' || !Number.isSafeInteger(Number(n)) ? n : Number(n);
    }
    case 'float32':
    case 'float64': {
      const text = replacement.trim();
      if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) notNumber();
      return kind === 'float32' ? Math.fround(Number(text)) : Number(text);
    }
    case 'decimal': {
      let parsed;
      try {
        parsed = Decimal.fromString(replacement);
      } catch {
        return notNumber();
      }
      return Decimal.rescale(parsed, (value as { scale: number }).scale);
    }
    default:
      throw new DataError(`Cannot mask value of type ${typeName(value)} with a custom replacement`);
  }
}

/**
 * Kafka Connect's `MaskField`: replaces the listed fields with their type's "empty" value (0, false,
 * "", empty array/map, epoch Date), or with `replacement` converted to the field's type (numbers and
 * strings only). Null fields stay null. The schema is unchanged. As in Kafka Connect, a null
 * key/value is an error (it is neither a Struct nor a map).
 */
export class MaskField extends SidedTransformation {
  #fields: ReadonlySet<string> = new Set();
  #replacement: string | undefined;
  #replaceNullWithDefault = true;

  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(maskFieldConfigSchema, config);
    this.#fields = new Set(c.fields);
    this.#replacement = c.replacement;
    this.#replaceNullWithDefault = c['replace.null.with.default'];
  }

  #mask(schema: Schema | null, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    const kind = kindOf(schema, value);
    return this.#replacement === undefined ? nullValue(kind, value) : replacementValue(kind, value, this.#replacement);
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const schema = this.schemaOf(record);
    const value = this.valueOf(record);
    if (schema === null) {
      const original = requireMap(value, PURPOSE);
      const updated = toMap(original);
      for (const name of this.#fields) updated.set(name, this.#mask(null, mapGet(original, name)));
      return this.withSide(record, null, sameKindAs(original, updated));
    }
    const struct = requireStruct(value, PURPOSE);
    const updated = new Struct(struct.schema);
    for (const field of struct.schema.fields) {
      const v = this.#replaceNullWithDefault ? struct.get(field.name) : struct.getWithoutDefault(field.name);
      updated.put(field.name, this.#fields.has(field.name) ? this.#mask(field.schema, v) : v);
    }
    return this.withSide(record, struct.schema, updated);
  }
}

/** `org.apache.kafka.connect.transforms.MaskField$Key` and `…$Value`. */
export const maskFieldPlugins = sidedPlugins('MaskField', maskFieldConfigSchema, (side) => new MaskField(side));
