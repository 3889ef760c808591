import { describe, expect, it } from 'vitest';
import { ConfigValidationError, DataError, SchemaBuilder, Schemas, Struct, sinkRecord, type SinkRecord } from '@sluice/core';
import { type Binary, type Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { parseSinkConfig } from './mongo-sink-config.js';
import { toSinkDocument } from './sink-document.js';
import { planWrite } from './write-model.js';

function plan(value: unknown, extra: Record<string, string> = {}, key: unknown = null) {
  const s = parseSinkConfig({ 'connection.uri': 'mongodb://h', database: 'd', ...extra }).base;
  const record = sinkRecord({ topic: 'orders', kafkaPartition: 2, kafkaOffset: 17, key, value });
  return planWrite(record, toSinkDocument(record), s);
}

describe('sink write models', () => {
  it('keeps an existing _id and upserts by it by default', () => {
    expect(plan({ _id: 'a', v: 1 })?.op).toEqual({ replaceOne: { filter: { _id: 'a' }, replacement: { _id: 'a', v: 1 }, upsert: true } });
  });

  it('derives _id from the record coordinates with KafkaMetaDataStrategy, and can overwrite an existing one', () => {
    const op = plan({ _id: 'old' }, { 'document.id.strategy': 'KafkaMetaDataStrategy', 'document.id.strategy.overwrite.existing': 'true' })?.op as Document;
    expect(op['replaceOne'].filter).toEqual({ _id: 'orders#2#17' });
  });

  it('filters on flattened business-key fields projected from the value', () => {
    const op = plan(
      { user: { id: 7, region: 'eu' }, sku: 'x', qty: 2 },
      {
        'document.id.strategy': 'PartialValueStrategy',
        'document.id.strategy.partial.value.projection.type': 'AllowList',
        'document.id.strategy.partial.value.projection.list': 'user.id,sku',
        'writemodel.strategy': 'ReplaceOneBusinessKeyStrategy',
      },
    )?.op as Document;
    expect(op['replaceOne'].filter).toEqual({ 'user.id': 7, sku: 'x' });
    expect(op['replaceOne'].replacement).toEqual({ user: { id: 7, region: 'eu' }, sku: 'x', qty: 2 });
  });

  it('sets _modifiedTS and, only on insert, _insertedTS with UpdateOneTimestampsStrategy', () => {
    const op = plan({ _id: 1, v: 2 }, { 'writemodel.strategy': 'UpdateOneTimestampsStrategy' })?.op as Document;
    expect(Object.keys(op['updateOne'].update.$set)).toEqual(['v', '_modifiedTS']);
    expect(op['updateOne'].update.$setOnInsert._insertedTS).toBeInstanceOf(Date);
  });

  it('skips tombstones unless delete.on.null.values, then deletes by the key-derived _id', () => {
    expect(plan(null, {}, '{"_id": 3}')).toBeNull();
    const del = plan(null, { 'delete.on.null.values': 'true', 'document.id.strategy': 'ProvidedInKeyStrategy' }, 'plain-key');
    expect(del?.op).toEqual({ deleteOne: { filter: { _id: 'plain-key' } } });
  });

  it('refuses deletes by key with an id strategy that does not come from the key', () => {
    expect(() => parseSinkConfig({ 'connection.uri': 'mongodb://h', database: 'd', 'delete.on.null.values': 'true' })).toThrow(ConfigValidationError);
  });

  it('stores provided UUID strings as binary UUIDs', () => {
    const op = plan({ _id: '123e4567-e89b-12d3-a456-426614174000' }, { 'document.id.strategy': 'UuidProvidedInValueStrategy', 'document.id.strategy.overwrite.existing': 'true' })?.op as Document;
    const id = op['replaceOne'].filter._id as Binary;
    expect(id.sub_type).toBe(4);
  });

  it('reports values that are not documents as data errors', () => {
    expect(() => plan(42)).toThrow(DataError);
    expect(() => plan('nope')).toThrow(/not a JSON object/);
    expect(() => plan('{"a": ')).toThrow(/not valid JSON/);
  });

  it('converts Struct values by schema, keeping int64, float, decimal and timestamp types', () => {
    const schema = SchemaBuilder.struct()
      .field('_id', Schemas.INT32)
      .field('big', Schemas.INT64)
      .field('ratio', Schemas.FLOAT64)
      .field('price', SchemaBuilder.bytes().name('org.apache.kafka.connect.data.Decimal').parameter('scale', '2').build())
      .field('at', SchemaBuilder.int64().name('org.apache.kafka.connect.data.Timestamp').build())
      .field('blob', Schemas.BYTES)
      .build();
    const at = new Date('2024-01-01T00:00:00Z');
    const value = new Struct(schema).put('_id', 1).put('big', 9007199254740993n).put('ratio', 1).put('price', { unscaled: 1234n, scale: 2 }).put('at', at).put('blob', new Uint8Array([1, 2]));
    const record: SinkRecord = sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 0, valueSchema: schema, value });
    const doc = toSinkDocument(record).valueDoc as Document;
    expect(doc['_id']).toEqual(new Int32(1));
    expect(doc['big']).toEqual(Long.fromBigInt(9007199254740993n));
    expect(doc['ratio']).toEqual(new Double(1));
    expect(String(doc['price'] as Decimal128)).toBe('12.34');
    expect(doc['at']).toEqual(at);
    expect([...(doc['blob'] as Binary).buffer]).toEqual([1, 2]);
  });

  it("reads relaxed Extended JSON and unwraps Kafka Connect's schema envelope", () => {
    const op = plan('{"schema": {"type": "struct"}, "payload": {"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"}, "n": 1}}')?.op as Document;
    expect(op['replaceOne'].filter._id).toBeInstanceOf(ObjectId);
  });
});

describe('CDC handlers', () => {
  it('applies Debezium events without key columns by matching the whole before image', () => {
    const del = plan({ op: 'd', before: { id: 1, name: 'x' }, after: null }, { 'change.data.capture.handler': 'debezium' });
    expect(del?.op).toEqual({ deleteOne: { filter: { id: 1, name: 'x' } } });
    const ins = plan({ op: 'c', after: { name: 'y' } }, { 'change.data.capture.handler': 'debezium' })?.op as Document;
    expect(ins['replaceOne'].filter._id).toBeInstanceOf(ObjectId);
    expect(plan({ op: 't' }, { 'change.data.capture.handler': 'debezium' })).toBeNull();
    expect(() => plan({ before: {} }, { 'change.data.capture.handler': 'debezium' })).toThrow(/no "op"/);
  });

  it('turns MongoDB update events without a full document into $set / $unset', () => {
    const op = plan(
      { operationType: 'update', documentKey: { _id: 4 }, updateDescription: { updatedFields: { a: 1 }, removedFields: ['b'] } },
      { 'change.data.capture.handler': 'com.mongodb.kafka.connect.sink.cdc.mongodb.ChangeStreamHandler' },
    )?.op;
    expect(op).toEqual({ updateOne: { filter: { _id: 4 }, update: { $set: { a: 1 }, $unset: { b: '' } } } });
    expect(plan({ operationType: 'drop' }, { 'change.data.capture.handler': 'mongodb' })).toBeNull();
  });
});
