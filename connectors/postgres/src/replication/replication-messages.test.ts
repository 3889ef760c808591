import { describe, expect, it } from 'vitest';
import { formatLsn, lsnFromOffsetValue, lsnToNumber, maxLsn, parseLsn } from './lsn.js';
import { encodeStandbyStatus, parseReplicationMessage, PG_EPOCH_OFFSET_MICROS } from './replication-messages.js';

describe('replication protocol framing', () => {
  it('parses XLogData headers and exposes the payload', () => {
    const b = Buffer.alloc(25 + 3);
    b[0] = 0x77;
    b.writeBigUInt64BE(0x10n, 1);
    b.writeBigUInt64BE(0x20n, 9);
    b.writeBigInt64BE(5n, 17);
    b.write('abc', 25);
    const m = parseReplicationMessage(b);
    expect(m).toMatchObject({
      kind: 'xlogdata',
      start: 0x10n,
      walEnd: 0x20n,
      sendTimeMicros: 5n + PG_EPOCH_OFFSET_MICROS,
    });
    expect(m.kind === 'xlogdata' && m.data.toString()).toBe('abc');
  });

  it('parses primary keepalives including the reply-requested flag', () => {
    const b = Buffer.alloc(18);
    b[0] = 0x6b;
    b.writeBigUInt64BE(0xabcn, 1);
    b[17] = 1;
    expect(parseReplicationMessage(b)).toEqual({
      kind: 'keepalive',
      walEnd: 0xabcn,
      sendTimeMicros: PG_EPOCH_OFFSET_MICROS,
      replyRequested: true,
    });
  });

  it('rejects unknown tags and truncated frames', () => {
    expect(() => parseReplicationMessage(Buffer.from([0x78]))).toThrow(/Unknown replication message tag 0x78/);
    expect(() => parseReplicationMessage(Buffer.from([0x6b, 0]))).toThrow(/Truncated keepalive/);
    expect(() => parseReplicationMessage(Buffer.from([0x77, 0]))).toThrow(/Truncated XLogData/);
  });

  it('encodes standby status updates with separate written and flushed positions', () => {
    const b = encodeStandbyStatus({
      written: 0x300n,
      flushed: 0x200n,
      applied: 0x200n,
      nowMs: 946_684_800_001,
      replyRequested: true,
    });
    expect(b.length).toBe(34);
    expect(String.fromCharCode(b[0]!)).toBe('r');
    expect(b.readBigUInt64BE(1)).toBe(0x300n);
    expect(b.readBigUInt64BE(9)).toBe(0x200n);
    expect(b.readBigUInt64BE(17)).toBe(0x200n);
    expect(b.readBigInt64BE(25)).toBe(1000n); // 1 ms after 2000-01-01
    expect(b[33]).toBe(1);
  });
});

describe('LSNs', () => {
  it('round-trips the X/Y text form', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
    expect(() => parseLsn('16-B3')).toThrow(/Not a PostgreSQL LSN/);
  });

  it('reads offset values stored as numbers, digit strings or X/Y text', () => {
    expect(lsnFromOffsetValue(24_000_000)).toBe(24_000_000n);
    expect(lsnFromOffsetValue('24000000')).toBe(24_000_000n);
    expect(lsnFromOffsetValue('0/16E3600')).toBe(0x16e3600n);
    expect(lsnFromOffsetValue(null)).toBeNull();
    expect(() => lsnFromOffsetValue(-1)).toThrow(/Invalid LSN/);
    expect(lsnToNumber(0x16b374d848n)).toBe(0x16b374d848);
    expect(() => lsnToNumber(1n << 60n)).toThrow(/too large/);
    expect(maxLsn(3n, 5n)).toBe(5n);
  });
});
