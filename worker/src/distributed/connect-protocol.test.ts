import { describe, expect, it } from 'vitest';
import { decodeAssignment, decodeMetadata, encodeAssignment, encodeMetadata } from './connect-protocol.js';

describe('connect protocol codec', () => {
  it('round-trips worker metadata with and without an allocation', () => {
    const m = { version: 2, url: 'http://10.0.0.1:8083/', configOffset: 42, allocation: new Map([['a', [-1, 0, 1]]]) };
    expect(decodeMetadata(encodeMetadata(m))).toEqual(m);
    const fresh = { version: 2, url: 'http://w:1/', configOffset: -1, allocation: null };
    expect(decodeMetadata(encodeMetadata(fresh))).toEqual(fresh);
  });

  it('writes Kafka wire types: int16 version, int16-length strings, int64 offsets', () => {
    const buf = encodeMetadata({ version: 2, url: 'u', configOffset: 7, allocation: null });
    expect([...buf]).toEqual([0, 2, 0, 1, 0x75, 0, 0, 0, 0, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff]);
  });

  it('round-trips assignments', () => {
    const a = {
      version: 2,
      error: 0,
      leader: 'member-1',
      leaderUrl: 'http://l:8083/',
      configOffset: 9_000_000_000,
      assigned: new Map([['b', [-1, 2]]]),
      revoked: new Map([['c', [0]]]),
      delayMs: 1500,
    };
    expect(decodeAssignment(encodeAssignment(a))).toEqual(a);
  });

  it('rejects truncated messages', () => {
    expect(() => decodeAssignment(Buffer.from([0, 2, 0]))).toThrow(/Truncated/);
  });
});
