import { ConfigValidationError, sourceRecord, type Header } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { DropHeaders } from './drop-headers.js';

const configured = (headers: string): DropHeaders => {
  const t = new DropHeaders();
  t.configure({ headers });
  return t;
};
const h = (key: string, value: unknown): Header => ({ key, schema: null, value });
const record = (headers: Header[]) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 't', headers });

describe('DropHeaders', () => {
  it('drops a listed header and keeps the others', () => {
    expect(configured('dropped').apply(record([h('dropped', 'a'), h('kept', 'b')]))?.headers).toEqual([h('kept', 'b')]);
  });

  it('drops every value of a header that occurs more than once', () => {
    expect(configured('dropped').apply(record([h('dropped', 1), h('kept', 2), h('dropped', 3)]))?.headers).toEqual([h('kept', 2)]);
  });

  it('leaves a record without the header unchanged', () => {
    const r = record([h('kept', 1)]);
    expect(configured('missing').apply(r)).toBe(r);
  });

  it('rejects an empty list', () => {
    expect(() => configured('')).toThrow(ConfigValidationError);
    expect(() => new DropHeaders().configure({})).toThrow(/headers/);
  });
});
