import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isStruct, Timestamp as TimestampLogical, type SourceRecord, type Struct } from '@sluice/core';
import { SourceTaskHarness } from '@sluice/testkit';
import { BSON, Decimal128, Double, Int32, Long, type Document } from 'mongodb';
import { MongoSourceTask } from '../src/index.js';
import { mongoTestGate, startTestMongo, type TestMongo } from './support/mongo-server.js';

const gate = mongoTestGate();
const FAST = { idleBackoffMs: 20 };

function parse(record: SourceRecord): Document {
  return BSON.EJSON.parse(String(record.value), { relaxed: true }) as Document;
}

describe.skipIf(gate.skip)('MongoSource against a real wire-protocol server', () => {
  let mongo: TestMongo;
  let db: string;
  const harnesses: SourceTaskHarness[] = [];
  let collectionCounter = 0;

  beforeAll(async () => {
    mongo = await startTestMongo();
    db = mongo.database('source');
    process.stderr.write(`MongoSource integration tests against ${mongo.description}\n`);
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  });
  afterAll(async () => {
    await mongo?.stop();
  });

  function freshCollection(): string {
    return `c${++collectionCounter}`;
  }

  async function startSource(collection: string, extra: Record<string, string> = {}, committedOffsets: { partition: Document; offset: Document }[] = []) {
    const harness = await SourceTaskHarness.start(() => new MongoSourceTask(FAST), {
      config: { 'connection.uri': mongo.url, database: db, collection, 'poll.await.time.ms': '300', ...extra },
      committedOffsets: committedOffsets as never,
    });
    harnesses.push(harness);
    return harness;
  }

  it('publishes inserts, updates and deletes in order, keyed by the document key', async () => {
    const name = freshCollection();
    const coll = mongo.client.db(db).collection(name);
    const harness = await startSource(name, { 'change.stream.full.document': 'updateLookup' });
    await coll.insertOne({ _id: 1 as never, name: 'ada' });
    await coll.updateOne({ _id: 1 as never }, { $set: { name: 'ada lovelace' } });
    const [insert, update] = await harness.pollRecords(2);
    await coll.deleteOne({ _id: 1 as never });
    const [del] = await harness.pollRecords(1);
    const events = [insert, update, del].map((r) => parse(r!));
    expect(events.map((e) => e['operationType'])).toEqual(['insert', 'update', 'delete']);
    expect(insert!.topic).toBe(`${db}.${name}`);
    expect(JSON.parse(String(insert!.key))).toEqual({ _id: 1 });
    expect(JSON.parse(String(del!.key))).toEqual({ _id: 1 });
    expect(events[0]!['fullDocument']).toEqual({ _id: 1, name: 'ada' });
    expect(events[1]!['fullDocument']).toEqual({ _id: 1, name: 'ada lovelace' });
    expect(String(insert!.sourcePartition['ns'])).toMatch(new RegExp(`^mongodb(\\+srv)?://[^@/]+/${db}\\.${name}$`));
    expect(typeof insert!.sourceOffset['_id']).toBe('string');
    expect(insert!.timestamp).toBeGreaterThan(Date.parse('2020-01-01'));
  });

  it('resumes after the committed resume token when restarted, without losing or repeating changes', async () => {
    const name = freshCollection();
    const coll = mongo.client.db(db).collection(name);
    const harness = await startSource(name);
    await coll.insertMany([{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }] as never[]);
    await harness.pollRecords(3);
    await harness.commitOffsets();
    await coll.insertOne({ _id: 'd' } as never);
    await harness.pollRecords(1); // polled, never committed: a crash forgets it
    await harness.restart();
    await coll.insertOne({ _id: 'e' } as never);
    const after = await harness.pollRecords(2);
    expect(after.map((r) => parse(r)['documentKey'])).toEqual([{ _id: 'd' }, { _id: 'e' }]);
    expect(harness.records.map((r) => parse(r)['documentKey']['_id'])).toEqual(['a', 'b', 'c', 'd', 'd', 'e']);
  });

  it('filters events with the aggregation pipeline', async () => {
    const name = freshCollection();
    const coll = mongo.client.db(db).collection(name);
    const harness = await startSource(name, { pipeline: '[{"$match": {"operationType": "insert", "fullDocument.keep": true}}]' });
    await coll.insertMany([{ _id: 1, keep: true }, { _id: 2, keep: false }, { _id: 3, keep: true }] as never[]);
    await coll.deleteOne({ _id: 1 } as never);
    await coll.insertOne({ _id: 4, keep: true } as never);
    const records = await harness.pollRecords(3);
    expect(records.map((r) => parse(r)['fullDocument']['_id'])).toEqual([1, 3, 4]);
    expect(await harness.poll()).toEqual([]);
  });

  it('publishes only the full document when asked, with tombstones for deletes', async () => {
    const name = freshCollection();
    const coll = mongo.client.db(db).collection(name);
    const harness = await startSource(name, { 'publish.full.document.only': 'true', 'publish.full.document.only.tombstone.on.delete': 'true' });
    await coll.insertOne({ _id: 7, qty: 1 } as never);
    await coll.updateOne({ _id: 7 } as never, { $set: { qty: 2 } });
    const [ins, upd] = await harness.pollRecords(2);
    await coll.deleteOne({ _id: 7 } as never);
    const [tomb] = await harness.pollRecords(1);
    expect(parse(ins!)).toEqual({ _id: 7, qty: 1 });
    expect(parse(upd!)).toEqual({ _id: 7, qty: 2 });
    expect(JSON.parse(String(tomb!.key))).toEqual({ _id: 7 });
    expect(tomb!.value).toBeNull();
  });

  it('copies existing documents, then streams changes made during and after the copy with no gap', async () => {
    const name = freshCollection();
    const coll = mongo.client.db(db).collection(name);
    await coll.insertMany(Array.from({ length: 25 }, (_, i) => ({ _id: i, n: i })) as never[]);
    const harness = await startSource(name, { 'startup.mode': 'copy_existing', 'poll.max.batch.size': '10' });
    // written after the stream opened (start) but before the copy read anything
    await coll.insertOne({ _id: 100, n: 100 } as never);
    const first = await harness.poll();
    expect(first).toHaveLength(10);
    const rest = await harness.pollUntil((rs) => rs.some((r) => parse(r)['_id']['_data'] !== undefined));
    const seen = [...first, ...rest];
    const copied = seen.filter((r) => parse(r)['_id']['copyingData'] === true);
    const streamed = seen.filter((r) => parse(r)['_id']['_data'] !== undefined);
    const copiedIds = copied.map((r) => parse(r)['documentKey']['_id'] as number);
    expect(new Set(copiedIds.filter((id) => id < 25)).size).toBe(25);
    // 100 may also have been copied: the overlap is where duplicates are allowed
    expect(copiedIds.filter((id) => id !== 100)).toHaveLength(25);
    expect(streamed.map((r) => parse(r)['documentKey'])).toEqual([{ _id: 100 }]);
    expect(copied.slice(0, -1).every((r) => r.sourceOffset['copy'] === 'true')).toBe(true);
    await coll.insertOne({ _id: 101 } as never);
    const [next] = await harness.pollRecords(1);
    expect(parse(next!)['documentKey']).toEqual({ _id: 101 });
    await harness.commitOffsets();
    expect(harness.committedOffsets()[0]?.offset['copy']).toBeUndefined();
  });

  it('starts at the configured operation time in timestamp mode', async () => {
    const name = freshCollection();
    const coll = mongo.client.db(db).collection(name);
    await coll.insertOne({ _id: 'before' } as never);
    await new Promise((r) => setTimeout(r, 1100)); // operation times have one-second precision
    const startAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    await coll.insertMany([{ _id: 'x' }, { _id: 'y' }] as never[]);
    const harness = await startSource(name, { 'startup.mode': 'timestamp', 'startup.mode.timestamp.start.at.operation.time': startAt });
    const records = await harness.pollRecords(2);
    expect(records.map((r) => parse(r)['documentKey']['_id'])).toEqual(['x', 'y']);
  });

  it('infers a Connect schema that keeps the BSON types of the document', async () => {
    const name = freshCollection();
    const coll = mongo.client.db(db).collection(name);
    const harness = await startSource(name, { 'publish.full.document.only': 'true', 'output.format.value': 'schema', 'output.schema.infer.value': 'true' });
    const when = new Date('2024-05-06T07:08:09.123Z');
    await coll.insertOne({ _id: 1, i: new Int32(7), l: Long.fromString('9007199254740993'), d: new Double(1.5), dec: Decimal128.fromString('12.340'), at: when, tags: ['a', 'b'], nested: { ok: true } } as never);
    const [record] = await harness.pollRecords(1);
    const value = record!.value as Struct;
    expect(isStruct(value)).toBe(true);
    const schema = record!.valueSchema!;
    expect(schema.fields.map((f) => [f.name, f.schema.type])).toEqual([
      ['_id', 'int32'],
      ['at', 'int64'],
      ['d', 'float64'],
      ['dec', 'bytes'],
      ['i', 'int32'],
      ['l', 'int64'],
      ['nested', 'struct'],
      ['tags', 'array'],
    ]);
    expect(schema.field('at')?.schema.name).toBe(TimestampLogical.LOGICAL_NAME);
    expect(value.get('l')).toBe(9007199254740993n);
    expect(value.get('dec')).toEqual({ unscaled: 12340n, scale: 3 });
    expect((value.get('at') as Date).toISOString()).toBe(when.toISOString());
    expect((value.get('nested') as Struct).get('ok')).toBe(true);
  });

  it('writes canonical Extended JSON that keeps every number type', async () => {
    const name = freshCollection();
    const coll = mongo.client.db(db).collection(name);
    const harness = await startSource(name, { 'publish.full.document.only': 'true', 'output.json.formatter': 'com.mongodb.kafka.connect.source.json.formatter.ExtendedJson' });
    await coll.insertOne({ _id: 1, l: Long.fromNumber(5), d: new Double(2) } as never);
    const [record] = await harness.pollRecords(1);
    expect(JSON.parse(String(record!.value))).toEqual({ _id: { $numberInt: '1' }, l: { $numberLong: '5' }, d: { $numberDouble: '2.0' } });
  });

  it('stores the token of events that published nothing in a heartbeat, and resumes after it', async () => {
    const name = freshCollection();
    const coll = mongo.client.db(db).collection(name);
    const harness = await startSource(name, { 'publish.full.document.only': 'true', 'heartbeat.interval.ms': '1' });
    await coll.insertOne({ _id: 1 } as never);
    const [inserted] = await harness.pollRecords(1);
    await coll.deleteOne({ _id: 1 } as never); // no record: full documents only, no tombstones
    const [heartbeat] = await harness.pollRecords(1);
    expect(heartbeat!.topic).toBe('__mongodb_heartbeats');
    expect(heartbeat!.sourceOffset['HEARTBEAT']).toBe('true');
    expect(heartbeat!.sourceOffset['_id']).not.toBe(inserted!.sourceOffset['_id']);
    expect(heartbeat!.value).toBeNull();
    await harness.commitOffsets();
    await harness.restart();
    await coll.insertOne({ _id: 2 } as never);
    const [next] = await harness.pollRecords(1);
    expect(parse(next!)).toEqual({ _id: 2 });
  });

  it('rejects a resume token the server cannot use instead of starting from now', async () => {
    const name = freshCollection();
    const partition = { ns: `bad-token-${name}` };
    const err = await startSource(name, { 'offset.partition.name': partition.ns }, [{ partition, offset: { _id: '{"_data": "zz"}' } }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/change stream/i);
  });

  it(`watches a whole database (${process.env['MONGODB_URL'] ? 'real server' : 'documented gap of mongo-java-server: nothing is delivered'})`, async () => {
    const a = mongo.client.db(db).collection('dbscope_a');
    const harness = await SourceTaskHarness.start(() => new MongoSourceTask(FAST), {
      config: { 'connection.uri': mongo.url, database: db, 'poll.await.time.ms': '300' },
    });
    harnesses.push(harness);
    await a.insertOne({ _id: 'in-a' } as never);
    await mongo.client.db(db).collection('dbscope_b').insertOne({ _id: 'in-b' } as never);
    if (mongo.kind === 'real') {
      const records = await harness.pollRecords(2);
      expect(records.map((r) => r.topic)).toEqual([`${db}.dbscope_a`, `${db}.dbscope_b`]);
    } else {
      const records = await harness.pollUntil(() => false, { timeoutMs: 1000 }).catch(() => harness.records);
      expect(records.filter((r) => r.topic !== '__mongodb_heartbeats')).toEqual([]);
    }
  });
});
