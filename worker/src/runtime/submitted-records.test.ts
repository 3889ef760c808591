import { describe, expect, it } from 'vitest';
import { sourceRecord } from '@sluice/core';
import { SubmittedRecords } from './submitted-records.js';

const rec = (p: string, o: number) => sourceRecord({ sourcePartition: { p }, sourceOffset: { o }, topic: 't' });

describe('SubmittedRecords', () => {
  it('makes an offset committable only when every earlier record of its partition is acknowledged', () => {
    const s = new SubmittedRecords();
    const a0 = s.submit(rec('a', 0));
    const a1 = s.submit(rec('a', 1));
    const a2 = s.submit(rec('a', 2));
    s.ack(a1);
    s.ack(a2);
    expect(s.drainCommittable()).toEqual([]);
    s.ack(a0);
    expect(s.drainCommittable()).toEqual([{ partition: { p: 'a' }, offset: { o: 2 } }]);
    expect(s.pending).toBe(0);
  });

  it('tracks partitions independently', () => {
    const s = new SubmittedRecords();
    const a0 = s.submit(rec('a', 0));
    const b0 = s.submit(rec('b', 0));
    s.submit(rec('a', 1));
    s.ack(b0);
    s.ack(a0);
    const committable = s.drainCommittable();
    expect(committable).toContainEqual({ partition: { p: 'b' }, offset: { o: 0 } });
    expect(committable).toContainEqual({ partition: { p: 'a' }, offset: { o: 0 } });
    expect(s.pending).toBe(1);
  });

  it('gives back offsets of a failed flush without overwriting newer ones', () => {
    const s = new SubmittedRecords();
    s.ack(s.submit(rec('a', 0)));
    const drained = s.drainCommittable();
    s.ack(s.submit(rec('a', 1)));
    s.restore(drained);
    expect(s.drainCommittable()).toEqual([{ partition: { p: 'a' }, offset: { o: 1 } }]);
  });
});
