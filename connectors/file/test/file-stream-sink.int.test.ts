import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchemaBuilder, Schemas, Struct, type TopicPartition } from '@sluice/core';
import { CapturingLogger, SinkTaskHarness, sinkRecords } from '@sluice/testkit';
import { FileStreamSinkTask } from '../src/index.js';

const TP0: TopicPartition = { topic: 'events', partition: 0 };
const TP1: TopicPartition = { topic: 'events', partition: 1 };

let dir: string;
let file: string;
const harnesses: SinkTaskHarness[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-file-sink-'));
  file = join(dir, 'out.txt');
});

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function startSink(config: Record<string, string> = { file, topics: 'events' }, task = new FileStreamSinkTask()) {
  const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0, TP1], logger: new CapturingLogger() });
  harnesses.push(harness);
  return harness;
}

describe('FileStreamSink task', () => {
  it('appends each value as one line in delivery order, after what the file already held', async () => {
    await writeFile(file, 'existing\n');
    const harness = await startSink();
    await harness.put(sinkRecords('events', 0, ['a', 'b'], 0));
    await harness.put(sinkRecords('events', 1, [Buffer.from('bytes as utf-8 ✓'), 'c'], 0));
    await harness.put(sinkRecords('events', 0, ['d'], 2));
    await harness.commit();
    expect(await readFile(file, 'utf8')).toBe('existing\na\nb\nbytes as utf-8 ✓\nc\nd\n');
  });

  it('returns offsets from commit only once the lines are in the file', async () => {
    const harness = await startSink();
    await harness.put(sinkRecords('events', 0, ['x', 'y', 'z'], 100));
    const committed = await harness.commit();
    expect(committed.get('events-0')?.offset).toBe(103);
    // read through a separate descriptor: what a reader (or a restart) would see
    expect(await readFile(file, 'utf8')).toBe('x\ny\nz\n');
  });

  it('skips null values (tombstones) and logs them at debug level', async () => {
    const harness = await startSink();
    await harness.put(sinkRecords('events', 0, ['first', null, 'third'], 0));
    const committed = await harness.commit();
    expect(committed.get('events-0')?.offset).toBe(3);
    expect(await readFile(file, 'utf8')).toBe('first\nthird\n');
    const debug = harness.capturedLogs.at('debug').filter((e) => /null value/.test(e.msg));
    expect(debug.map((e) => e.fields['offset'])).toEqual([1]);
  });

  it('renders structs, maps, arrays and numbers as JSON lines', async () => {
    const schema = SchemaBuilder.struct()
      .name('Order')
      .field('id', Schemas.INT64)
      .field('item', Schemas.STRING)
      .field('note', Schemas.OPTIONAL_STRING)
      .build();
    const order = new Struct(schema).put('id', 7).put('item', 'tea').put('note', null);
    const harness = await startSink();
    await harness.put([
      ...sinkRecords('events', 0, [order], 0, { valueSchema: schema }),
      ...sinkRecords(
        'events',
        0,
        [
          new Map<unknown, unknown>([
            ['k', 1],
            [2, [true, null]],
          ]),
          { plain: 'object' },
          42,
          12345678901234567890n,
        ],
        1,
      ),
    ]);
    await harness.commit();
    expect((await readFile(file, 'utf8')).split('\n')).toEqual([
      '{"id":7,"item":"tea","note":null}',
      '{"k":1,"2":[true,null]}',
      '{"plain":"object"}',
      '42',
      '12345678901234567890',
      '',
    ]);
  });

  it('writes to standard output when file is empty', async () => {
    const stdout = new PassThrough();
    const chunks: string[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    const harness = await startSink({ file: '', topics: 'events' }, new FileStreamSinkTask({ stdout }));
    await harness.put(sinkRecords('events', 0, ['to', 'stdout']));
    await harness.commit();
    expect(chunks.join('')).toBe('to\nstdout\n');
  });

  it('keeps every line whole when two tasks append to the same file', async () => {
    const a = await startSink();
    const b = await startSink();
    const batchA = Array.from({ length: 200 }, (_, i) => `a-${i}-${'x'.repeat(100)}`);
    const batchB = Array.from({ length: 200 }, (_, i) => `b-${i}-${'y'.repeat(100)}`);
    await Promise.all([
      (async () => {
        for (let i = 0; i < 200; i += 20) await a.put(sinkRecords('events', 0, batchA.slice(i, i + 20), i));
      })(),
      (async () => {
        for (let i = 0; i < 200; i += 20) await b.put(sinkRecords('events', 1, batchB.slice(i, i + 20), i));
      })(),
    ]);
    await Promise.all([a.commit(), b.commit()]);
    const written = (await readFile(file, 'utf8')).split('\n').slice(0, -1);
    expect(written.filter((l) => l.startsWith('a-'))).toEqual(batchA);
    expect(written.filter((l) => l.startsWith('b-'))).toEqual(batchB);
    expect(written).toHaveLength(400);
  });

  it('fails to start with a descriptive error when the file cannot be opened', async () => {
    const task = new FileStreamSinkTask();
    await expect(task.start({ file: join(dir, 'no-such-dir', 'out.txt') })).rejects.toThrow(/cannot open/);
  });
});
