import { describe, expect, it } from 'vitest';
import type { SnapshotMode } from './postgres-source-config.js';
import type { SlotInfo } from './replication-setup.js';
import type { DecodedOffset } from './source-position.js';
import { planStart, type StartPlan } from './start-plan.js';

const slot = (confirmed: bigint, walStatus = 'reserved'): SlotInfo => ({
  plugin: 'pgoutput',
  slotType: 'logical',
  database: 'shop',
  active: false,
  activePid: null,
  confirmedFlushLsn: confirmed,
  restartLsn: confirmed,
  walStatus,
});
const streaming = (lsn: bigint, eventIndex = 4): DecodedOffset => ({
  position: { commitLsn: lsn, eventIndex },
  snapshot: null,
  blocking: null,
  txId: 1,
});
const midSnapshot = (lsn: bigint): DecodedOffset => ({
  position: { commitLsn: lsn, eventIndex: -1 },
  snapshot: { table: 'public.a', lastKey: ['3'] },
  blocking: null,
  txId: null,
});

const plan = (mode: SnapshotMode, stored: DecodedOffset | null, s: SlotInfo | null): StartPlan =>
  planStart(mode, 'slot1', stored, s);
const failure = (p: StartPlan) => (p.kind === 'fail' ? p.error.message : null);

describe('planStart', () => {
  it('creates the slot with an exported snapshot on a first start, without one for no_data', () => {
    expect(plan('initial', null, null)).toEqual({ kind: 'create-slot', dropLostSlot: false, snapshot: true });
    expect(plan('no_data', null, null)).toEqual({ kind: 'create-slot', dropLostSlot: false, snapshot: false });
  });

  it('resumes streaming from the stored position when the slot still holds it', () => {
    expect(plan('initial', streaming(0x500n), slot(0x400n))).toMatchObject({
      kind: 'use-slot',
      streamFrom: { commitLsn: 0x500n, eventIndex: 4 },
      snapshot: null,
    });
    expect(plan('initial', streaming(0x500n), slot(0x500n))).toMatchObject({ kind: 'use-slot', snapshot: null });
  });

  it('resumes an interrupted snapshot after its stored progress, then streams from the stored position', () => {
    expect(plan('initial', midSnapshot(0x300n), slot(0x300n))).toMatchObject({
      kind: 'use-slot',
      streamFrom: { commitLsn: 0x300n, eventIndex: -1 },
      snapshot: { resume: { table: 'public.a', lastKey: ['3'] } },
    });
  });

  it('fails, never skipping, when the slot is gone, invalidated or past the stored position', () => {
    expect(failure(plan('initial', streaming(0x500n), null))).toMatch(
      /no longer available on the server.*does not exist/,
    );
    expect(failure(plan('no_data', streaming(0x500n), slot(0x600n)))).toMatch(
      /no longer available on the server.*already at 0\/600/,
    );
    expect(failure(plan('initial', streaming(0x500n), slot(0x500n, 'lost')))).toMatch(
      /invalidated \(wal_status=lost\)/,
    );
  });

  it('re-snapshots instead with when_needed', () => {
    expect(plan('when_needed', streaming(0x500n), null)).toEqual({
      kind: 'create-slot',
      dropLostSlot: false,
      snapshot: true,
    });
    expect(plan('when_needed', streaming(0x500n), slot(0x500n, 'lost'))).toEqual({
      kind: 'create-slot',
      dropLostSlot: true,
      snapshot: true,
    });
    expect(plan('when_needed', streaming(0x500n), slot(0x600n))).toMatchObject({
      kind: 'use-slot',
      streamFrom: { commitLsn: 0x600n, eventIndex: -1 },
      snapshot: { resume: null },
    });
  });

  it('snapshots again on every start with always, and when a slot exists without offsets', () => {
    expect(plan('always', streaming(0x500n), slot(0x500n))).toMatchObject({
      kind: 'use-slot',
      streamFrom: { commitLsn: 0x500n },
      snapshot: { resume: null },
    });
    expect(plan('always', streaming(0x500n), null)).toMatchObject({ kind: 'create-slot', snapshot: true });
    expect(plan('initial', null, slot(0x700n))).toMatchObject({
      kind: 'use-slot',
      streamFrom: { commitLsn: 0x700n, eventIndex: -1 },
      snapshot: { resume: null },
    });
    expect(plan('no_data', null, slot(0x700n))).toMatchObject({ kind: 'use-slot', snapshot: null });
  });

  it('only snapshots with initial_only, resuming unfinished snapshots and doing nothing after a finished one', () => {
    expect(plan('initial_only', null, null)).toEqual({
      kind: 'snapshot-only',
      snapshot: { resume: null },
      position: { commitLsn: 0n, eventIndex: -1 },
    });
    expect(plan('initial_only', midSnapshot(0n), null)).toMatchObject({
      kind: 'snapshot-only',
      snapshot: { resume: { table: 'public.a' } },
    });
    expect(plan('initial_only', streaming(0n), null)).toMatchObject({ kind: 'snapshot-only', snapshot: null });
  });
});
