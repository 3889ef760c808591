import { describe, expect, it } from 'vitest';
import { Decimal, SchemaBuilder, Schemas, Struct, sinkRecord, type Schema } from '@sluice/core';
import { SemanticTypes } from '../types/column-mapping.js';
import { parseSinkConfig } from './postgres-sink-config.js';
import { isDebeziumEnvelope, tableFor, toOperation, UNAVAILABLE } from './sink-operation.js';
import { sqlType, sqlValue } from './sql-mapping.js';

const settings = (extra: Record<string, string> = {}) =>
  parseSinkConfig({ 'connection.url': 'jdbc:postgresql://db:5432/shop', 'connection.username': 'u', ...extra });
const KEY = SchemaBuilder.struct().field('id', Schemas.INT32).build();
const ROW = SchemaBuilder.struct().field('id', Schemas.INT32).field('Name', Schemas.OPTIONAL_STRING).build();
const SOURCE = SchemaBuilder.struct()
  .field('db', Schemas.STRING)
  .field('schema', Schemas.STRING)
  .field('table', Schemas.STRING)
  .build();
const ENVELOPE = SchemaBuilder.struct()
  .name('srv.public.t.Envelope')
  .field(
    'before',
    SchemaBuilder.struct().optional().field('id', Schemas.INT32).field('Name', Schemas.OPTIONAL_STRING).build(),
  )
  .field(
    'after',
    SchemaBuilder.struct().optional().field('id', Schemas.INT32).field('Name', Schemas.OPTIONAL_STRING).build(),
  )
  .field('source', SOURCE)
  .field('op', Schemas.STRING)
  .build();

function envelope(op: string, id: number, name: string | null = 'x'): Struct {
  const rowSchema = ENVELOPE.field('after')!.schema;
  const r = new Struct(rowSchema).put('id', id).put('Name', name);
  return new Struct(ENVELOPE)
    .put('before', op === 'd' ? r : null)
    .put('after', op === 'd' || op === 't' ? null : r)
    .put('source', new Struct(SOURCE).put('db', 'shop').put('schema', 'public').put('table', 'Orders'))
    .put('op', op);
}

const rec = (
  value: unknown,
  valueSchema: Schema | null = ROW,
  key: unknown = new Struct(KEY).put('id', 1),
  keySchema: Schema | null = KEY,
  topic = 'srv.public.orders',
) => sinkRecord({ topic, kafkaPartition: 3, kafkaOffset: 42, key, keySchema, value, valueSchema });

