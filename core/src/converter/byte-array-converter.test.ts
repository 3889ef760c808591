import { describe, expect, it } from 'vitest';
import { Schemas } from '../data/schema-builder.js';
import { DataError } from '../errors/connect-error.js';
import { ByteArrayConverter } from './byte-array-converter.js';

describe('ByteArrayConverter', () => {
  const c = new ByteArrayConverter();
  c.configure({}, false);

  it('passes bytes through in both directions', () => {
    const b = new Uint8Array([1, 2, 3]);
    expect(c.fromConnectData('t', Schemas.BYTES, b)).toBe(b);
    expect(c.fromConnectData('t', null, b)).toBe(b);
    expect(c.toConnectData('t', b)).toEqual({ schema: Schemas.OPTIONAL_BYTES, value: b });
  });

  it('passes nulls through', () => {
    expect(c.fromConnectData('t', Schemas.OPTIONAL_BYTES, null)).toBeNull();
    expect(c.toConnectData('t', null)).toEqual({ schema: null, value: null });
  });

  it('rejects non-bytes schemas and values', () => {
    expect(() => c.fromConnectData('t', Schemas.STRING, 'x')).toThrow(/Invalid schema type for ByteArrayConverter: STRING/);
    expect(() => c.fromConnectData('t', null, 'x')).toThrow(DataError);
  });

  it('works as a header converter', () => {
    const b = new Uint8Array([9]);
    expect(c.toConnectHeader('t', 'h', c.fromConnectHeader('t', 'h', Schemas.BYTES, b)).value).toEqual(b);
  });
});
