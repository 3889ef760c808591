import { ConfigValidationError, sourceRecord, type Header } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { HasHeaderKey } from './has-header-key.js';

const record = (keys: string[]) =>
  sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 't', headers: keys.map((key): Header => ({ key, schema: null, value: null })) });

describe('HasHeaderKey', () => {
  it('requires a non-empty name', () => {
    expect(() => new HasHeaderKey().configure({})).toThrow(ConfigValidationError);
    expect(() => new HasHeaderKey().configure({ name: '' })).toThrow(/name/);
  });

  it('is true when at least one header has the name', () => {
    const p = new HasHeaderKey();
    p.configure({ name: 'foo' });
    expect(p.test(record(['foo']))).toBe(true);
    expect(p.test(record(['bar', 'foo', 'bar', 'foo']))).toBe(true);
    expect(p.test(record(['bar', 'baz']))).toBe(false);
    expect(p.test(record([]))).toBe(false);
    expect(String(p)).toBe("HasHeaderKey{name='foo'}");
  });
});
