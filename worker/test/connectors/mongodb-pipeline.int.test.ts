import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoTestGate, startTestMongo, type TestMongo } from '../../../connectors/mongodb/test/support/mongo-server.js';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

const gate = mongoTestGate();

/** MongoDB → embedded log → MongoDB through a standalone worker, configured over REST only. */
describe.skipIf(gate.skip)('MongoDB change stream pipeline through the worker', () => {
  let mongo: TestMongo;
  let worker: WorkerProcess;
  beforeAll(async () => {
    mongo = await startTestMongo();
    worker = await startWorkerProcess({ dataDir: path.join(tempDir('mongo-pipeline'), 'data') });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await mongo?.stop();
  });

  it('copies inserts and updates from one collection to another, masking the connection URI', async () => {
    const srcDb = mongo.database('pipe_src');
    const dstDb = mongo.database('pipe_dst');
    const source = mongo.client.db(srcDb).collection('orders');
    const target = mongo.client.db(dstDb).collection('orders');
    await source.insertOne({ _id: 'seed' as never, n: 0 });
    const created = await http(worker.url + '/connectors', 'POST', {
      name: 'mongo-src',
      config: {
        'connector.class': 'com.mongodb.kafka.connect.MongoSourceConnector',
        'connection.uri': mongo.url,
        database: srcDb,
        collection: 'orders',
        'topic.prefix': 'mongo',
        'publish.full.document.only': 'true',
        'change.stream.full.document': 'updateLookup',
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      },
    });
    expect(created.status).toBe(201);
    // The connection URI is a secret: never echoed back.
    expect((await http(worker.url + '/connectors/mongo-src/config', 'GET')).body['connection.uri']).toBe('[hidden]');
    const topic = `mongo.${srcDb}.orders`;
    const sink = await http(worker.url + '/connectors', 'POST', {
      name: 'mongo-snk',
      config: {
        'connector.class': 'MongoSink',
        'connection.uri': mongo.url,
        database: dstDb,
        collection: 'orders',
        topics: topic,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      },
    });
    expect(sink.status).toBe(201);
    await waitFor(async () => (await http(worker.url + '/connectors/mongo-src/status', 'GET')).body?.tasks?.[0]?.state === 'RUNNING');
    for (let i = 1; i <= 20; i++) await source.insertOne({ _id: `o${i}` as never, n: i });
    await source.updateOne({ _id: 'o3' as never }, { $set: { n: 300 } });
    await waitFor(async () => (await target.countDocuments()) >= 20, 60_000, 'documents in the target collection');
    await waitFor(async () => (await target.findOne({ _id: 'o3' as never }))?.['n'] === 300, 30_000, 'update replicated');
    const docs = await target.find({}).sort({ n: 1 }).toArray();
    expect(docs.filter((d) => String(d._id).startsWith('o')).length).toBe(20);
    const st = await http(worker.url + '/connectors/mongo-snk/status', 'GET');
    expect(st.body.tasks[0].state).toBe('RUNNING');
  });
});
