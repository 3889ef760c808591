import {
  DataError,
  DateLogical,
  isDecimalValue,
  isStruct,
  SchemaBuilder,
  Struct,
  Time,
  Timestamp,
  valueToText,
  type AnyRecord,
  type DecimalValue,
  type Schema,
  type SchemaType,
} from '@sluice/core';
import {
  caseInsensitiveAlternatives,
  configError,
  defineConfigSchema,
  listProperty,
  parseTransformConfig,
  REPLACE_NULL_WITH_DEFAULT_PROPERTY,
  splitColon,
} from '../internal/config.js';
import { numberToFloat, numberToInt, parseJavaFloat, parseJavaInt } from '../internal/java-casts.js';
import { isMapValue, mapGet, sameKindAs, toMap } from '../internal/map-value.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { requireMap, requireStruct } from '../internal/requirements.js';
import { SchemaCache } from '../internal/schema-cache.js';
import { copySchemaBasics } from '../internal/schema-copy.js';
import { SidedTransformation } from '../internal/sided-transformation.js';
import { typeName } from '../internal/type-name.js';

/** Types a Cast can produce. */
export type CastTargetType = 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'boolean' | 'string';

const OUTPUT_TYPES: readonly CastTargetType[] = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'];
const INPUT_TYPES: ReadonlySet<SchemaType> = new Set<SchemaType>([...OUTPUT_TYPES, 'bytes']);
const ALL_TYPES: readonly string[] = [...OUTPUT_TYPES, 'bytes', 'array', 'map', 'struct'];
const upperList = (types: Iterable<string>): string => `[${[...types].map((t) => t.toUpperCase()).join(', ')}]`;
const LOGICAL_NAMES: ReadonlySet<string | undefined> = new Set([
  'org.apache.kafka.connect.data.Decimal',
  DateLogical.LOGICAL_NAME,
  Time.LOGICAL_NAME,
  Timestamp.LOGICAL_NAME,
]);

const typeWord = caseInsensitiveAlternatives(ALL_TYPES).slice(4, -2);

/** Settings of `Cast$Key` / `Cast$Value`. */
export const castConfigSchema = defineConfigSchema(
  {
    spec: listProperty(
      'Fields and the type to cast them to, as field1:type,field2:type (for Structs and maps), or a single type to cast the whole ' +
        'key/value. Types: int8, int16, int32, int64, float32, float64, boolean, string. Bytes can only be cast to string (base64).',
      { minItems: 1, items: { type: 'string', pattern: `^(?:[^:]*:)?\\s*(?:${typeWord})\\s*:*$` } },
    ),
    'replace.null.with.default': REPLACE_NULL_WITH_DEFAULT_PROPERTY,
  },
  ['spec'],
);

interface Config {
  spec: string[];
  'replace.null.with.default': boolean;
}

const PURPOSE = 'cast types';

function parseType(word: string, spec: string[]): CastTargetType {
  const t = word.trim().toLowerCase();
  if (!ALL_TYPES.includes(t)) throw configError('spec', spec.join(','), `Invalid type found in casting spec: ${word.trim()}`);
  if (!(OUTPUT_TYPES as readonly string[]).includes(t)) {
    throw configError('spec', spec.join(','), `Cast does not support casting to ${t.toUpperCase()}; supported types are ${upperList(OUTPUT_TYPES)}`);
  }
  return t as CastTargetType;
}

// The Connect type of a schemaless value, or undefined when it has none (Dates, Decimals, …).
function schemalessType(value: unknown): SchemaType | undefined {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'array';
  if (isStruct(value)) return 'struct';
  if (isMapValue(value) && !isDecimalValue(value)) return 'map';
  return undefined;
}

/**
 * Casts one value as Kafka Connect's Cast does (Java conversions: integer narrowing wraps, floats
 * truncate and saturate, strings parse strictly, numbers → boolean is `!= 0` after truncation,
 * anything → string is its Java text form, bytes → base64, Date/Time/Timestamp → their integer
 * encoding unless cast to string). `schema` null means schemaless.
 */
export function castValue(schema: Schema | null, value: unknown, target: CastTargetType): unknown {
  if (value === null || value === undefined) return null;
  const inferred = schema === null ? schemalessType(value) : schema.type;
  if (inferred === undefined) throw new DataError(`Cast was passed a value of type ${typeName(value)}, which Connect's data API does not support`);
  if (!INPUT_TYPES.has(inferred)) {
    throw new DataError(`Cast does not support casting from ${inferred.toUpperCase()}; supported types are ${upperList(INPUT_TYPES)}`);
  }
  if (target === 'string') {
    // Dates render by value (as Kafka's Values.dateFormatFor), everything else by its type.
    return valueToText(value instanceof Date ? null : schema, value);
  }
  let v = value;
  if (schema !== null && v instanceof Date) {
    if (schema.name === DateLogical.LOGICAL_NAME) v = DateLogical.fromLogical(schema, v);
    else if (schema.name === Time.LOGICAL_NAME) v = Time.fromLogical(schema, v);
    else if (schema.name === Timestamp.LOGICAL_NAME) v = Timestamp.fromLogical(schema, v);
  }
  const fromFloat = inferred === 'float32' || inferred === 'float64';
  if (typeof v === 'number' || typeof v === 'bigint' || isDecimalValue(v)) {
    const n = v as number | bigint | DecimalValue;
    switch (target) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64':
        return numberToInt(n, target, fromFloat);
      case 'float32':
        return Math.fround(numberToFloat(n));
      case 'float64':
        return numberToFloat(n);
      case 'boolean': {
        const i = numberToInt(n, 'int64', fromFloat);
        return typeof i === 'bigint' ? i !== 0n : i !== 0;
      }
    }
  }
  if (typeof v === 'boolean') {
    return target === 'boolean' ? v : v ? 1 : 0;
  }
  if (typeof v === 'string') {
    switch (target) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64':
        return parseJavaInt(v, target);
      case 'float32':
        return Math.fround(parseJavaFloat(v));
      case 'float64':
        return parseJavaFloat(v);
      case 'boolean':
        return v.toLowerCase() === 'true';
    }
  }
  throw new DataError(`Cast cannot convert a value of type ${typeName(v)} to ${target}`);
}