describe('toOperation', () => {
  it('unwraps Debezium envelopes: after for c/r/u, delete for d, truncate for t', () => {
    const s = settings({
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'delete.enabled': 'true',
      'truncate.enabled': 'true',
    });
    expect(toOperation(rec(envelope('c', 1), ENVELOPE), s)).toMatchObject({
      kind: 'upsert',
      table: { schema: null, name: 'srv_public_orders' },
      keyColumns: ['id'],
      values: [1, 'x'],
    });
    expect(toOperation(rec(envelope('r', 1), ENVELOPE), s).kind).toBe('upsert');
    expect(toOperation(rec(envelope('d', 1), ENVELOPE), s)).toMatchObject({
      kind: 'delete',
      keyColumns: [{ name: 'id', sqlType: 'integer' }],
      keyValues: [1],
    });
    expect(toOperation(rec(envelope('t', 1), ENVELOPE), s)).toMatchObject({ kind: 'truncate' });
    expect(toOperation(rec(null, null), s)).toMatchObject({ kind: 'delete', keyValues: [1] });
  });

  it('skips deletes, tombstones and truncates unless enabled', () => {
    const s = settings({ 'insert.mode': 'upsert', 'primary.key.mode': 'record_key' });
    expect(toOperation(rec(envelope('d', 1), ENVELOPE), s)).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/delete.enabled=false/),
    });
    expect(toOperation(rec(null, null), s)).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/tombstone/) });
    expect(toOperation(rec(envelope('t', 1), ENVELOPE), s)).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/truncate/),
    });
  });

  it('folds names to lower case unless quote.identifiers, and resolves ${source.*} placeholders', () => {
    const folded = toOperation(rec(new Struct(ROW).put('id', 1).put('Name', 'a')), settings());
    expect(folded.kind === 'upsert' && folded.columns.map((c) => c.name)).toEqual(['id', 'name']);
    const quoted = toOperation(
      rec(new Struct(ROW).put('id', 1).put('Name', 'a')),
      settings({ 'quote.identifiers': 'true' }),
    );
    expect(quoted.kind === 'upsert' && quoted.columns.map((c) => c.name)).toEqual(['id', 'Name']);
    const byTable = settings({ 'table.name.format': 'replica.${source.table}', 'quote.identifiers': 'true' });
    expect(toOperation(rec(envelope('c', 1), ENVELOPE), byTable)).toMatchObject({
      table: { schema: 'replica', name: 'Orders' },
    });
  });

  it('sends a tombstone to the table of the envelope before it when the table name comes from source', () => {
    const s = settings({
      'primary.key.mode': 'record_key',
      'delete.enabled': 'true',
      'table.name.format': '${source.table}',
    });
    const seen = new Map();
    expect(() => toOperation(rec(null, null), s, seen)).toThrow(/has no Debezium source.table/);
    toOperation(rec(envelope('d', 1), ENVELOPE), s, seen);
    expect(toOperation(rec(null, null), s, seen)).toMatchObject({ kind: 'delete', table: { name: 'orders' } });
  });

  it('takes key columns from the key, a named primitive key, value fields or the Kafka coordinates', () => {
    const value = new Struct(ROW).put('id', 5).put('Name', 'n');
    expect(
      toOperation(rec(value), settings({ 'primary.key.mode': 'record_value', 'primary.key.fields': 'id' })),
    ).toMatchObject({ keyColumns: ['id'], values: [5, 'n'] });
    const primitive = toOperation(
      rec(value, ROW, 'k-1', Schemas.STRING),
      settings({ 'primary.key.mode': 'record_key', 'primary.key.fields': 'code' }),
    );
    expect(primitive).toMatchObject({ keyColumns: ['code'], values: ['k-1', 5, 'n'] });
    const kafka = toOperation(rec(value), settings({ 'primary.key.mode': 'kafka' }));
    expect(kafka).toMatchObject({
      keyColumns: ['__connect_topic', '__connect_partition', '__connect_offset'],
      values: ['srv.public.orders', 3, 42, 5, 'n'],
    });
    expect(kafka.kind === 'upsert' && kafka.columns.slice(0, 3).map((c) => [c.sqlType, c.optional])).toEqual([
      ['text', false],
      ['integer', false],
      ['bigint', false],
    ]);
  });

  it('rejects records it cannot key, naming the problem', () => {
    const value = new Struct(ROW).put('id', 5);
    expect(() => toOperation(rec(value, ROW, null, null), settings({ 'primary.key.mode': 'record_key' }))).toThrow(
      /has no key/,
    );
    expect(() =>
      toOperation(rec(value, ROW, 7, Schemas.INT32), settings({ 'primary.key.mode': 'record_key' })),
    ).toThrow(/primitive value/);
    expect(() =>
      toOperation(rec(value), settings({ 'primary.key.mode': 'record_value', 'primary.key.fields': 'nope' })),
    ).toThrow(/no such field/);
    expect(() => toOperation(rec('just text', Schemas.STRING), settings())).toThrow(/not a struct or map/);
  });

  it('writes schemaless maps, inferring column types', () => {
    const op = toOperation(rec({ id: 1, price: 2.5, tags: ['a'], nested: { x: 1 } }, null, null, null), settings());
    expect(op).toMatchObject({ kind: 'upsert', values: [1, 2.5, '["a"]', '{"x":1}'] });
    expect(op.kind === 'upsert' && op.columns.map((c) => c.sqlType)).toEqual([
      'bigint',
      'double precision',
      'jsonb',
      'jsonb',
    ]);
  });

  it('marks unchanged-TOAST placeholders as unavailable', () => {
    const op = toOperation(
      rec(new Struct(ROW).put('id', 1).put('Name', '__debezium_unavailable_value')),
      settings({ 'primary.key.mode': 'record_key', 'insert.mode': 'upsert' }),
    );
    expect(op).toMatchObject({ values: [1, UNAVAILABLE] });
  });

  it('recognises envelopes as structs or plain maps with op and before/after', () => {
    expect(isDebeziumEnvelope(envelope('u', 1))).toBe(true);
    expect(isDebeziumEnvelope({ op: 'c', after: { id: 1 } })).toBe(true);
    expect(isDebeziumEnvelope({ op: 'x', after: {} })).toBe(false);
    expect(isDebeziumEnvelope(new Struct(ROW).put('id', 1))).toBe(false);
  });

  it('replaces dots of ${topic} but splits schema and table at a dot written in the format', () => {
    const r = rec(null, null, null, null, 'a.b.c');
    expect(tableFor(r, '${topic}', undefined, false)).toEqual({ schema: null, name: 'a_b_c' });
    expect(tableFor(r, 'Stage.${topic}_v2', undefined, false)).toEqual({ schema: 'stage', name: 'a_b_c_v2' });
  });
});

