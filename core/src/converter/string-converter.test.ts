import { describe, expect, it } from 'vitest';
import { Schemas } from '../data/schema-builder.js';
import { ConfigValidationError } from '../errors/connect-error.js';
import { StringConverter } from './string-converter.js';

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

function converter(encoding?: string): StringConverter {
  const c = new StringConverter();
  c.configure(encoding === undefined ? {} : { 'converter.encoding': encoding }, false);
  return c;
}

describe('StringConverter', () => {
  it('writes UTF-8 by default and reads an optional string', () => {
    const c = converter();
    expect(hex(c.fromConnectData('t', Schemas.STRING, 'é'))).toBe('c3a9');
    expect(c.toConnectData('t', new Uint8Array([0xc3, 0xa9]))).toEqual({ schema: Schemas.OPTIONAL_STRING, value: 'é' });
  });

  it('passes nulls through', () => {
    const c = converter();
    expect(c.fromConnectData('t', Schemas.OPTIONAL_STRING, null)).toBeNull();
    expect(c.toConnectData('t', null)).toEqual({ schema: null, value: null });
  });

  it('writes non-string values as text', () => {
    const c = converter();
    expect(Buffer.from(c.fromConnectData('t', Schemas.INT32, 42)!).toString()).toBe('42');
    expect(Buffer.from(c.fromConnectData('t', Schemas.FLOAT64, 1)!).toString()).toBe('1.0');
    expect(Buffer.from(c.fromConnectData('t', null, [1, 'a'])!).toString()).toBe('[1,"a"]');
  });

  it.each([
    ['UTF-16BE', '00480069'],
    ['utf-16le', '48006900'],
    ['UTF-16', 'feff00480069'],
    ['ISO-8859-1', '4869'],
    ['latin1', '4869'],
    ['US-ASCII', '4869'],
  ])('encodes and decodes %s', (encoding, expectedHex) => {
    const c = converter(encoding);
    const b = c.fromConnectData('t', Schemas.STRING, 'Hi');
    expect(hex(b)).toBe(expectedHex);
    expect(c.toConnectData('t', b).value).toBe('Hi');
  });

  it('replaces characters the encoding cannot hold, as Java does', () => {
    expect(hex(converter('US-ASCII').fromConnectData('t', Schemas.STRING, 'é'))).toBe('3f');
    expect(converter('US-ASCII').toConnectData('t', new Uint8Array([0xe9])).value).toBe('\ufffd');
  });

  it('rejects an unsupported encoding at configure time', () => {
    expect(() => converter('EBCDIC')).toThrow(ConfigValidationError);
    expect(() => converter('EBCDIC')).toThrow(/converter\.encoding/);
  });

  it('also works as a header converter', () => {
    const c = new StringConverter();
    c.configure({});
    const b = c.fromConnectHeader('t', 'h', Schemas.STRING, 'v');
    expect(c.toConnectHeader('t', 'h', b)).toEqual({ schema: Schemas.OPTIONAL_STRING, value: 'v' });
  });
});
