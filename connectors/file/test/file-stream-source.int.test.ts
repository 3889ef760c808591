import { appendFile, mkdtemp, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Schemas, type SourceRecord } from '@sluice/core';
import { CapturingLogger, SourceTaskHarness, type PartitionOffset } from '@sluice/testkit';
import { FileStreamSourceTask, type FileStreamSourceTaskOptions } from '../src/index.js';

// Real files in a temp directory; short waits keep the tailing tests fast.
const FAST: FileStreamSourceTaskOptions = { maxPollWaitMs: 200, checkIntervalMs: 50 };

let dir: string;
const harnesses: SourceTaskHarness[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-file-source-'));
});

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  await rm(dir, { recursive: true, force: true });
});

function lines(from: number, to: number, prefix = 'line'): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}`);
}

function values(records: readonly SourceRecord[]): unknown[] {
  return records.map((r) => r.value);
}

async function startSource(
  file: string,
  extra: Record<string, string> = {},
  options: { committedOffsets?: PartitionOffset[]; task?: FileStreamSourceTaskOptions } = {},
): Promise<SourceTaskHarness<FileStreamSourceTask>> {
  const harness = await SourceTaskHarness.start(() => new FileStreamSourceTask({ ...FAST, ...options.task }), {
    config: { file, topic: 'lines', ...extra },
    committedOffsets: options.committedOffsets,
    logger: new CapturingLogger(),
  });
  harnesses.push(harness);
  return harness;
}

describe('FileStreamSource task', () => {
  it('reads every line of an existing file in order, as string records with a null key', async () => {
    const file = join(dir, 'input.txt');
    const expected = lines(1, 4500);
    await writeFile(file, expected.join('\n') + '\n');
    const harness = await startSource(file);
    const records = await harness.pollRecords(expected.length);
    expect(values(records)).toEqual(expected);
    const last = records.at(-1)!;
    expect(last.topic).toBe('lines');
    expect(last.key).toBeNull();
    expect(last.keySchema).toBeNull();
    expect(last.valueSchema).toBe(Schemas.STRING);
    expect(last.sourcePartition).toEqual({ filename: file });
    expect(last.sourceOffset['position']).toBe((await stat(file)).size);
    expect(typeof last.sourceOffset['inode']).toBe('string');
  });

  it('never returns more than batch.size records from one poll', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, lines(1, 50).join('\n') + '\n');
    const harness = await startSource(file, { 'batch.size': '7' });
    const first = await harness.poll();
    expect(values(first)).toEqual(lines(1, 7));
    const sizes: number[] = [first.length];
    while (harness.records.length < 50) sizes.push((await harness.poll()).length);
    expect(Math.max(...sizes)).toBe(7);
    expect(values(harness.records)).toEqual(lines(1, 50));
  });

  it('uses the default batch size of 2000', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, lines(1, 2500).join('\n') + '\n');
    const harness = await startSource(file);
    expect(await harness.poll()).toHaveLength(2000);
  });

  it('tails lines appended after it reached the end of the file', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, 'a\nb\n');
    const harness = await startSource(file);
    expect(values(await harness.pollRecords(2))).toEqual(['a', 'b']);
    expect(await harness.poll()).toEqual([]);
    await appendFile(file, 'c\nd\n');
    expect(values(await harness.pollRecords(2, { timeoutMs: 5000 }))).toEqual(['c', 'd']);
  });

  it('holds a trailing partial line until its newline is written', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, 'whole\npart');
    const harness = await startSource(file);
    expect(values(await harness.pollRecords(1))).toEqual(['whole']);
    expect(await harness.poll()).toEqual([]);
    await appendFile(file, 'ial\n');
    const [completed] = await harness.pollRecords(1);
    expect(completed?.value).toBe('partial');
    expect(completed?.sourceOffset['position']).toBe(Buffer.byteLength('whole\npartial\n'));
  });

  it('splits CRLF and LF line endings alike, keeping empty lines', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, 'one\r\ntwo\n\r\nthree\r\n');
    const harness = await startSource(file);
    expect(values(await harness.pollRecords(4))).toEqual(['one', 'two', '', 'three']);
  });

  it('reads lines that span many read chunks, including split UTF-8 characters', async () => {
    const file = join(dir, 'input.txt');
    const expected = ['short', 'ünïcödé €😀 '.repeat(40), 'x'.repeat(1000), ''];
    await writeFile(file, expected.join('\n') + '\n');
    const harness = await startSource(file, {}, { task: { chunkBytes: 7 } });
    expect(values(await harness.pollRecords(expected.length))).toEqual(expected);
  });

  it('resumes after a crash from the committed offset: committed lines are not read again', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, lines(1, 10).join('\n') + '\n');
    const harness = await startSource(file, { 'batch.size': '6' });
    expect(values(await harness.poll())).toEqual(lines(1, 6));
    await harness.commitOffsets();
    expect(values(await harness.poll())).toEqual(lines(7, 10));
    await harness.restart();
    // lines 7..10 were never committed, so at-least-once delivers them again; 1..6 never again
    const after = await harness.pollRecords(4);
    expect(values(after)).toEqual(lines(7, 10));
    await harness.commitOffsets();
    await appendFile(file, 'line-11\n');
    await harness.restart({ graceful: true });
    expect(values(await harness.pollRecords(1))).toEqual(['line-11']);
    expect(await harness.poll()).toEqual([]);
  });

  it('resumes from a Kafka Connect offset that carries only a position', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, 'a\nb\nc\n');
    const harness = await startSource(
      file,
      {},
      { committedOffsets: [{ partition: { filename: file }, offset: { position: 2 } }] },
    );
    expect(values(await harness.pollRecords(2))).toEqual(['b', 'c']);
  });

  it('detects a file truncated since the committed offset and reads it from byte 0', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, lines(1, 20).join('\n') + '\n');
    const harness = await startSource(file);
    await harness.pollRecords(20);
    await harness.commitOffsets();
    await harness.stop();
    await writeFile(file, 'fresh-1\nfresh-2\n');
    await harness.restart();
    expect(values(await harness.pollRecords(2))).toEqual(['fresh-1', 'fresh-2']);
    expect(harness.capturedLogs.has('warn', /truncated/)).toBe(true);
  });

  it('detects a file rotated since the committed offset (rename + new file) even when the new one is longer', async () => {
    const file = join(dir, 'app.log');
    await writeFile(file, lines(1, 3).join('\n') + '\n');
    const harness = await startSource(file);
    await harness.pollRecords(3);
    await harness.commitOffsets();
    await harness.stop();
    await rename(file, `${file}.1`);
    const fresh = lines(1, 30, 'new');
    await writeFile(file, fresh.join('\n') + '\n');
    await harness.restart();
    expect(values(await harness.pollRecords(30))).toEqual(fresh);
    expect(harness.capturedLogs.has('warn', /rotated/)).toBe(true);
  });

  it('detects a file rewritten in place with the same length and reads it from byte 0', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, 'aaaa\nbbbb\n');
    const harness = await startSource(file);
    await harness.pollRecords(2);
    await harness.commitOffsets();
    await harness.stop();
    await writeFile(file, 'cccc\ndddd\neeee\n');
    await harness.restart();
    expect(values(await harness.pollRecords(3))).toEqual(['cccc', 'dddd', 'eeee']);
    expect(harness.capturedLogs.has('warn', /rewritten/)).toBe(true);
  });

  it('starts over when the file is truncated while being tailed (copytruncate)', async () => {
    const file = join(dir, 'app.log');
    await writeFile(file, lines(1, 5).join('\n') + '\n');
    const harness = await startSource(file);
    await harness.pollRecords(5);
    expect(await harness.poll()).toEqual([]);
    await truncate(file, 0);
    await appendFile(file, 'after-1\n');
    const after = await harness.pollRecords(1, { timeoutMs: 5000 });
    expect(values(after)).toEqual(['after-1']);
    expect(after[0]?.sourceOffset['position']).toBe('after-1\n'.length);
    expect(harness.capturedLogs.has('warn', /truncated|rewritten/)).toBe(true);
  });

  it('follows a rotation while tailing: drains the old file, then reads the new one from byte 0', async () => {
    const file = join(dir, 'app.log');
    await writeFile(file, 'old-1\n');
    const harness = await startSource(file);
    await harness.pollRecords(1);
    await appendFile(file, 'old-2\nold-partial');
    await rename(file, `${file}.1`);
    await writeFile(file, 'new-1\nnew-2\n');
    const after = await harness.pollRecords(4, { timeoutMs: 5000 });
    expect(values(after)).toEqual(['old-2', 'old-partial', 'new-1', 'new-2']);
    expect(after.at(-1)?.sourceOffset['position']).toBe('new-1\nnew-2\n'.length);
    expect(after[0]?.sourceOffset['inode']).not.toBe(after.at(-1)?.sourceOffset['inode']);
    expect(harness.capturedLogs.has('warn', /rotated/)).toBe(true);
  });

  it('keeps waiting after the file is deleted and reads its replacement from byte 0', async () => {
    const file = join(dir, 'app.log');
    await writeFile(file, 'before\n');
    const harness = await startSource(file);
    await harness.pollRecords(1);
    await rm(file);
    expect(await harness.poll()).toEqual([]);
    expect(harness.capturedLogs.has('warn', /removed or renamed/)).toBe(true);
    await writeFile(file, 'after-a\nafter-b\n');
    expect(values(await harness.pollRecords(2, { timeoutMs: 5000 }))).toEqual(['after-a', 'after-b']);
  });

  it('waits for a missing file, logging that once, and reads it when it appears', async () => {
    const file = join(dir, 'later.txt');
    const harness = await startSource(file);
    expect(await harness.poll()).toEqual([]);
    expect(await harness.poll()).toEqual([]);
    const waits = harness.capturedLogs.at('warn').filter((e) => /does not exist/.test(e.msg));
    expect(waits).toHaveLength(1);
    await writeFile(file, 'hello\n');
    expect(values(await harness.pollRecords(1, { timeoutMs: 5000 }))).toEqual(['hello']);
  });

  it('returns promptly from a waiting poll when the signal aborts', async () => {
    const file = join(dir, 'input.txt');
    await writeFile(file, '');
    const harness = await startSource(file, {}, { task: { maxPollWaitMs: 30_000 } });
    const started = Date.now();
    expect(await harness.poll(AbortSignal.timeout(100))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads standard input when file is empty', async () => {
    const stdin = new PassThrough();
    const harness = await SourceTaskHarness.start(() => new FileStreamSourceTask({ ...FAST, stdin }), {
      config: { file: '', topic: 'lines' },
    });
    harnesses.push(harness);
    stdin.end('from\r\nstdin');
    const records = await harness.pollRecords(2);
    expect(values(records)).toEqual(['from', 'stdin']);
    expect(records[0]?.topic).toBe('lines');
  });

  it('fails to start with a config error when topic names several topics', async () => {
    const task = new FileStreamSourceTask();
    await expect(Promise.resolve().then(() => task.start({ file: 'x', topic: 'a,b' }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
