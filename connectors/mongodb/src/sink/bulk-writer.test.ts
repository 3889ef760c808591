import { describe, expect, it } from 'vitest';
import { RetriableError, sinkRecord } from '@sluice/core';
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { BulkWriter, chunks, type BoundWrite } from './bulk-writer.js';
import { parseSinkConfig, type SinkTopicSettings } from './mongo-sink-config.js';
import type { MongoSinkPort } from './mongo-sink-port.js';

function settings(extra: Record<string, string> = {}): SinkTopicSettings {
  return parseSinkConfig({ 'connection.uri': 'mongodb://h', database: 'd', 'retries.defer.timeout': '7', ...extra }).base;
}

function write(offset: number, id: number | null, s: SinkTopicSettings, coll = 'c'): BoundWrite {
  const op: AnyBulkWriteOperation<Document> = id === null ? { insertOne: { document: { n: offset } } } : { replaceOne: { filter: { _id: id }, replacement: { _id: id, n: offset }, upsert: true } };
  return { record: sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: offset }), write: { op, identity: id === null ? null : `id:${id}` }, ns: { db: 'd', coll }, settings: s };
}

// Scripted port: each bulkWrite call takes the next outcome (undefined = success).
class ScriptedPort implements MongoSinkPort {
  readonly calls: { coll: string; ops: AnyBulkWriteOperation<Document>[]; ordered: boolean }[] = [];
  constructor(private readonly outcomes: (Error | undefined)[] = []) {}
  async bulkWrite(_db: string, coll: string, ops: AnyBulkWriteOperation<Document>[], ordered: boolean): Promise<void> {
    this.calls.push({ coll, ops, ordered });
    const outcome = this.outcomes.shift();
    if (outcome !== undefined) throw outcome;
  }
  async close(): Promise<void> {}
}

function bulkError(writeErrors: { index: number; code: number; errmsg: string }[]): Error {
  return Object.assign(new Error('bulk write failed'), { name: 'MongoBulkWriteError', writeErrors });
}

const network = (): Error => Object.assign(new Error('socket closed'), { name: 'MongoNetworkError' });

describe('BulkWriter', () => {
  it('splits by collection and size, and never puts two writes to one document in one bulk write', () => {
    const s = settings({ 'max.batch.size': '3' });
    const got = chunks([write(0, 1, s), write(1, 2, s), write(2, 1, s), write(3, 9, s, 'other'), write(4, 3, s), write(5, 4, s), write(6, 5, s), write(7, null, s)]);
    expect(got.map((c) => c.map((w) => w.record.kafkaOffset))).toEqual([[0, 1], [2, 4, 5], [6, 7], [3]]);
  });

  it('retries transient failures and re-sends only what may not have been applied', async () => {
    const s = settings({ 'bulk.write.ordered': 'false' });
    const port = new ScriptedPort([network(), bulkError([{ index: 1, code: 91, errmsg: 'shutting down' }])]);
    const sleeps: number[] = [];
    const failures = await new BulkWriter(port, async (ms) => void sleeps.push(ms)).write([write(0, 1, s), write(1, 2, s), write(2, 3, s)]);
    expect(failures).toEqual([]);
    expect(port.calls.map((c) => c.ops.length)).toEqual([3, 3, 1]);
    expect(sleeps).toEqual([7, 7]);
  });

  it('counts a duplicate key on a retried insert as already written', async () => {
    const s = settings();
    const port = new ScriptedPort([network(), bulkError([{ index: 0, code: 11000, errmsg: 'E11000 duplicate key' }])]);
    const failures = await new BulkWriter(port, async () => {}).write([write(0, null, s)]);
    expect(failures).toEqual([]);
    expect(port.calls).toHaveLength(2);
  });

  it('returns rejected writes as failures and, when ordered, goes on with the writes after them', async () => {
    const s = settings({ 'bulk.write.ordered': 'true' });
    const port = new ScriptedPort([bulkError([{ index: 1, code: 121, errmsg: 'Document failed validation' }])]);
    const failures = await new BulkWriter(port, async () => {}).write([write(0, 1, s), write(1, 2, s), write(2, 3, s), write(3, 4, s)]);
    expect(failures.map((f) => [f.record.kafkaOffset, f.error.message])).toEqual([[1, 'MongoDB rejected the write to d.c: Document failed validation (code 121)']]);
    expect(port.calls.map((c) => [c.ordered, c.ops.length])).toEqual([
      [true, 4],
      [true, 2],
    ]);
  });

  it('hands the batch back to the runtime once retries are exhausted', async () => {
    const s = settings({ 'max.num.retries': '2' });
    const port = new ScriptedPort([network(), network(), network()]);
    const err = await new BulkWriter(port, async () => {}).write([write(0, 1, s)]).catch((e: unknown) => e);
    expect(RetriableError.is(err)).toBe(true);
    expect(port.calls).toHaveLength(3);
  });

  it('fails for errors that are neither transient nor about single writes', async () => {
    const port = new ScriptedPort([Object.assign(new Error('not authorized'), { code: 13 })]);
    await expect(new BulkWriter(port, async () => {}).write([write(0, 1, settings())])).rejects.toThrow(/not authorized/);
  });
});
