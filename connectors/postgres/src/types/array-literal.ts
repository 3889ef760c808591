import { DataError } from '@sluice/core';

/** An element of a parsed array literal: its text, `null` for NULL, or a nested array. */
export type ArrayElement = string | null | ArrayElement[];

/**
 * Parses PostgreSQL's array text output (`{1,2,NULL}`, `{"a b","say \"hi\""}`, `{{1,2},{3,4}}`,
 * optionally prefixed by bounds like `[0:1]=`). Elements stay text (the element type's output);
 * quoted `"NULL"` is the string NULL, bare `NULL` is null. `delimiter` is `,` for every type except
 * `box`.
 * @throws DataError on malformed input.
 */
export function parseArrayLiteral(text: string, delimiter = ','): ArrayElement[] {
  let s = text.trim();
  if (s.startsWith('[')) {
    const eq = s.indexOf('=');
    if (eq < 0) throw new DataError('Malformed array literal: bounds without "="');
    s = s.slice(eq + 1);
  }
  let pos = 0;
  const fail = (what: string): never => {
    throw new DataError(`Malformed array literal at position ${pos}: ${what}`);
  };

  const parseArray = (): ArrayElement[] => {
    if (s[pos] !== '{') fail('expected "{"');
    pos++;
    const out: ArrayElement[] = [];
    if (s[pos] === '}') {
      pos++;
      return out;
    }
    for (;;) {
      while (s[pos] === ' ') pos++;
      const c = s[pos];
      if (c === '{') {
        out.push(parseArray());
      } else if (c === '"') {
        pos++;
        let value = '';
        for (;;) {
          const ch = s[pos];
          if (ch === undefined) fail('unterminated quoted element');
          if (ch === '\\') {
            value += s[pos + 1] ?? '';
            pos += 2;
          } else if (ch === '"') {
            pos++;
            break;
          } else {
            value += ch;
            pos++;
          }
        }
        out.push(value);
      } else {
        const start = pos;
        let value = '';
        while (pos < s.length && s[pos] !== delimiter && s[pos] !== '}') {
          if (s[pos] === '\\') {
            value += s[pos + 1] ?? '';
            pos += 2;
          } else {
            value += s[pos];
            pos++;
          }
        }
        if (pos === start) fail('empty element');
        const trimmed = value.trim();
        out.push(
          trimmed.toUpperCase() === 'NULL' && s.slice(start, pos).trim().toUpperCase() === 'NULL' ? null : trimmed,
        );
      }
      while (s[pos] === ' ') pos++;
      if (s[pos] === delimiter) {
        pos++;
        continue;
      }
      if (s[pos] === '}') {
        pos++;
        return out;
      }
      fail(`expected "${delimiter}" or "}"`);
    }
  };

  const result = parseArray();
  if (pos !== s.length) fail('trailing characters');
  return result;
}
