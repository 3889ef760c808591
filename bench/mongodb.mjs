// MongoDB connector throughput against the Node.js driver doing the same work directly, in the same
// run, on mongo-java-server (in-memory, 127.0.0.1) started through scripts/mongodb:
//   sink:   MongoSinkTask.put of N JSON-text records (batches of --batch) vs insertMany of the same
//           documents in batches of the same size, each into a fresh collection;
//   source: MongoSourceTask.poll of N change events (resumed after a token taken before the inserts)
//           vs a change stream opened with startAfter the same token, reading the same N events.
// Build first: npx tsc -b connectors/mongodb
//
//   node bench/mongodb.mjs [--records 50000] [--size 200] [--batch 1000]
import { BSON, MongoClient } from 'mongodb';
import { startMongoJavaServer } from '../scripts/mongodb/mongo-java-server.mjs';
import { MongoSinkTask, MongoSourceTask } from '../connectors/mongodb/dist/index.js';
import { noopLogger, sinkRecord, Schemas } from '../core/dist/index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RECORDS = Number(arg('records', '50000'));
const SIZE = Number(arg('size', '200'));
const BATCH = Number(arg('batch', '1000'));
const DB = 'sluice_bench';
// A bound on every wait, so a stalled stream ends the run instead of hanging it.
const STALL_MS = 60_000;

const doc = (i) => ({ _id: `d${i}`, n: i, payload: 'x'.repeat(SIZE) });
const fmt = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

function sinkContext() {
  return {
    connectorName: 'bench',
    taskId: 0,
    config: {},
    logger: noopLogger,
    assignment: () => [],
    offset() {},
    pause() {},
    resume() {},
    requestCommit() {},
    timeout() {},
    errantRecordReporter: null,
  };
}

async function baselineInsert(client, coll) {
  const c = client.db(DB).collection(coll);
  const start = performance.now();
  for (let i = 0; i < RECORDS; i += BATCH) {
    const docs = [];
    for (let j = i; j < Math.min(RECORDS, i + BATCH); j++) docs.push(doc(j));
    await c.insertMany(docs, { ordered: false });
  }
  return (performance.now() - start) / 1000;
}

async function sinkPut(url, client, coll, extra) {
  // Records are built before the clock starts: the converter's work belongs to the runtime, not the task.
  const batches = [];
  for (let i = 0; i < RECORDS; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(RECORDS, i + BATCH); j++) {
      batch.push(sinkRecord({ topic: 'bench', kafkaPartition: 0, kafkaOffset: j, keySchema: Schemas.STRING, key: `d${j}`, valueSchema: Schemas.STRING, value: JSON.stringify(doc(j)) }));
    }
    batches.push(batch);
  }
  const task = new MongoSinkTask();
  task.initialize(sinkContext());
  await task.start({ 'connection.uri': url, database: DB, collection: coll, topics: 'bench', ...extra });
  const start = performance.now();
  for (const batch of batches) await task.put(batch);
  const seconds = (performance.now() - start) / 1000;
  await task.stop();
  const written = await client.db(DB).collection(coll).countDocuments();
  if (written !== RECORDS) throw new Error(`sink wrote ${written} documents, expected ${RECORDS}`);
  return seconds;
}

/** Inserts a sentinel and returns the resume token of its event: the point both readers start after. */
async function tokenBeforeInserts(client, coll) {
  const c = client.db(DB).collection(coll);
  const stream = c.watch([]);
  try {
    // The driver opens the stream lazily: the first read sends the aggregate, so the insert follows it.
    await stream.tryNext();
    await c.insertOne({ _id: 'sentinel' });
    const deadline = performance.now() + STALL_MS;
    while (performance.now() < deadline) {
      const event = await stream.tryNext();
      if (event !== null) return event._id;
    }
    throw new Error('no sentinel event');
  } finally {
    await stream.close();
  }
}