describe('SQL type and value mapping', () => {
  it('creates columns matching Debezium semantic types and Connect logical types', () => {
    const named = (name: string, b = SchemaBuilder.int64()) => b.name(name).build();
    expect(sqlType(Decimal.builder(3).parameter('connect.decimal.precision', '12').build())).toBe('numeric(12,3)');
    expect(sqlType(Decimal.schema(3))).toBe('numeric');
    expect(sqlType(named(SemanticTypes.DATE, SchemaBuilder.int32()))).toBe('date');
    expect(sqlType(named(SemanticTypes.MICRO_TIMESTAMP))).toBe('timestamp(6)');
    expect(sqlType(named(SemanticTypes.ZONED_TIMESTAMP, SchemaBuilder.string()))).toBe('timestamptz');
    expect(sqlType(named(SemanticTypes.UUID, SchemaBuilder.string()))).toBe('uuid');
    expect(sqlType(named(SemanticTypes.JSON, SchemaBuilder.string()))).toBe('jsonb');
    expect(sqlType(SchemaBuilder.array(Schemas.OPTIONAL_INT32).build())).toBe('integer[]');
    expect(sqlType(SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build())).toBe('jsonb');
    expect(sqlType(Schemas.INT8)).toBe('smallint');
    expect(sqlType(Schemas.FLOAT32)).toBe('real');
  });

  it('renders values as exact text for temporal and decimal types, never as JS Dates', () => {
    const named = (name: string, b = SchemaBuilder.int64()) => b.name(name).build();
    expect(sqlValue(named(SemanticTypes.DATE, SchemaBuilder.int32()), 19_782)).toBe('2024-02-29');
    expect(sqlValue(named(SemanticTypes.MICRO_TIME), 49_507_123_456)).toBe('13:45:07.123456');
    expect(sqlValue(named(SemanticTypes.TIME, SchemaBuilder.int32()), 49_507_123)).toBe('13:45:07.123');
    expect(sqlValue(named(SemanticTypes.MICRO_TIMESTAMP), 1_704_164_645_678_901)).toBe('2024-01-02T03:04:05.678901');
    expect(sqlValue(named(SemanticTypes.MICRO_DURATION), 1_500_000)).toBe('1500000 microseconds');
    expect(sqlValue(Decimal.schema(2), { unscaled: -5n, scale: 2 })).toBe('-0.05');
    expect(sqlValue(Schemas.INT64, 9_223_372_036_854_775_807n)).toBe('9223372036854775807');
    expect(
      sqlValue(SchemaBuilder.array(Decimal.builder(1).optional()).build(), [{ unscaled: 15n, scale: 1 }, null]),
    ).toEqual(['1.5', null]);
    expect(sqlValue(SchemaBuilder.map(Schemas.STRING, Schemas.INT64).build(), new Map([['a', 1n]]))).toBe('{"a":1}');
    expect(sqlValue(Schemas.BYTES, new Uint8Array([1, 2]))).toEqual(Buffer.from([1, 2]));
    expect(sqlValue(Schemas.OPTIONAL_STRING, null)).toBeNull();
  });
});
