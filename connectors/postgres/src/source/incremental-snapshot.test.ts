import { describe, expect, it } from 'vitest';
import { CapturingLogger } from '@sluice/testkit';
import { ChunkBuffer, IncrementalSnapshotState, decodeState, encodeState, parseSignal } from './incremental-snapshot.js';

describe('incremental snapshot signals', () => {
  it("parses Debezium's execute-snapshot with additional conditions", () => {
    const action = parseSignal(
      'ad-hoc-1',
      'execute-snapshot',
      JSON.stringify({
        'data-collections': ['public.orders', '"inv"."items"'],
        type: 'INCREMENTAL',
        'additional-conditions': [{ 'data-collection': 'public.orders', filter: "region = 'eu'" }],
      }),
    );
    expect(action).toEqual({
      kind: 'execute',
      id: 'ad-hoc-1',
      tables: [
        { table: 'public.orders', filter: "region = 'eu'" },
        { table: 'inv.items', filter: null },
      ],
    });
  });

  it('reads watermarks, stop and pause signals, and ignores what it cannot act on, saying why', () => {
    expect(parseSignal('c1-open', 'snapshot-window-open', null)).toEqual({ kind: 'window-open', chunkId: 'c1' });
    expect(parseSignal('c1-close', 'snapshot-window-close', null)).toEqual({ kind: 'window-close', chunkId: 'c1' });
    expect(parseSignal('s', 'stop-snapshot', '{"type":"incremental"}')).toEqual({ kind: 'stop', id: 's', tables: null });
    expect(parseSignal('p', 'pause-snapshot', null)).toEqual({ kind: 'pause', id: 'p' });
    expect(parseSignal('x', 'execute-snapshot', '{"data-collections":["a.b"],"type":"BLOCKING","additional-conditions":[{"data-collection":"a.b","filter":"v > 1"}]}')).toEqual({
      kind: 'blocking',
      id: 'x',
      tables: [{ table: 'a.b', filter: 'v > 1' }],
    });
    expect(parseSignal('x', 'stop-snapshot', '{"type":"blocking"}')).toMatchObject({ kind: 'ignore', reason: expect.stringContaining('cannot be stopped') });
    expect(parseSignal('x', 'execute-snapshot', '{"data-collections":["a.b"],"type":"read-only"}')).toMatchObject({ kind: 'ignore', reason: expect.stringContaining('"read-only" is not supported') });
    expect(parseSignal('x', 'execute-snapshot', '{nope')).toMatchObject({ kind: 'ignore', reason: expect.stringContaining('not JSON') });
    expect(parseSignal('x', 'log', '')).toMatchObject({ kind: 'ignore' });
  });
});

describe('the chunk buffer (DBLog window)', () => {
  it('drops keys changed in the stream only while the window is open', () => {
    const buffer = new ChunkBuffer('c', 'public.t', [['1', 'row 1'], ['2', 'row 2'], ['3', 'row 3']], ['3'], false);
    buffer.streamed('public.t', '1'); // before the open watermark: older than the chunk's read
    expect(buffer.size).toBe(3);
    buffer.open = true;
    buffer.streamed('public.t', '2');
    buffer.streamed('public.other', '3');
    expect(buffer.remaining()).toEqual(['row 1', 'row 3']);
  });
});

describe('incremental snapshot state', () => {
  it('queues tables, moves through chunks and tables, and survives an offset round trip', () => {
    const s = new IncrementalSnapshotState(null, new CapturingLogger());
    s.apply({ kind: 'execute', id: 'a', tables: [{ table: 'public.t', filter: null }, { table: 'public.x', filter: null }] }, (t) => (t === 'public.x' ? 'not captured' : null));
    expect(s.state?.tables.map((t) => t.table)).toEqual(['public.t']);
    s.state = { ...s.state!, maxKey: ['9'] };
    s.chunkDone(['4'], false);
    const restored = decodeState(encodeState(s.state!));
    expect(restored).toEqual({ id: 'a', tables: [{ table: 'public.t', filter: null }], lastKey: ['4'], maxKey: ['9'] });
    s.chunkDone(['9'], true);
    expect(s.state).toBeNull();
  });

  it('stops all or some tables', () => {
    const s = new IncrementalSnapshotState(null, new CapturingLogger());
    s.apply({ kind: 'execute', id: 'a', tables: [{ table: 'public.t', filter: null }, { table: 'public.u', filter: null }] }, () => null);
    s.apply({ kind: 'stop', id: 's', tables: ['public.t'] }, () => null);
    expect(s.state).toMatchObject({ tables: [{ table: 'public.u' }], lastKey: null });
    s.apply({ kind: 'stop', id: 's2', tables: null }, () => null);
    expect(s.state).toBeNull();
  });
});