async function baselineStream(client, coll, token) {
  const stream = client.db(DB).collection(coll).watch([], { startAfter: token, batchSize: BATCH });
  const start = performance.now();
  let n = 0;
  try {
    while (n < RECORDS) {
      if (performance.now() - start > STALL_MS) throw new Error(`change stream stalled after ${n} events`);
      const event = await stream.tryNext();
      if (event !== null && event.operationType === 'insert') n++;
    }
  } finally {
    await stream.close();
  }
  return (performance.now() - start) / 1000;
}

async function sourcePoll(url, coll, token) {
  const stored = { _id: BSON.EJSON.stringify(token, { relaxed: false }) };
  const task = new MongoSourceTask();
  task.initialize({
    connectorName: 'bench',
    taskId: 0,
    config: {},
    logger: noopLogger,
    offsetStorageReader: {
      offset: async () => stored,
      offsets: async (ps) => new Map(ps.map((p) => [p, stored])),
    },
  });
  await task.start({
    'connection.uri': url,
    database: DB,
    collection: coll,
    'offset.partition.name': 'bench',
    'poll.max.batch.size': String(BATCH),
    'batch.size': String(BATCH),
    'poll.await.time.ms': '1000',
  });
  const abort = new AbortController();
  const start = performance.now();
  let n = 0;
  try {
    while (n < RECORDS) {
      if (performance.now() - start > STALL_MS) throw new Error(`source task stalled after ${n} records`);
      const records = await task.poll(abort.signal);
      n += records?.length ?? 0;
    }
  } finally {
    abort.abort();
    await task.stop();
  }
  if (n !== RECORDS) throw new Error(`source task returned ${n} records, expected ${RECORDS}`);
  return (performance.now() - start) / 1000;
}

const server = await startMongoJavaServer({ log: () => {} });
const client = await new MongoClient(server.url, { serverSelectionTimeoutMS: 10_000 }).connect();
try {
  await client.db(DB).dropDatabase();
  console.log(`MongoDB connectors vs the Node.js driver: ${fmt(RECORDS)} documents of ~${SIZE} B, batches of ${BATCH}, mongo-java-server on 127.0.0.1`);

  // An untimed warm-up pass, so neither side pays for the JVM's and V8's first compilations.
  await baselineInsert(client, 'warmup');
  await client.db(DB).collection('warmup').drop();
  const base = await baselineInsert(client, 'base_insert');
  const sinkReplace = await sinkPut(server.url, client, 'sink_replace', {});
  const sinkInsert = await sinkPut(server.url, client, 'sink_insert', { 'writemodel.strategy': 'InsertOneDefaultStrategy' });
  console.log('\nsink (writes/s)');
  console.log(`  insertMany directly                            ${fmt(RECORDS / base)} docs/s`);
  console.log(`  MongoSinkTask.put, ReplaceOne upsert (default) ${fmt(RECORDS / sinkReplace)} docs/s  ratio ${(base / sinkReplace).toFixed(3)}`);
  console.log(`  MongoSinkTask.put, InsertOne                      ${fmt(RECORDS / sinkInsert)} docs/s  ratio ${(base / sinkInsert).toFixed(3)}`);

  const token = await tokenBeforeInserts(client, 'events');
  const c = client.db(DB).collection('events');
  for (let i = 0; i < RECORDS; i += BATCH) {
    const docs = [];
    for (let j = i; j < Math.min(RECORDS, i + BATCH); j++) docs.push(doc(j));
    await c.insertMany(docs);
  }
  const streamBase = await baselineStream(client, 'events', token);
  const source = await sourcePoll(server.url, 'events', token);
  console.log('\nsource (change events/s, reading the same inserted documents after the same token)');
  console.log(`  change stream directly (startAfter)               ${fmt(RECORDS / streamBase)} events/s`);
  console.log(`  MongoSourceTask.poll (JSON output)                ${fmt(RECORDS / source)} events/s  ratio ${(streamBase / source).toFixed(3)}`);
} finally {
  await client.db(DB).dropDatabase().catch(() => {});
  await client.close();
  await server.stop();
}
