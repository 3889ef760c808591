import { describe, expect, it } from 'vitest';
import { splitJsonArray, splitJsonObject } from './json-spans.js';

describe('JSON spans', () => {
  it('hands over member texts byte for byte, numbers and nesting untouched', () => {
    const text = ' {"a": 12345678901234567890 , "b":{"x":[1.0,"]}"]},"c":"q\\"uote","d":null}';
    expect([...splitJsonObject(text)]).toEqual([
      ['a', '12345678901234567890'],
      ['b', '{"x":[1.0,"]}"]}'],
      ['c', '"q\\"uote"'],
      ['d', 'null'],
    ]);
  });

  it('splits arrays into element texts', () => {
    expect(splitJsonArray('[{"k":1}, "s", [2,3], true]')).toEqual(['{"k":1}', '"s"', '[2,3]', 'true']);
    expect(splitJsonArray('[]')).toEqual([]);
  });

  it('rejects malformed text as a data error', () => {
    expect(() => splitJsonObject('{"a":1')).toThrowError(expect.objectContaining({ code: 'DATA_ERROR' }));
    expect(() => splitJsonObject('[1]')).toThrow(/expected '\{'/);
    expect(() => splitJsonArray('[1,{]')).toThrow(/malformed JSON/);
  });
});
