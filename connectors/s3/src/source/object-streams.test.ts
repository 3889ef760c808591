import { describe, expect, it } from 'vitest';
import {
  describeObject,
  pendingObjects,
  streamTask,
  type StreamLayout,
  type StreamObject,
  type StreamPosition,
} from './object-streams.js';

const restore: StreamLayout = { directoryDelim: '/', fileDelim: '+', sinkNamesOnly: true };
const generic: StreamLayout = { ...restore, sinkNamesOnly: false };

const describeAll = (keys: string[], layout: StreamLayout): StreamObject[] =>
  keys.map((k) => describeObject(k, layout)).filter((o): o is StreamObject => o !== null);

describe('object streams', () => {
  it('makes each topic partition of a directory one stream, and any other directory one stream', () => {
    expect(describeObject('topics/o/color=red/o+1+0000000005.json', restore)?.stream).toBe('topics/o/color=red/o+1');
    expect(describeObject('in/2024/a.csv', generic)?.stream).toBe('in/2024/');
    expect(describeObject('in/2024/', generic)).toBeNull();
    expect(describeObject('topics/o/partition=0/notes.txt', restore)).toBeNull();
  });

  it('orders sink objects by start offset and others by key bytes', () => {
    const objects = describeAll(
      ['t/o/partition=0/o+0+100.json', 't/o/partition=0/o+0+0000000020.json', 't/o/partition=0/o+0+3.json'],
      restore,
    );
    expect(pendingObjects(objects, new Map(), restore).map((p) => p.object.key)).toEqual([
      't/o/partition=0/o+0+3.json',
      't/o/partition=0/o+0+0000000020.json',
      't/o/partition=0/o+0+100.json',
    ]);
    const files = describeAll(['d/b', 'd/a', 'd/Z', 'd/é'], generic);
    expect(pendingObjects(files, new Map(), generic).map((p) => p.object.key)).toEqual(['d/Z', 'd/a', 'd/b', 'd/é']);
  });

  it('resumes each stream after its position, inside the position object when it is unfinished', () => {
    const objects = describeAll(
      [
        't/o/partition=0/o+0+0.json',
        't/o/partition=0/o+0+3.json',
        't/o/partition=0/o+0+6.json',
        't/o/partition=1/o+1+0.json',
      ],
      restore,
    );
    const positions = new Map<string, StreamPosition | null>([
      ['t/o/partition=0/o+0', { object: 't/o/partition=0/o+0+3.json', records: 2, done: false }],
      ['t/o/partition=1/o+1', { object: 't/o/partition=1/o+1+0.json', records: 3, done: true }],
    ]);
    expect(pendingObjects(objects, positions, restore).map((p) => [p.object.key, p.skip])).toEqual([
      ['t/o/partition=0/o+0+3.json', 2],
      ['t/o/partition=0/o+0+6.json', 0],
    ]);
  });

  it('spreads streams over tasks, each stream to exactly one task, the same way every time', () => {
    const streams = Array.from({ length: 200 }, (_, i) => `topics/t/partition=${i}/t+${i}`);
    const counts = [0, 0, 0];
    for (const s of streams) {
      const t = streamTask(s, 3);
      expect(streamTask(s, 3)).toBe(t);
      counts[t] = (counts[t] ?? 0) + 1;
    }
    expect(counts.reduce((a, b) => a + b)).toBe(200);
    for (const c of counts) expect(c).toBeGreaterThan(40);
    expect(streamTask('anything', 1)).toBe(0);
  });
});
