import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SchemaBuilder, Schemas, Struct, sinkRecord, type SinkRecord } from '@sluice/core';
import { SinkTaskHarness, SourceTaskHarness, sinkRecords } from '@sluice/testkit';
import { ObjectId, type Document } from 'mongodb';
import { MongoSinkTask, MongoSourceTask } from '../src/index.js';
import { mongoTestGate, startTestMongo, type TestMongo } from './support/mongo-server.js';

const gate = mongoTestGate();

describe.skipIf(gate.skip)('MongoSink against a real wire-protocol server', () => {
  let mongo: TestMongo;
  let db: string;
  let counter = 0;
  const harnesses: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    mongo = await startTestMongo();
    db = mongo.database('sink');
    process.stderr.write(`MongoSink integration tests against ${mongo.description}\n`);
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  });
  afterAll(async () => {
    await mongo?.stop();
  });

  function fresh(): string {
    return `t${++counter}`;
  }

  async function startSink(topic: string, extra: Record<string, string> = {}, reporter = true) {
    const harness = await SinkTaskHarness.start(new MongoSinkTask(), {
      config: { 'connection.uri': mongo.url, database: db, topics: topic, ...extra },
      partitions: [{ topic, partition: 0 }],
      errantRecordReporter: reporter,
    });
    harnesses.push(harness);
    return harness;
  }

  const docs = (coll: string, filter: Document = {}) => mongo.client.db(db).collection(coll).find(filter).sort({ _id: 1 }).toArray();

  it('replaces documents by _id with upsert by default, so redelivery changes nothing', async () => {
    const topic = fresh();
    const harness = await startSink(topic);
    const batch = sinkRecords(topic, 0, ['{"_id": 1, "v": "a"}', '{"_id": 2, "v": "b"}', '{"_id": 1, "v": "a2"}']);
    await harness.put(batch);
    await harness.put(batch); // the runtime redelivers after a crash
    await harness.commit();
    expect(await docs(topic)).toEqual([
      { _id: 1, v: 'a2' },
      { _id: 2, v: 'b' },
    ]);
  });

  // Replaying any range of records (what the runtime does after a crash before a commit) must leave
  // the collection exactly as the first delivery left it, for every write model that is idempotent.
  const idempotentModels: [string, Record<string, string>][] = [
    ['ReplaceOne by _id (default)', { 'delete.on.null.values': 'true', 'document.id.strategy': 'com.mongodb.kafka.connect.sink.processor.id.strategy.ProvidedInKeyStrategy' }],
    ['UpdateOne $set by _id', { 'writemodel.strategy': 'UpdateOneDefaultStrategy', 'delete.on.null.values': 'true', 'document.id.strategy': 'com.mongodb.kafka.connect.sink.processor.id.strategy.ProvidedInKeyStrategy' }],
    [
      'ReplaceOne by business key',
      {
        'writemodel.strategy': 'ReplaceOneBusinessKeyStrategy',
        'document.id.strategy': 'com.mongodb.kafka.connect.sink.processor.id.strategy.PartialValueStrategy',
        'document.id.strategy.partial.value.projection.type': 'AllowList',
        'document.id.strategy.partial.value.projection.list': 'sku',
      },
    ],
  ];
  for (const [name, extra] of idempotentModels) {
    it(`leaves the collection unchanged when records are replayed: ${name}`, async () => {
      const topic = fresh();
      const harness = await startSink(topic, extra);
      const businessKey = name.includes('business');
      const values = Array.from({ length: 40 }, (_, i) => ({ sku: `s${i % 12}`, n: i, v: `v${i}` }));
      const batch = sinkRecords(topic, 0, values, 0, { keyFor: (i) => `{"_id": "s${i % 12}"}` });
      // tombstones for two keys in the middle (not meaningful for the business-key model)
      const tombstones = businessKey ? [] : sinkRecords(topic, 0, [null, null], 40, { keyFor: (i) => `{"_id": "s${i + 3}"}` });
      const tail = sinkRecords(topic, 0, values.slice(0, 4).map((v) => ({ ...v, v: `late ${v.n}` })), 42, { keyFor: (i) => `{"_id": "s${i}"}` });
      await harness.put([...batch, ...tombstones, ...tail]);
      const first = await docs(topic);
      expect(first.length).toBe(businessKey ? 12 : 11); // s4 deleted; s3 deleted, then written again by the tail
      // replay everything, then a range from the middle, as two redeliveries would
      await harness.put([...batch, ...tombstones, ...tail]);
      await harness.put([...batch.slice(17), ...tombstones, ...tail]);
      await harness.commit();
      const strip = (d: Document[]) => d.map((x) => (businessKey ? { ...x, _id: undefined } : x));
      expect(strip(await docs(topic))).toEqual(strip(first));
      if (businessKey) expect(new Set((await docs(topic)).map((d) => d['sku'])).size).toBe(12);
    });
  }

  it('gives values without _id a new ObjectId', async () => {
    const topic = fresh();
    const harness = await startSink(topic);
    await harness.put(sinkRecords(topic, 0, [{ name: 'x' }, { name: 'y' }]));
    const written = await docs(topic);
    expect(written.map((d) => d['name']).sort()).toEqual(['x', 'y']);
    expect(written.every((d) => d['_id'] instanceof ObjectId)).toBe(true);
  });

  it('deletes the document a tombstone keys, with the id provided in the key', async () => {
    const topic = fresh();
    const harness = await startSink(topic, { 'document.id.strategy': 'com.mongodb.kafka.connect.sink.processor.id.strategy.ProvidedInKeyStrategy', 'delete.on.null.values': 'true' });
    await harness.put([...sinkRecords(topic, 0, ['{"n": 1}', '{"n": 2}'], 0, { keyFor: (i) => `{"_id": "k${i}"}` })]);
    expect((await docs(topic)).map((d) => d['_id'])).toEqual(['k0', 'k1']);
    await harness.put(sinkRecords(topic, 0, [null], 2, { key: '{"_id": "k0"}' }));
    expect(await docs(topic)).toEqual([{ _id: 'k1', n: 2 }]);
  });

  it('updates with $set, keeping fields the record does not mention', async () => {
    const topic = fresh();
    await mongo.client.db(db).collection(topic).insertOne({ _id: 5, keep: 'me', v: 1 } as never);
    const harness = await startSink(topic, { 'writemodel.strategy': 'UpdateOneDefaultStrategy' });
    await harness.put(sinkRecords(topic, 0, [{ _id: 5, v: 2 }, { _id: 6, v: 3 }]));
    expect(await docs(topic)).toEqual([
      { _id: 5, keep: 'me', v: 2 },
      { _id: 6, v: 3 },
    ]);
  });

  it('reports records the server rejects through the errant-record reporter and writes the rest', async () => {
    const topic = fresh();
    const harness = await startSink(topic, { 'writemodel.strategy': 'InsertOneDefaultStrategy' });
    await harness.put(sinkRecords(topic, 0, [{ _id: 1 }, { _id: 2 }, { _id: 3 }]));
    await harness.put(sinkRecords(topic, 0, [{ _id: 4 }, { _id: 2 }, { _id: 5 }, 'not json'], 3));
    expect((await docs(topic)).map((d) => d['_id'])).toEqual([1, 2, 3, 4, 5]);
    expect(harness.errantRecords.map((e) => e.record.kafkaOffset).sort()).toEqual([4, 6]);
    expect(harness.errantRecords.find((e) => e.record.kafkaOffset === 4)?.error.message).toMatch(/11000/);
    // every offset is committable: failed records were reported, the rest written
    expect((await harness.commit()).get(`${topic}-0`)?.offset).toBe(7);
  });

  it('fails the task when a record cannot be written and no reporter is configured', async () => {
    const topic = fresh();
    const harness = await startSink(topic, {}, false);
    await expect(harness.put(sinkRecords(topic, 0, [{ _id: 1 }, 42]))).rejects.toThrow(/could not be written.*@1/);
  });

  it('routes records by topic or by a value field', async () => {
    const a = fresh();
    const b = fresh();
    const byTopic = await SinkTaskHarness.start(new MongoSinkTask(), {
      config: { 'connection.uri': mongo.url, database: db, topics: `${a},${b}`, [`topic.override.${b}.collection`]: `${b}_renamed` },
      partitions: [
        { topic: a, partition: 0 },
        { topic: b, partition: 0 },
      ],
    });
    harnesses.push(byTopic);
    await byTopic.put([...sinkRecords(a, 0, [{ _id: 1 }]), ...sinkRecords(b, 0, [{ _id: 2 }])]);
    expect((await docs(a)).map((d) => d['_id'])).toEqual([1]);
    expect((await docs(`${b}_renamed`)).map((d) => d['_id'])).toEqual([2]);

    const c = fresh();
    const byField = await startSink(c, {
      'namespace.mapper': 'com.mongodb.kafka.connect.sink.namespace.mapping.FieldPathNamespaceMapper',
      'namespace.mapper.value.collection.field': 'meta.kind',
    });
    await byField.put(sinkRecords(c, 0, [{ _id: 1, meta: { kind: `${c}_cats` } }, { _id: 2, meta: { kind: `${c}_dogs` } }, { _id: 3 }]));
    expect((await docs(`${c}_cats`)).map((d) => d['_id'])).toEqual([1]);
    expect((await docs(`${c}_dogs`)).map((d) => d['_id'])).toEqual([2]);
    expect((await docs(c)).map((d) => d['_id'])).toEqual([3]);
  });

  it('applies Debezium-style change envelopes from a relational CDC source', async () => {
    const topic = fresh();
    const harness = await startSink(topic, { 'change.data.capture.handler': 'com.mongodb.kafka.connect.sink.cdc.debezium.rdbms.postgres.PostgresHandler' });
    const row = SchemaBuilder.struct().name('users.Value').optional().field('id', Schemas.INT32).field('name', Schemas.STRING).field('balance', Schemas.INT64).build();
    const envelope = SchemaBuilder.struct().name('users.Envelope').field('before', row).field('after', row).field('op', Schemas.STRING).field('ts_ms', Schemas.OPTIONAL_INT64).build();
    const keySchema = SchemaBuilder.struct().name('users.Key').field('id', Schemas.INT32).build();
    const event = (offset: number, op: string, before: [number, string, bigint] | null, after: [number, string, bigint] | null): SinkRecord => {
      const toRow = (r: [number, string, bigint] | null) => (r === null ? null : new Struct(row).put('id', r[0]).put('name', r[1]).put('balance', r[2]));
      const id = (after ?? before)![0];
      return sinkRecord({
        topic,
        kafkaPartition: 0,
        kafkaOffset: offset,
        keySchema,
        key: new Struct(keySchema).put('id', id),
        valueSchema: envelope,
        value: new Struct(envelope).put('before', toRow(before)).put('after', toRow(after)).put('op', op).put('ts_ms', 1),
      });
    };
    await harness.put([
      event(0, 'r', null, [1, 'ada', 10n]),
      event(1, 'c', null, [2, 'bob', 9007199254740993n]),
      event(2, 'u', [1, 'ada', 10n], [1, 'ada l.', 11n]),
      event(3, 'd', [2, 'bob', 9007199254740993n], null),
      sinkRecord({ topic, kafkaPartition: 0, kafkaOffset: 4, keySchema, key: new Struct(keySchema).put('id', 2), value: null }),
    ]);
    const written = await mongo.client.db(db).collection(topic).find({}, { promoteLongs: false }).toArray();
    expect(written).toHaveLength(1);
    expect(written[0]!['_id']).toEqual({ id: 1 });
    expect(written[0]!['name']).toBe('ada l.');
    expect(String(written[0]!['balance'])).toBe('11');
    expect(written[0]!['balance']._bsontype).toBe('Long');
  });

  it('replicates a collection from MongoSource change events', async () => {
    const source = mongo.client.db(db).collection(fresh());
    const target = fresh();
    const sourceHarness = await SourceTaskHarness.start(() => new MongoSourceTask({ idleBackoffMs: 20 }), {
      config: { 'connection.uri': mongo.url, database: db, collection: source.collectionName, 'change.stream.full.document': 'updateLookup', 'poll.await.time.ms': '300' },
    });
    harnesses.push(sourceHarness);
    const sink = await startSink(target, { 'change.data.capture.handler': 'mongodb' });
    await source.insertMany([{ _id: 1, v: 'one' }, { _id: 2, v: 'two' }, { _id: 3, v: 'three', at: new Date('2024-01-02T03:04:05Z') }] as never[]);
    // mongo-java-server reports a replace as an update whose documentKey is the whole replacement
    // (README: fidelity gaps), so only a real server gets a replace in this flow
    if (mongo.kind === 'real') await source.replaceOne({ _id: 1 } as never, { v: 'uno' });
    await source.deleteOne({ _id: 2 } as never);
    const events = await sourceHarness.pollRecords(mongo.kind === 'real' ? 5 : 4);
    await sink.put(events.map((r, i) => sinkRecord({ topic: target, kafkaPartition: 0, kafkaOffset: i, key: r.key, value: r.value })));
    expect(sink.errantRecords).toEqual([]);
    expect(await docs(target)).toEqual([
      { _id: 1, v: mongo.kind === 'real' ? 'uno' : 'one' },
      { _id: 3, v: 'three', at: new Date('2024-01-02T03:04:05Z') },
    ]);
  });
});
