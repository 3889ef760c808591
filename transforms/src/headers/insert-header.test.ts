import { ConfigValidationError, Schemas, sourceRecord } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { InsertHeader } from './insert-header.js';

const configured = (config: Record<string, string>): InsertHeader => {
  const t = new InsertHeader();
  t.configure(config);
  return t;
};
const record = (headers: { key: string; schema: null; value: unknown }[] = []) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 't', value: 'v', headers });

describe('InsertHeader', () => {
  it('appends the header after existing ones', () => {
    const out = configured({ header: 'inserted', 'value.literal': 'inserted-value' }).apply(record([{ key: 'existing', schema: null, value: 'existing-value' }]));
    expect(out?.headers).toEqual([
      { key: 'existing', schema: null, value: 'existing-value' },
      { key: 'inserted', schema: Schemas.STRING, value: 'inserted-value' },
    ]);
  });

  it('keeps an existing header of the same name', () => {
    const out = configured({ header: 'h', 'value.literal': 'new' }).apply(record([{ key: 'h', schema: null, value: 'old' }]));
    expect(out?.headers.map((h) => h.value)).toEqual(['old', 'new']);
  });

  it('infers the literal\'s type as Kafka Connect\'s Values.parseString does', () => {
    expect(configured({ header: 'h', 'value.literal': '1' }).apply(record())?.headers[0]).toEqual({ key: 'h', schema: Schemas.INT8, value: 1 });
    expect(configured({ header: 'h', 'value.literal': 'true' }).apply(record())?.headers[0]).toMatchObject({ schema: Schemas.BOOLEAN, value: true });
  });

  it('requires the header name and the literal', () => {
    expect(() => configured({ 'value.literal': 'x' })).toThrow(ConfigValidationError);
    expect(() => configured({ header: 'h' })).toThrow(/value.literal/);
  });
});