function builderFor(type: CastTargetType): SchemaBuilder {
  return type === 'boolean' ? SchemaBuilder.bool() : SchemaBuilder.type(type);
}

/**
 * Kafka Connect's `Cast`: casts listed fields of a Struct or map, or the whole key/value, to another
 * primitive type. With a schema, the derived schema keeps each cast field's optionality and casts its
 * default (cached per input schema). A null key/value passes through unchanged. Casting from arrays,
 * maps or structs is a DataError.
 */
export class Cast extends SidedTransformation {
  #casts: ReadonlyMap<string, CastTargetType> = new Map();
  #whole: CastTargetType | undefined;
  #replaceNullWithDefault = true;
  readonly #schemas = new SchemaCache();

  /** @throws ConfigValidationError for an empty spec, unknown or unsupported types, or a whole-value cast mixed with others. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(castConfigSchema, config);
    const casts = new Map<string, CastTargetType>();
    let whole: CastTargetType | undefined;
    for (const mapping of c.spec) {
      const parts = splitColon(mapping);
      if (parts.length === 1) whole = parseType(parts[0] as string, c.spec);
      else if (parts.length === 2) casts.set((parts[0] as string).trim(), parseType(parts[1] as string, c.spec));
      else throw configError('spec', c.spec.join(','), `Invalid cast mapping: ${mapping}`);
    }
    if (whole !== undefined && c.spec.length > 1) {
      throw configError('spec', c.spec.join(','), 'A Cast that casts the entire value may only specify that single cast in its spec');
    }
    this.#casts = casts;
    this.#whole = whole;
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#schemas.clear();
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const value = this.valueOf(record);
    if (value === null) return record;
    const schema = this.schemaOf(record);
    if (schema === null) {
      if (this.#whole !== undefined) return this.withSide(record, null, castValue(null, value, this.#whole));
      const original = requireMap(value, PURPOSE);
      const updated = toMap(original);
      for (const [field, type] of this.#casts) updated.set(field, castValue(null, mapGet(original, field), type));
      return this.withSide(record, null, sameKindAs(original, updated));
    }
    const updatedSchema = this.#schemas.getOrCompute(schema, (s) => this.#updatedSchema(s));
    if (this.#whole !== undefined) return this.withSide(record, updatedSchema, castValue(schema, value, this.#whole));
    const struct = requireStruct(value, PURPOSE);
    const updated = new Struct(updatedSchema);
    for (const field of struct.schema.fields) {
      const v = this.#replaceNullWithDefault ? struct.get(field.name) : struct.getWithoutDefault(field.name);
      const target = this.#casts.get(field.name);
      updated.put(field.name, target === undefined ? v : castValue(field.schema, v, target));
    }
    return this.withSide(record, updatedSchema, updated);
  }

  #updatedSchema(schema: Schema): Schema {
    let builder: SchemaBuilder;
    if (this.#whole !== undefined) {
      builder = builderFor(this.#whole);
      // Unlike Kafka Connect, a logical type's name is not carried over: a STRING named
      // org.apache.kafka.connect.data.Timestamp would break every converter downstream.
      if (!LOGICAL_NAMES.has(schema.name)) copySchemaBasics(schema, builder);
    } else {
      builder = copySchemaBasics(schema, SchemaBuilder.struct());
      for (const field of schema.fields) {
        const target = this.#casts.get(field.name);
        if (target === undefined) {
          builder.field(field.name, field.schema);
          continue;
        }
        const fb = builderFor(target);
        if (field.schema.optional) fb.optional();
        if (field.schema.defaultValue !== undefined) fb.defaultValue(castValue(field.schema, field.schema.defaultValue, target));
        builder.field(field.name, fb.build());
      }
    }
    if (schema.optional) builder.optional();
    if (schema.defaultValue !== undefined && this.#whole !== undefined) {
      builder.defaultValue(castValue(schema, schema.defaultValue, this.#whole));
    }
    return builder.build();
  }

  override close(): void {
    this.#schemas.clear();
  }
}

/** `org.apache.kafka.connect.transforms.Cast$Key` and `…$Value`. */
export const castPlugins = sidedPlugins('Cast', castConfigSchema, (side) => new Cast(side));
