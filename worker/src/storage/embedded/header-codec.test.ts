import { DataError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { decodeHeaders, encodeHeaders } from './header-codec.js';

describe('header codec', () => {
  it('stores no headers as null and decodes null as none', () => {
    expect(encodeHeaders(undefined)).toBeNull();
    expect(encodeHeaders([])).toBeNull();
    expect(decodeHeaders(null)).toEqual([]);
  });

  it('round-trips duplicate keys, null and empty values and multi-byte keys in order', () => {
    const headers = [
      { key: 'a', value: Buffer.from('1') },
      { key: 'a', value: null },
      { key: '', value: Buffer.alloc(0) },
      { key: 'ключ', value: Buffer.from([0, 1, 2, 255]) },
    ];
    expect(decodeHeaders(encodeHeaders(headers))).toEqual(headers);
  });

  it('reports a truncated blob as corrupt data', () => {
    const blob = encodeHeaders([{ key: 'key', value: Buffer.from('value') }])!;
    expect(() => decodeHeaders(blob.subarray(0, blob.length - 2))).toThrow(DataError);
    expect(() => decodeHeaders(blob.subarray(0, 6))).toThrow(DataError);
  });
});
