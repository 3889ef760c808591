import { describe, expect, it } from 'vitest';
import { SchemaBuilder, Schemas, sinkRecord, Struct, type SinkRecord, type TopicPartition } from '@sluice/core';
import { SinkTaskHarness, sinkRecords } from '@sluice/testkit';
import { InMemoryObjectStore } from '../storage/in-memory-object-store.js';
import { S3SinkTask } from './s3-sink-task.js';

const TP0: TopicPartition = { topic: 'orders', partition: 0 };
const TP1: TopicPartition = { topic: 'orders', partition: 1 };
const BASE = { 's3.bucket.name': 'bucket', 'format.class': 'json', 'flush.size': '3', topics: 'orders' };

async function start(config: Record<string, string> = {}, opts: { now?: () => number; reporter?: boolean } = {}) {
  const store = new InMemoryObjectStore();
  const task = new S3SinkTask({ store: () => store, ...(opts.now ? { now: opts.now } : {}) });
  const harness = await SinkTaskHarness.start(task, {
    config: { ...BASE, ...config },
    partitions: [TP0, TP1],
    errantRecordReporter: opts.reporter ?? true,
  });
  return { store, task, harness };
}

const keys = (store: InMemoryObjectStore): string[] => [...store.objects.keys()].sort();
const lines = (store: InMemoryObjectStore, key: string): string[] => store.text(key).trimEnd().split('\n');
const committed = (offsets: Map<string, { offset: number }>, key = 'orders-0'): number | undefined =>
  offsets.get(key)?.offset;

describe('S3 sink task: rotation and commits', () => {
  it('completes an object every flush.size records and commits only offsets of complete objects', async () => {
    const { store, harness } = await start();
    await harness.put(sinkRecords('orders', 0, ['a', 'b', 'c', 'd', 'e', 'f', 'g'], 0));
    expect(keys(store)).toEqual([
      'topics/orders/partition=0/orders+0+0000000000.json',
      'topics/orders/partition=0/orders+0+0000000003.json',
    ]);
    expect(lines(store, 'topics/orders/partition=0/orders+0+0000000000.json')).toEqual(['"a"', '"b"', '"c"']);
    expect(lines(store, 'topics/orders/partition=0/orders+0+0000000003.json')).toEqual(['"d"', '"e"', '"f"']);
    expect(committed(await harness.commit())).toBe(6);
    await harness.stop();
    // the record of the unfinished object was not committed: its upload is abandoned, never visible
    expect(store.aborted).toEqual(['topics/orders/partition=0/orders+0+0000000006.json']);
    expect(store.openUploads).toBe(0);
  });

  it('keeps partitions apart, each with its own objects and commit point', async () => {
    const { store, harness } = await start({ 'flush.size': '2' });
    await harness.put([...sinkRecords('orders', 0, ['a', 'b', 'c'], 10), ...sinkRecords('orders', 1, ['x', 'y'], 5)]);
    expect(keys(store)).toEqual([
      'topics/orders/partition=0/orders+0+0000000010.json',
      'topics/orders/partition=1/orders+1+0000000005.json',
    ]);
    const offsets = await harness.commit();
    expect([committed(offsets, 'orders-0'), committed(offsets, 'orders-1')]).toEqual([12, 7]);
    await harness.stop();
  });

  it('completes every directory of a segment together, each object named after its own first offset', async () => {
    const { store, harness } = await start({
      'flush.size': '4',
      'partitioner.class': 'field',
      'partition.field.name': 'color',
    });
    await harness.put(
      sinkRecords(
        'orders',
        0,
        ['red', 'blue', 'red', 'blue', 'red'].map((color) => ({ color })),
        0,
      ),
    );
    expect(keys(store)).toEqual([
      'topics/orders/color=blue/orders+0+0000000001.json',
      'topics/orders/color=red/orders+0+0000000000.json',
    ]);
    expect(lines(store, 'topics/orders/color=red/orders+0+0000000000.json')).toEqual([
      '{"color":"red"}',
      '{"color":"red"}',
    ]);
    expect(committed(await harness.commit())).toBe(4);
    await harness.stop();
  });

  it('rotates when record time passes rotate.interval.ms, before writing the late record', async () => {
    const { store, harness } = await start({
      'flush.size': '100',
      'rotate.interval.ms': '200',
      'timestamp.extractor': 'Record',
    });
    const at = (offset: number, ts: number): SinkRecord =>
      sinkRecord({ topic: 'orders', kafkaPartition: 0, kafkaOffset: offset, value: `t${ts}`, timestamp: ts });
    await harness.put([at(0, 1000), at(1, 1100), at(2, 1199), at(3, 1200), at(4, 1300)]);
    expect(keys(store)).toEqual(['topics/orders/partition=0/orders+0+0000000000.json']);
    expect(lines(store, keys(store)[0] as string)).toEqual(['"t1000"', '"t1100"', '"t1199"']);
    expect(committed(await harness.commit())).toBe(3);
    await harness.stop();
  });

  it('rotates at rotate.schedule.interval.ms boundaries of the wall clock, also from preCommit without new records', async () => {
    let now = 1_000;
    const { store, harness } = await start(
      { 'flush.size': '100', 'rotate.schedule.interval.ms': '60000' },
      { now: () => now },
    );
    await harness.put(sinkRecords('orders', 0, ['a', 'b'], 0));
    now = 59_999;
    expect(committed(await harness.commit())).toBe(0);
    expect(keys(store)).toEqual([]);
    now = 60_000;
    expect(committed(await harness.commit())).toBe(2);
    expect(keys(store)).toEqual(['topics/orders/partition=0/orders+0+0000000000.json']);
    await harness.stop();
  });

  it('starts new objects when the value schema changes', async () => {
    const v1 = SchemaBuilder.struct().field('id', Schemas.INT32).build();
    const v2 = SchemaBuilder.struct().field('id', Schemas.INT32).field('name', Schemas.OPTIONAL_STRING).build();
    const { store, harness } = await start({ 'flush.size': '10' });
    await harness.put([
      ...sinkRecords('orders', 0, [new Struct(v1).put('id', 1)], 0, { valueSchema: v1 }),
      ...sinkRecords('orders', 0, [new Struct(v2).put('id', 2).put('name', 'n')], 1, { valueSchema: v2 }),
    ]);
    expect(keys(store)).toEqual(['topics/orders/partition=0/orders+0+0000000000.json']);
    expect(committed(await harness.commit())).toBe(1);
    await harness.stop();
  });

  it('skips redelivered records it already handled', async () => {
    const { store, harness } = await start({ 'flush.size': '3' });
    await harness.put(sinkRecords('orders', 0, ['a', 'b'], 0));
    await harness.put(sinkRecords('orders', 0, ['a', 'b', 'c'], 0));
    expect(lines(store, 'topics/orders/partition=0/orders+0+0000000000.json')).toEqual(['"a"', '"b"', '"c"']);
    await harness.stop();
  });

  it('tags objects with their offsets and the configured tags', async () => {
    const { store, harness } = await start({ 's3.object.tagging': 'true', 's3.object.tags': 'team=data, env=test' });
    await harness.put(sinkRecords('orders', 0, ['a', 'b', 'c'], 7));
    expect(store.objects.get('topics/orders/partition=0/orders+0+0000000007.json')?.tags).toEqual({
      team: 'data',
      env: 'test',
      startOffset: '7',
      endOffset: '9',
      recordCount: '3',
    });
    await harness.stop();
  });

  it('abandons the open objects of revoked partitions', async () => {
    const { store, harness } = await start();
    await harness.put([...sinkRecords('orders', 0, ['a'], 0), ...sinkRecords('orders', 1, ['b'], 0)]);
    await harness.close([TP1]);
    expect(store.aborted).toEqual(['topics/orders/partition=1/orders+1+0000000000.json']);
    await harness.stop();
  });
});

