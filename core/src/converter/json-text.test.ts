import { describe, expect, it } from 'vitest';
import { DataError } from '../errors/connect-error.js';
import { MAX_JSON_DEPTH, parseJson, quoteJson } from './json-text.js';

describe('parseJson', () => {
  it('keeps number text exactly and marks integral numbers', () => {
    const node = parseJson('[9223372036854775807, -1.50, 1e3, 0]');
    expect(node).toEqual({
      kind: 'array',
      items: [
        { kind: 'number', text: '9223372036854775807', integral: true },
        { kind: 'number', text: '-1.50', integral: false },
        { kind: 'number', text: '1e3', integral: false },
        { kind: 'number', text: '0', integral: true },
      ],
    });
  });

  it('keeps object key order, lets a repeated key win last and records the source span', () => {
    const text = ' {"b":1,"a":{"x":true},"b":null} ';
    const node = parseJson(text);
    if (node.kind !== 'object') throw new Error('expected object');
    expect([...node.entries.keys()]).toEqual(['b', 'a']);
    expect(node.entries.get('b')).toEqual({ kind: 'null' });
    const inner = node.entries.get('a');
    if (inner?.kind !== 'object') throw new Error('expected object');
    expect(text.slice(inner.start, inner.end)).toBe('{"x":true}');
  });

  it('decodes string escapes including surrogate pairs', () => {
    expect(parseJson('"a\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00"')).toEqual({ kind: 'string', value: 'a"b\\c/d\né😀' });
  });

  it.each(['', '{', '[1,]', '{"a" 1}', '01', '1.', 'tru', '"\u0001"', '"\\x"', '{} x', '[1 2]', 'NaN'])(
    'rejects malformed input %j with a DataError',
    (text) => {
      expect(() => parseJson(text)).toThrow(DataError);
    },
  );

  it('limits nesting depth instead of overflowing the stack', () => {
    expect(() => parseJson('['.repeat(MAX_JSON_DEPTH + 2))).toThrow(/nesting deeper/);
  });

  it('accepts a leading byte order mark', () => {
    expect(parseJson('\ufeff true')).toEqual({ kind: 'boolean', value: true });
  });
});

describe('quoteJson', () => {
  it('escapes like Jackson: short escapes, upper-case \\u00XX, no escaping of / or non-ASCII', () => {
    expect(quoteJson('plain')).toBe('"plain"');
    expect(quoteJson('a"b\\c\n\r\t\b\f\u0001\u001f/é😀')).toBe('"a\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001F/é😀"');
  });

  it('escapes unpaired surrogates so the output stays valid', () => {
    expect(quoteJson('x\ud800y')).toBe('"x\\uD800y"');
    expect(parseJson(quoteJson('x\ud800y'))).toEqual({ kind: 'string', value: 'x\ud800y' });
  });
});
