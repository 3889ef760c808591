import { describe, expect, it } from 'vitest';
import { AckTracker } from './ack-tracker.js';
import { comparePositions, decodeOffset, isDelivered, snapshotOffset, streamOffset } from './source-position.js';

describe('stream positions', () => {
  it('treats earlier transactions and already-delivered events of the same transaction as duplicates', () => {
    const stored = { commitLsn: 100n, eventIndex: 8 };
    expect(isDelivered({ commitLsn: 99n, eventIndex: 400 }, stored)).toBe(true);
    expect(isDelivered({ commitLsn: 100n, eventIndex: 8 }, stored)).toBe(true);
    expect(isDelivered({ commitLsn: 100n, eventIndex: 9 }, stored)).toBe(false);
    expect(isDelivered({ commitLsn: 101n, eventIndex: 0 }, stored)).toBe(false);
    // -1 means nothing of the transaction at that LSN was delivered
    expect(isDelivered({ commitLsn: 100n, eventIndex: 0 }, { commitLsn: 100n, eventIndex: -1 })).toBe(false);
    expect(comparePositions({ commitLsn: 1n, eventIndex: 5 }, { commitLsn: 2n, eventIndex: -1 })).toBeLessThan(0);
  });

  it('round-trips stream offsets in Debezium key names plus the event index', () => {
    const offset = streamOffset({
      position: { commitLsn: 0x2000n, eventIndex: 12 },
      lsn: 0x1f00n,
      txId: 771,
      commitTimeMicros: 1_700_000_000_000_000n,
    });
    expect(offset).toEqual({
      lsn: 0x1f00,
      lsn_proc: 0x1f00,
      lsn_commit: 0x2000,
      event_index: 12,
      txId: 771,
      ts_usec: 1_700_000_000_000_000,
    });
    expect(decodeOffset(offset)).toEqual({
      position: { commitLsn: 0x2000n, eventIndex: 12 },
      snapshot: null,
      blocking: null,
      txId: 771,
    });
  });

  it('reads a Debezium offset without an event index as "replay the transaction at lsn_commit"', () => {
    expect(decodeOffset({ lsn: 500, lsn_commit: 400, txId: 3, ts_usec: 1 }).position).toEqual({
      commitLsn: 400n,
      eventIndex: -1,
    });
    expect(decodeOffset({ lsn: 500 }).position).toEqual({ commitLsn: 500n, eventIndex: -1 });
    expect(() => decodeOffset({ txId: 3 })).toThrow(/neither "lsn_commit" nor "lsn"/);
  });

  it('keeps snapshot progress until the last snapshot record', () => {
    const position = { commitLsn: 0x10n, eventIndex: -1 };
    const mid = snapshotOffset(position, { table: 'public.a', lastKey: ['7', 'x'] }, false, null, 5n);
    expect(decodeOffset(mid).snapshot).toEqual({ table: 'public.a', lastKey: ['7', 'x'] });
    expect(
      decodeOffset(snapshotOffset(position, { table: 'public.a', lastKey: null }, true, null, 5n)).snapshot,
    ).toBeNull();
    // Debezium's snapshot offsets carry no progress: the snapshot starts over
    expect(decodeOffset({ lsn: 16, snapshot: true, last_snapshot_record: false }).snapshot).toEqual({
      table: '',
      lastKey: null,
    });
  });
});

describe('AckTracker', () => {
  it('yields the newest position whose predecessors are all acknowledged, even when acks arrive out of order', () => {
    const t = new AckTracker<object, number>();
    const [a, b, c] = [{}, {}, {}];
    t.track(a, 1);
    t.track(b, 2);
    t.track(c, 3);
    expect(t.acknowledged).toBeNull();
    t.ack(c);
    expect(t.acknowledged).toBeNull();
    t.ack(a);
    expect(t.acknowledged).toBe(1);
    t.ack(b);
    expect(t.acknowledged).toBe(3);
    expect(t.inFlight).toBe(0);
    t.ack({}); // unknown records (from before a restart) are ignored
    expect(t.acknowledged).toBe(3);
  });

  it('stays bounded over many records', () => {
    const t = new AckTracker<object, number>();
    for (let i = 0; i < 10_000; i++) {
      const r = {};
      t.track(r, i);
      t.ack(r);
    }
    expect(t.acknowledged).toBe(9_999);
    expect(t.inFlight).toBe(0);
  });
});

describe('blocking snapshot offsets', () => {
  it('decodes the blocking snapshot of an unfinished snapshot record, and ignores it once finished', () => {
    const progress = { table: 'public.t', lastKey: ['7'] };
    const base = snapshotOffset({ commitLsn: 100n, eventIndex: 3 }, progress, false, null, 1n);
    const blocking = { id: 'sig-1', tables: [{ table: 'public.t', filter: 'id > 5' }] };
    const decoded = decodeOffset({ ...base, blocking_snapshot: JSON.stringify(blocking) });
    expect(decoded.snapshot).toEqual(progress);
    expect(decoded.blocking).toEqual(blocking);
    expect(decoded.position).toEqual({ commitLsn: 100n, eventIndex: 3 });
    const last = snapshotOffset({ commitLsn: 100n, eventIndex: 3 }, progress, true, null, 1n);
    expect(decodeOffset({ ...last, blocking_snapshot: JSON.stringify(blocking) }).blocking).toBeNull();
    expect(decodeOffset(base).blocking).toBeNull();
    expect(() => decodeOffset({ ...base, blocking_snapshot: '{"id":1}' })).toThrow(/Invalid "blocking_snapshot"/);
  });
});
