import { DataError, DateLogical, isStruct, SchemaBuilder, Schemas, Struct, Time, Timestamp, type AnyRecord, type Schema } from '@sluice/core';
import { configError, defineConfigSchema, parseTransformConfig, REPLACE_NULL_WITH_DEFAULT_PROPERTY, stringProperty } from '../internal/config.js';
import { narrowInt64 } from '../internal/java-casts.js';
import { requireMap, requireStructOrNull } from '../internal/requirements.js';
import { mapGet, sameKindAs, toMap } from '../internal/map-value.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { SchemaCache } from '../internal/schema-cache.js';
import { copySchemaBasics } from '../internal/schema-copy.js';
import { SidedTransformation } from '../internal/sided-transformation.js';
import { typeName } from '../internal/type-name.js';
import { SimpleDateFormat, SimpleDateFormatError } from '../time/simple-date-format.js';

/** Timestamp representations (`target.type`); names as in Kafka Connect, case-sensitive. */
export type TimestampType = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp';
/** Units of `unix` timestamps. */
export type UnixPrecision = 'seconds' | 'milliseconds' | 'microseconds' | 'nanoseconds';

const TYPES: readonly TimestampType[] = ['string', 'unix', 'Date', 'Time', 'Timestamp'];
const PRECISIONS: readonly UnixPrecision[] = ['nanoseconds', 'microseconds', 'milliseconds', 'seconds'];

/** Settings of `TimestampConverter$Key` / `TimestampConverter$Value`. */
export const timestampConverterConfigSchema = defineConfigSchema(
  {
    field: stringProperty('The field holding the timestamp, or empty if the entire key/value is the timestamp.', { default: '', 'x-importance': 'HIGH' }),
    'target.type': stringProperty('The desired representation: string, unix, Date, Time or Timestamp.', { enum: [...TYPES], 'x-importance': 'HIGH' }),
    format: stringProperty(
      'A java.text.SimpleDateFormat pattern (evaluated in UTC): produces the output when target.type=string, and parses string input.',
      { default: '' },
    ),
    'unix.precision': stringProperty(
      'Unit of unix timestamps, for output with target.type=unix and for integer input: seconds, milliseconds, microseconds or ' +
        'nanoseconds. Sub-millisecond precision is lost in both directions.',
      { enum: [...PRECISIONS], default: 'milliseconds', 'x-importance': 'LOW' },
    ),
    'replace.null.with.default': REPLACE_NULL_WITH_DEFAULT_PROPERTY,
  },
  ['target.type'],
);

interface Config {
  field: string;
  'target.type': TimestampType;
  format: string;
  'unix.precision': UnixPrecision;
  'replace.null.with.default': boolean;
}

const MS_PER_DAY = 86_400_000;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const OPTIONAL = {
  Date: DateLogical.builder().optional().build(),
  Time: Time.builder().optional().build(),
  Timestamp: Timestamp.builder().optional().build(),
};

function clampInt64(n: bigint): bigint {
  return n > INT64_MAX ? INT64_MAX : n < INT64_MIN ? INT64_MIN : n;
}

function typeSchema(type: TimestampType, optional: boolean): Schema {
  switch (type) {
    case 'string':
      return optional ? Schemas.OPTIONAL_STRING : Schemas.STRING;
    case 'unix':
      return optional ? Schemas.OPTIONAL_INT64 : Schemas.INT64;
    case 'Date':
      return optional ? OPTIONAL.Date : DateLogical.schema();
    case 'Time':
      return optional ? OPTIONAL.Time : Time.schema();
    case 'Timestamp':
      return optional ? OPTIONAL.Timestamp : Timestamp.schema();
  }
}

function typeFromSchema(schema: Schema): TimestampType {
  if (schema.name === Timestamp.LOGICAL_NAME) return 'Timestamp';
  if (schema.name === DateLogical.LOGICAL_NAME) return 'Date';
  if (schema.name === Time.LOGICAL_NAME) return 'Time';
  if (schema.type === 'string') return 'string';
  if (schema.type === 'int64') return 'unix';
  throw new DataError(`Schema ${String(schema)} does not correspond to a known timestamp type format`);
}

function inferType(value: unknown): TimestampType {
  if (value instanceof Date) return 'Timestamp';
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return 'unix';
  if (typeof value === 'string') return 'string';
  throw new DataError(`TimestampConverter does not support ${typeName(value)} values as timestamps`);
}

/**
 * Kafka Connect's `TimestampConverter`: converts a timestamp — the whole key/value, or one top-level
 * field of a Struct or map — between a formatted string, Unix time (int64 in `unix.precision`), and
 * Connect's Date, Time and Timestamp logical types, all in UTC. With a schema the source type comes
 * from the schema; schemaless it is inferred (Date → Timestamp, integer → unix, string → string).
 * Null timestamps stay null; with a schema the result schema keeps the source's optionality.
 */
export class TimestampConverter extends SidedTransformation {
  #field = '';
  #type: TimestampType = 'Timestamp';
  #format: SimpleDateFormat | undefined;
  #precision: UnixPrecision = 'milliseconds';
  #replaceNullWithDefault = true;
  readonly #schemas = new SchemaCache();

