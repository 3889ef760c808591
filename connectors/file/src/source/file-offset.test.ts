import { describe, expect, it } from 'vitest';
import { DataError } from '@sluice/core';
import { decodeOffset, encodeOffset, fingerprintOf, matchOffset, type FileIdentity } from './file-offset.js';

const head = Buffer.from('line one\nline two\n');
const identity: FileIdentity = {
  device: '2049',
  inode: '77',
  fingerprint: fingerprintOf(head),
  fingerprintBytes: head.length,
};
const facts = { device: '2049', inode: '77', sizeBytes: 500, head };

describe('file offsets', () => {
  it('round-trips position and identity through the stored offset', () => {
    const stored = encodeOffset(18, identity);
    expect(stored['position']).toBe(18);
    expect(decodeOffset(stored)).toEqual({ position: 18, identity });
  });

  it("accepts Kafka Connect's position-only offsets", () => {
    expect(decodeOffset({ position: 42 })).toEqual({ position: 42, identity: null });
  });

  it('rejects offsets without a valid position or with a partial identity', () => {
    expect(() => decodeOffset({ position: -1 })).toThrow(DataError);
    expect(() => decodeOffset({ position: '5' })).toThrow(/position/);
    expect(() => decodeOffset({ position: 5, inode: '77' })).toThrow(/identity/);
  });

  it('resumes when inode and fingerprint match, even if the device id changed', () => {
    expect(matchOffset({ position: 18, identity }, facts)).toBe('same');
    expect(matchOffset({ position: 18, identity }, { ...facts, device: '64768' })).toBe('same');
  });

  it('reports rotation when the path now names another inode', () => {
    expect(matchOffset({ position: 18, identity }, { ...facts, inode: '78' })).toBe('rotated');
  });

  it('reports truncation when the file is shorter than the position', () => {
    expect(matchOffset({ position: 18, identity }, { ...facts, sizeBytes: 10 })).toBe('truncated');
    expect(matchOffset({ position: 18, identity: null }, { ...facts, sizeBytes: 10 })).toBe('truncated');
  });

  it('reports a rewrite when the first bytes changed under the same inode', () => {
    const other = Buffer.from('LINE ONE\nline two\n');
    expect(matchOffset({ position: 18, identity }, { ...facts, head: other })).toBe('rewritten');
    expect(matchOffset({ position: 5, identity }, { ...facts, sizeBytes: 5, head: head.subarray(0, 5) })).toBe(
      'rewritten',
    );
  });

  it('trusts a position-only offset when the file is long enough', () => {
    expect(matchOffset({ position: 18, identity: null }, facts)).toBe('unverified');
  });
});
