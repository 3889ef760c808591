import { Schemas, sourceRecord } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { RecordIsTombstone } from './record-is-tombstone.js';

describe('RecordIsTombstone', () => {
  it('is true exactly when the value is null', () => {
    const p = new RecordIsTombstone();
    p.configure({});
    const base = { sourcePartition: {}, sourceOffset: {}, topic: 't' };
    expect(p.test(sourceRecord({ ...base, key: 'k', value: null }))).toBe(true);
    expect(p.test(sourceRecord({ ...base, key: 'k', valueSchema: Schemas.OPTIONAL_STRING, value: null }))).toBe(true);
    expect(p.test(sourceRecord({ ...base, value: '' }))).toBe(false);
    expect(p.test(sourceRecord({ ...base, value: 0 }))).toBe(false);
  });
});
