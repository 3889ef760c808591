import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamLineReader } from './stream-line-reader.js';

describe('StreamLineReader', () => {
  it('returns complete lines in batches of at most maxLines', async () => {
    const input = new PassThrough();
    const reader = new StreamLineReader(input);
    input.write('a\nb\r\nc\nd');
    const signal = new AbortController().signal;
    expect(await reader.read(2, 1000, signal)).toEqual(['a', 'b']);
    expect(await reader.read(2, 1000, signal)).toEqual(['c']);
    reader.detach();
  });

  it('waits for data, and delivers the final unterminated line when the stream ends', async () => {
    const input = new PassThrough();
    const reader = new StreamLineReader(input);
    const signal = new AbortController().signal;
    const pending = reader.read(10, 5000, signal);
    setTimeout(() => input.end('x\ntail'), 20);
    expect(await pending).toEqual(['x', 'tail']);
    expect(reader.exhausted).toBe(true);
    expect(await reader.read(10, 5000, signal)).toEqual([]);
  });

  it('returns an empty batch promptly when aborted', async () => {
    const reader = new StreamLineReader(new PassThrough());
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    expect(await reader.read(10, 10_000, controller.signal)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
    reader.detach();
  });

  it('pauses the stream while more than the high-water mark is buffered', async () => {
    const input = new PassThrough();
    const reader = new StreamLineReader(input, 16);
    input.write('0123456789\n0123456789\n0123456789\n');
    await new Promise((r) => setImmediate(r));
    expect(input.isPaused()).toBe(true);
    const signal = new AbortController().signal;
    expect(await reader.read(3, 100, signal)).toHaveLength(3);
    expect(input.isPaused()).toBe(false);
    reader.detach();
  });
});