  /** @throws ConfigValidationError for a bad target type/precision, or a missing or invalid format. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(timestampConverterConfigSchema, config);
    if (c['target.type'] === 'string' && c.format.trim() === '') {
      throw configError('format', null, 'TimestampConverter requires format option to be specified when using string timestamps');
    }
    let format: SimpleDateFormat | undefined;
    if (c.format.trim() !== '') {
      try {
        format = new SimpleDateFormat(c.format);
      } catch (err) {
        if (!(err instanceof SimpleDateFormatError)) throw err;
        throw configError('format', c.format, `TimestampConverter requires a SimpleDateFormat-compatible pattern: ${err.message}`);
      }
    }
    this.#field = c.field;
    this.#type = c['target.type'];
    this.#format = format;
    this.#precision = c['unix.precision'];
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#schemas.clear();
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const schema = this.schemaOf(record);
    const value = this.valueOf(record);
    if (schema === null) {
      if (value === null || this.#field === '') return this.withSide(record, null, this.#convert(value, undefined));
      const original = requireMap(value, 'converting timestamp formats');
      const updated = toMap(original);
      updated.set(this.#field, this.#convert(mapGet(original, this.#field), undefined));
      return this.withSide(record, null, sameKindAs(original, updated));
    }
    if (this.#field === '') {
      return this.withSide(record, typeSchema(this.#type, schema.optional), this.#convert(value, typeFromSchema(schema)));
    }
    const struct = requireStructOrNull(value, 'converting timestamp formats');
    const updatedSchema = this.#schemas.getOrCompute(schema, (s) => this.#updatedSchema(s));
    return this.withSide(record, updatedSchema, this.#convertStruct(struct, updatedSchema));
  }

  #updatedSchema(schema: Schema): Schema {
    const builder = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const field of schema.fields) {
      builder.field(field.name, field.name === this.#field ? typeSchema(this.#type, field.schema.optional) : field.schema);
    }
    if (schema.optional) builder.optional();
    if (isStruct(schema.defaultValue)) builder.defaultValue(this.#convertStruct(schema.defaultValue, builder.build()));
    return builder.build();
  }

  #convertStruct(struct: Struct | null, updatedSchema: Schema): Struct | null {
    if (struct === null) return null;
    const out = new Struct(updatedSchema);
    for (const field of struct.schema.fields) {
      const v = this.#replaceNullWithDefault ? struct.get(field.name) : struct.getWithoutDefault(field.name);
      out.put(field.name, field.name === this.#field ? this.#convert(v, typeFromSchema(field.schema)) : v);
    }
    return out;
  }

  // Source representation → epoch ms → target representation. `from` undefined means infer.
  #convert(value: unknown, from: TimestampType | undefined): unknown {
    if (value === null || value === undefined) return null;
    return this.#toType(this.#toMillis(value, from ?? inferType(value)));
  }

  #toMillis(value: unknown, from: TimestampType): number {
    switch (from) {
      case 'string': {
        if (typeof value !== 'string') throw new DataError(`Expected a string timestamp but found ${typeName(value)}`);
        const format = this.#format;
        if (format === undefined) throw new DataError('Cannot parse a string timestamp: no format is configured');
        try {
          return format.parse(value).getTime();
        } catch (err) {
          throw new DataError(`Could not parse timestamp: the value does not match the pattern (${format.pattern})`, { cause: err });
        }
      }
      case 'unix': {
        if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value))) {
          throw new DataError(`Expected a Unix timestamp to be an integer (int64), but found ${typeName(value)}`);
        }
        const n = BigInt(value);
        // Java's TimeUnit conversions: division truncates toward zero, multiplication saturates.
        const ms =
          this.#precision === 'seconds' ? clampInt64(n * 1000n)
          : this.#precision === 'microseconds' ? n / 1000n
          : this.#precision === 'nanoseconds' ? n / 1_000_000n
          : n;
        return Timestamp.fromLogical(Timestamp.schema(), Timestamp.toLogical(Timestamp.schema(), ms));
      }
      default:
        if (!(value instanceof Date)) throw new DataError(`Expected a ${from} to be a Date, but found ${typeName(value)}`);
        return value.getTime();
    }
  }

  #toType(ms: number): unknown {
    switch (this.#type) {
      case 'string': {
        const format = this.#format as SimpleDateFormat;
        return format.format(ms);
      }
      case 'unix': {
        const n = BigInt(ms);
        const out =
          this.#precision === 'seconds' ? n / 1000n
          : this.#precision === 'microseconds' ? clampInt64(n * 1000n)
          : this.#precision === 'nanoseconds' ? clampInt64(n * 1_000_000n)
          : n;
        return narrowInt64(out);
      }
      case 'Date':
        return new Date(Math.floor(ms / MS_PER_DAY) * MS_PER_DAY);
      case 'Time':
        return new Date(((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
      case 'Timestamp':
        return new Date(ms);
    }
  }

  override close(): void {
    this.#schemas.clear();
  }
}

/** `org.apache.kafka.connect.transforms.TimestampConverter$Key` and `…$Value`. */
export const timestampConverterPlugins = sidedPlugins('TimestampConverter', timestampConverterConfigSchema, (side) => new TimestampConverter(side));