describe('S3 sink task: bad records', () => {
  it('reports records the format cannot hold and still commits past them', async () => {
    const { store, harness } = await start({ 'format.class': 'bytes', 'flush.size': '2' });
    await harness.put(sinkRecords('orders', 0, ['a', { not: 'bytes' }, 'b'], 0));
    expect(harness.errantRecords.map((e) => [e.record.kafkaOffset, e.error.message])).toEqual([
      [1, expect.stringMatching(/byte or string values/)],
    ]);
    expect(store.text('topics/orders/partition=0/orders+0+0000000000.bin')).toBe('a\nb\n');
    expect(committed(await harness.commit())).toBe(3);
    await harness.stop();
  });

  it('handles null values as behavior.on.null.values says', async () => {
    const fail = await start({ 'flush.size': '1' });
    await fail.harness.put(sinkRecords('orders', 0, [null, 'x'], 0));
    expect(fail.harness.errantRecords.map((e) => e.record.kafkaOffset)).toEqual([0]);
    expect(committed(await fail.harness.commit())).toBe(2);
    await fail.harness.stop();

    const write = await start({ 'flush.size': '2', 'behavior.on.null.values': 'write' });
    await write.harness.put(sinkRecords('orders', 0, [null, 'x'], 0));
    expect(write.store.text('topics/orders/partition=0/orders+0+0000000000.json')).toBe('null\n"x"\n');
    await write.harness.stop();

    const ignore = await start({ 'flush.size': '1', 'behavior.on.null.values': 'ignore' });
    await ignore.harness.put(sinkRecords('orders', 0, [null, 'x'], 0));
    expect(keys(ignore.store)).toEqual(['topics/orders/partition=0/orders+0+0000000001.json']);
    expect(ignore.harness.errantRecords).toEqual([]);
    await ignore.harness.stop();
  });

  it('fails put with the data error when there is no error reporter', async () => {
    const { harness } = await start({}, { reporter: false });
    await expect(harness.put(sinkRecords('orders', 0, [null], 0))).rejects.toMatchObject({ code: 'DATA_ERROR' });
    await harness.stop();
  });
});

describe('S3 sink task: failed uploads', () => {
  it('rewinds the partition to the first record of the failed objects and commits nothing past it', async () => {
    const { store, harness } = await start({ 'flush.size': '3' });
    await harness.put(sinkRecords('orders', 0, ['a', 'b', 'c'], 0));
    let failures = 1;
    store.failCompletion = () => failures-- > 0;
    await expect(harness.put(sinkRecords('orders', 0, ['d', 'e', 'f', 'g'], 3))).rejects.toMatchObject({
      code: 'RETRIABLE',
    });
    expect(harness.rewinds).toEqual([{ tp: TP0, offset: 3 }]);
    expect(committed(await harness.commit())).toBe(3);
    // records past the rewind point delivered before the rewind took effect are dropped…
    await harness.put(sinkRecords('orders', 0, ['g'], 6));
    // …and the replay from the rewind point rebuilds the same object under the same key
    await harness.put(sinkRecords('orders', 0, ['d', 'e', 'f', 'g'], 3));
    expect(keys(store)).toEqual([
      'topics/orders/partition=0/orders+0+0000000000.json',
      'topics/orders/partition=0/orders+0+0000000003.json',
    ]);
    expect(lines(store, 'topics/orders/partition=0/orders+0+0000000003.json')).toEqual(['"d"', '"e"', '"f"']);
    expect(committed(await harness.commit())).toBe(6);
    await harness.stop();
  });
});
