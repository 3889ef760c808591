import { SchemaBuilder, Schemas, Struct, Timestamp, type AnyRecord, type Schema } from '@sluice/core';
import { configError, defineConfigSchema, parseTransformConfig, REPLACE_NULL_WITH_DEFAULT_PROPERTY, stringProperty } from '../internal/config.js';
import { sameKindAs, toMap } from '../internal/map-value.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { requireMap, requireSinkRecord, requireStruct } from '../internal/requirements.js';
import { SchemaCache } from '../internal/schema-cache.js';
import { copySchemaBasics } from '../internal/schema-copy.js';
import { SidedTransformation } from '../internal/sided-transformation.js';

const OPTIONALITY = 'Suffix with "!" to make it a required field, or "?" to keep it optional (the default).';

/** Settings of `InsertField$Key` / `InsertField$Value` (Kafka Connect's keys and defaults). */
export const insertFieldConfigSchema = defineConfigSchema({
  'topic.field': stringProperty(`Field name for the Kafka topic. ${OPTIONALITY}`),
  'partition.field': stringProperty(`Field name for the Kafka partition. ${OPTIONALITY}`),
  'offset.field': stringProperty(`Field name for the Kafka offset (sink connectors only). ${OPTIONALITY}`),
  'timestamp.field': stringProperty(`Field name for the record timestamp. ${OPTIONALITY}`),
  'static.field': stringProperty(`Field name for a static value. ${OPTIONALITY}`),
  'static.value': stringProperty('The static value, when static.field is set.'),
  'replace.null.with.default': REPLACE_NULL_WITH_DEFAULT_PROPERTY,
});

interface InsertionSpec {
  readonly name: string;
  readonly optional: boolean;
}

function parseSpec(spec: string | undefined): InsertionSpec | undefined {
  if (spec === undefined) return undefined;
  if (spec.endsWith('?')) return { name: spec.slice(0, -1), optional: true };
  if (spec.endsWith('!')) return { name: spec.slice(0, -1), optional: false };
  return { name: spec, optional: true };
}

const OPTIONAL_TIMESTAMP = Timestamp.builder().optional().build();
const PURPOSE = 'field insertion';

interface Config {
  'topic.field'?: string;
  'partition.field'?: string;
  'offset.field'?: string;
  'timestamp.field'?: string;
  'static.field'?: string;
  'static.value'?: string;
  'replace.null.with.default': boolean;
}

/**
 * Kafka Connect's `InsertField`: adds the record's topic, partition, offset (sink records only),
 * timestamp and/or a static string to the key or value. A Struct gets a derived schema with the new
 * fields appended (cached per input schema); a schemaless map gets the entries. A null key/value
 * (e.g. a tombstone) passes through unchanged.
 */
export class InsertField extends SidedTransformation {
  #topic: InsertionSpec | undefined;
  #partition: InsertionSpec | undefined;
  #offset: InsertionSpec | undefined;
  #timestamp: InsertionSpec | undefined;
  #static: InsertionSpec | undefined;
  #staticValue: string | undefined;
  #replaceNullWithDefault = true;
  readonly #schemas = new SchemaCache();

  /** @throws ConfigValidationError when no field is configured or `static.field` lacks `static.value`. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(insertFieldConfigSchema, config);
    this.#topic = parseSpec(c['topic.field']);
    this.#partition = parseSpec(c['partition.field']);
    this.#offset = parseSpec(c['offset.field']);
    this.#timestamp = parseSpec(c['timestamp.field']);
    this.#static = parseSpec(c['static.field']);
    this.#staticValue = c['static.value'];
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    if ([this.#topic, this.#partition, this.#offset, this.#timestamp, this.#static].every((s) => s === undefined)) {
      throw configError('topic.field', null, 'No field insertion configured: set at least one of topic.field, partition.field, offset.field, timestamp.field, static.field');
    }
    if (this.#static !== undefined && this.#staticValue === undefined) {
      throw configError('static.value', null, `No value specified for static field: ${this.#static.name}`);
    }
    this.#schemas.clear();
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const value = this.valueOf(record);
    if (value === null) return record;
    return this.schemaOf(record) === null ? this.#applySchemaless(record, value) : this.#applyWithSchema(record, value);
  }

  #applySchemaless<R extends AnyRecord>(record: R, value: unknown): R {
    const original = requireMap(value, PURPOSE);
    const updated = toMap(original);
    if (this.#topic) updated.set(this.#topic.name, record.topic);
    if (this.#partition && record.kafkaPartition !== null) updated.set(this.#partition.name, record.kafkaPartition);
    if (this.#offset) updated.set(this.#offset.name, requireSinkRecord(record, PURPOSE).kafkaOffset);
    if (this.#timestamp && record.timestamp !== null) updated.set(this.#timestamp.name, record.timestamp);
    if (this.#static && this.#staticValue !== undefined) updated.set(this.#static.name, this.#staticValue);
    return this.withSide(record, null, sameKindAs(original, updated));
  }

  #applyWithSchema<R extends AnyRecord>(record: R, value: unknown): R {
    const struct = requireStruct(value, PURPOSE);
    const schema = this.#schemas.getOrCompute(struct.schema, (s) => this.#updatedSchema(s));
    const updated = new Struct(schema);
    for (const field of struct.schema.fields) {
      updated.put(field.name, this.#replaceNullWithDefault ? struct.get(field.name) : struct.getWithoutDefault(field.name));
    }
    if (this.#topic) updated.put(this.#topic.name, record.topic);
    if (this.#partition && record.kafkaPartition !== null) updated.put(this.#partition.name, record.kafkaPartition);
    if (this.#offset) updated.put(this.#offset.name, requireSinkRecord(record, PURPOSE).kafkaOffset);
    if (this.#timestamp && record.timestamp !== null) updated.put(this.#timestamp.name, new Date(record.timestamp));
    if (this.#static && this.#staticValue !== undefined) updated.put(this.#static.name, this.#staticValue);
    return this.withSide(record, schema, updated);
  }

  #updatedSchema(schema: Schema): Schema {
    const builder = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const field of schema.fields) builder.field(field.name, field.schema);
    const add = (spec: InsertionSpec | undefined, optional: Schema, required: Schema): void => {
      if (spec !== undefined) builder.field(spec.name, spec.optional ? optional : required);
    };
    add(this.#topic, Schemas.OPTIONAL_STRING, Schemas.STRING);
    add(this.#partition, Schemas.OPTIONAL_INT32, Schemas.INT32);
    add(this.#offset, Schemas.OPTIONAL_INT64, Schemas.INT64);
    add(this.#timestamp, OPTIONAL_TIMESTAMP, Timestamp.schema());
    add(this.#static, Schemas.OPTIONAL_STRING, Schemas.STRING);
    return builder.build();
  }

  override close(): void {
    this.#schemas.clear();
  }
}

/** `org.apache.kafka.connect.transforms.InsertField$Key` and `…$Value`. */
export const insertFieldPlugins = sidedPlugins('InsertField', insertFieldConfigSchema, (side) => new InsertField(side));
