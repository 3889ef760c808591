import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '@sluice/core';
import { SinkTaskHarness, sinkRecords } from '@sluice/testkit';
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { parseSinkConfig } from './mongo-sink-config.js';
import { MongoSinkTask } from './mongo-sink-task.js';

class RecordingPort {
  readonly writes: { db: string; coll: string; ops: AnyBulkWriteOperation<Document>[] }[] = [];
  closed = 0;
  async bulkWrite(db: string, coll: string, ops: AnyBulkWriteOperation<Document>[]): Promise<void> {
    this.writes.push({ db, coll, ops });
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

describe('MongoSinkTask (fake port)', () => {
  it('applies topic overrides for the collection and the write model', async () => {
    const port = new RecordingPort();
    const harness = await SinkTaskHarness.start(new MongoSinkTask({ portFactory: async () => port }), {
      config: {
        'connection.uri': 'mongodb://h',
        database: 'd',
        topics: 'a,b',
        'topic.override.b.collection': 'bee',
        'topic.override.b.writemodel.strategy': 'InsertOneDefaultStrategy',
      },
      partitions: [
        { topic: 'a', partition: 0 },
        { topic: 'b', partition: 0 },
      ],
    });
    await harness.put([...sinkRecords('a', 0, [{ _id: 1 }]), ...sinkRecords('b', 0, [{ _id: 2 }])]);
    expect(port.writes.map((w) => [w.coll, Object.keys(w.ops[0]!)[0]])).toEqual([
      ['a', 'replaceOne'],
      ['bee', 'insertOne'],
    ]);
    await harness.stop();
    await harness.stop();
    expect(port.closed).toBe(1);
  });

  it('rejects invalid topic overrides at start', () => {
    expect(() =>
      parseSinkConfig({ 'connection.uri': 'mongodb://h', database: 'd', 'topic.override.x.delete.on.null.values': 'true' }),
    ).toThrow(ConfigValidationError);
  });

  it('reports records it cannot convert and still writes the others', async () => {
    const port = new RecordingPort();
    const harness = await SinkTaskHarness.start(new MongoSinkTask({ portFactory: async () => port }), {
      config: { 'connection.uri': 'mongodb://h', database: 'd', topics: 't' },
      partitions: [{ topic: 't', partition: 0 }],
    });
    await harness.put(sinkRecords('t', 0, [{ _id: 1 }, [1, 2], { _id: 3 }]));
    expect(harness.errantRecords.map((e) => [e.record.kafkaOffset, e.error.message])).toEqual([[1, expect.stringMatching(/not a document/)]]);
    expect(port.writes[0]?.ops).toHaveLength(2);
  });
});
