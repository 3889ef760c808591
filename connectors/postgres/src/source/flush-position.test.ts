import { describe, expect, it } from 'vitest';
import { sourceRecord, type SourceOffset, type SourceRecord } from '@sluice/core';
import { FlushPositionTracker } from './flush-position.js';
import { streamOffset, type StreamPosition } from './source-position.js';

const pos = (lsn: number, eventIndex = 4): StreamPosition => ({ commitLsn: BigInt(lsn), eventIndex });
const offsetOf = (p: StreamPosition): SourceOffset =>
  streamOffset({ position: p, lsn: p.commitLsn, txId: null, commitTimeMicros: 0n });
const record = (): SourceRecord => sourceRecord({ sourcePartition: { server: 's' }, sourceOffset: {}, topic: 't' });

describe('FlushPositionTracker', () => {
  it('with a live offsets reader, confirms exactly what the offsets store holds', async () => {
    let stored: SourceOffset | null = null;
    const t = new FlushPositionTracker(async () => stored);
    const [a, b, c] = [record(), record(), record()];
    t.track(a, pos(100));
    t.track(b, pos(200));
    t.track(c, pos(300));
    t.ack(a);
    t.ack(b);
    stored = offsetOf(pos(200));
    expect(await t.onCommit()).toEqual(pos(200));
    // c was acknowledged while the flush was in flight: the store does not have it yet
    t.ack(c);
    expect(await t.onCommit()).toEqual(pos(200));
    stored = offsetOf(pos(300));
    expect(await t.onCommit()).toEqual(pos(300));
  });

  it('without a fresh reader, confirms what was acknowledged at the previous commit', async () => {
    const t = new FlushPositionTracker(async () => null);
    const [a, b] = [record(), record()];
    t.track(a, pos(100));
    t.track(b, pos(200));
    t.ack(a);
    expect(await t.onCommit()).toBeNull();
    t.ack(b);
    expect(await t.onCommit()).toEqual(pos(100));
    expect(await t.onCommit()).toEqual(pos(200));
  });

  it('never confirms past a record that is not acknowledged, even when later ones are', async () => {
    const t = new FlushPositionTracker(async () => offsetOf(pos(900)));
    const [a, b] = [record(), record()];
    t.track(a, pos(100));
    t.track(b, pos(200));
    t.ack(b);
    expect(await t.onCommit()).toBeNull();
    t.ack(a);
    expect(await t.onCommit()).toEqual(pos(200));
  });
});
