import { ConfigValidationError, DataError, SchemaBuilder, Schemas, sinkRecord, sourceRecord, Struct, Timestamp } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { InsertField, insertFieldPlugins } from './insert-field.js';

const source = (init: Partial<Parameters<typeof sourceRecord>[0]> = {}) =>
  sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', kafkaPartition: 0, ...init });

const configured = (side: 'key' | 'value', config: Record<string, string>): InsertField => {
  const t = new InsertField(side);
  t.configure(config);
  return t;
};

const ALL_FIELDS = {
  'topic.field': 'topic_field!',
  'partition.field': 'partition_field',
  'offset.field': 'offset_field!',
  'timestamp.field': 'timestamp_field?',
  'static.field': 'instance_id',
  'static.value': 'my-instance-id',
};

describe('InsertField', () => {
  it('rejects a value that is not a Struct when there is a schema', () => {
    const t = configured('value', { 'topic.field': 'topic_field' });
    expect(() => t.apply(source({ valueSchema: Schemas.INT32, value: 42 }))).toThrow(DataError);
    expect(() => t.apply(source({ valueSchema: Schemas.INT32, value: 42 }))).toThrow(/Only Struct values.*field insertion.*found: number/);
  });

  it('copies the schema basics and appends the configured fields with their optionality', () => {
    const t = configured('value', ALL_FIELDS);
    const schema = SchemaBuilder.struct().name('name').version(1).doc('doc').field('magic', Schemas.OPTIONAL_INT64).build();
    const value = new Struct(schema).put('magic', 42);
    const record = sinkRecord({ topic: 'test', kafkaPartition: 0, kafkaOffset: 42, valueSchema: schema, value, timestamp: 1_234 });

    const out = t.apply(record);
    const s = out?.valueSchema;
    expect(s?.name).toBe('name');
    expect(s?.version).toBe(1);
    expect(s?.doc).toBe('doc');
    expect(s?.field('magic')?.schema).toBe(Schemas.OPTIONAL_INT64);
    expect(s?.field('topic_field')?.schema.optional).toBe(false);
    expect(s?.field('partition_field')?.schema).toEqual(Schemas.OPTIONAL_INT32);
    expect(s?.field('offset_field')?.schema).toEqual(Schemas.INT64);
    expect(s?.field('timestamp_field')?.schema.name).toBe(Timestamp.LOGICAL_NAME);
    expect(s?.field('timestamp_field')?.schema.optional).toBe(true);
    expect(s?.field('instance_id')?.schema).toEqual(Schemas.OPTIONAL_STRING);

    const v = out?.value as Struct;
    expect(v.get('magic')).toBe(42);
    expect(v.get('topic_field')).toBe('test');
    expect(v.get('partition_field')).toBe(0);
    expect(v.get('offset_field')).toBe(42);
    expect(v.get('timestamp_field')).toEqual(new Date(1_234));
    expect(v.get('instance_id')).toBe('my-instance-id');
    expect(() => v.validate()).not.toThrow();

    // The derived schema is cached: a second record with the same schema gets the same object.
    const again = t.apply(sinkRecord({ topic: 'test', kafkaPartition: 0, kafkaOffset: 43, valueSchema: schema, value, timestamp: 1 }));
    expect(again?.valueSchema).toBe(s);
  });

  it('inserts entries into a schemaless Map and returns a Map', () => {
    const t = configured('value', ALL_FIELDS);
    const record = sinkRecord({ topic: 'test', kafkaPartition: 0, kafkaOffset: 42, value: new Map([['magic', 42]]), timestamp: 1_234 });
    const out = t.apply(record)?.value as Map<string, unknown>;
    expect(out).toBeInstanceOf(Map);
    expect(Object.fromEntries(out)).toEqual({
      magic: 42,
      topic_field: 'test',
      partition_field: 0,
      offset_field: 42,
      timestamp_field: 1_234,
      instance_id: 'my-instance-id',
    });
    expect(record.value).toEqual(new Map([['magic', 42]]));
  });

  it('keeps a schemaless plain object a plain object', () => {
    const t = configured('value', { 'topic.field': 'topic_field' });
    const out = t.apply(source({ value: { magic: 42 } }));
    expect(out?.value).toEqual({ magic: 42, topic_field: 'test' });
  });

  it('skips the partition and timestamp when the record has none', () => {
    const t = configured('value', { 'partition.field': 'p', 'timestamp.field': 'ts' });
    const out = t.apply(source({ kafkaPartition: null, value: new Map() }));
    expect(out?.value).toEqual(new Map());
  });

  it('leaves tombstones unchanged, with and without a schema', () => {
    const t = configured('value', ALL_FIELDS);
    const schemaless = sinkRecord({ topic: 'test', kafkaPartition: 0, kafkaOffset: 0, value: null });
    expect(t.apply(schemaless)).toBe(schemaless);
    const schema = SchemaBuilder.struct().optional().field('magic', Schemas.OPTIONAL_INT64).build();
    const withSchema = sinkRecord({ topic: 'test', kafkaPartition: 0, kafkaOffset: 0, valueSchema: schema, value: null });
    expect(t.apply(withSchema)).toBe(withSchema);
  });

  it('inserts into the key of a tombstone with InsertField$Key', () => {
    const t = configured('key', { 'topic.field': 'topic_field' });
    const out = t.apply(source({ key: new Map([['id', 1]]), value: null }));
    expect(out?.key).toEqual(new Map<string, unknown>([['id', 1], ['topic_field', 'test']]));
    expect(out?.value).toBeNull();
  });

  it('leaves a record with a null key unchanged with InsertField$Key', () => {
    const t = configured('key', { 'topic.field': 'topic_field' });
    const record = source({ key: null, value: new Map([['a', 1]]) });
    expect(t.apply(record)).toBe(record);
  });

  it('rejects an offset field on a source record', () => {
    const t = configured('value', { 'offset.field': 'o' });
    expect(() => t.apply(source({ value: new Map() }))).toThrow(/Only sink records/);
  });

  it('reads nulls as defaults only when replace.null.with.default is true', () => {
    const schema = SchemaBuilder.struct().field('opt', SchemaBuilder.int32().optional().defaultValue(18).build()).build();
    const value = new Struct(schema);
    for (const [flag, expected] of [['true', 18], ['false', null]] as const) {
      const t = configured('value', { 'topic.field': 't', 'replace.null.with.default': flag });
      const out = t.apply(source({ valueSchema: schema, value }))?.value as Struct;
      expect(out.getWithoutDefault('opt')).toBe(expected);
    }
  });

  it('rejects a config that inserts nothing or a static field without a value', () => {
    expect(() => configured('value', {})).toThrow(ConfigValidationError);
    expect(() => configured('value', {})).toThrow(/No field insertion configured/);
    expect(() => configured('value', { 'static.field': 'x' })).toThrow(/No value specified for static field: x/);
    expect(() => configured('value', { 'topic.field': 't', 'replace.null.with.default': 'maybe' })).toThrow(/replace.null.with.default/);
  });

  it('is published as InsertField$Key and InsertField$Value', () => {
    expect(insertFieldPlugins.map((p) => p.className)).toEqual([
      'org.apache.kafka.connect.transforms.InsertField$Key',
      'org.apache.kafka.connect.transforms.InsertField$Value',
    ]);
    expect((insertFieldPlugins[0].create() as InsertField).side).toBe('key');
    expect((insertFieldPlugins[1].create() as InsertField).side).toBe('value');
  });
});
