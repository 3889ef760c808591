import { DataError } from '@sluice/core';

/**
 * Splits JSON text into the raw source text of its parts without converting any values, so nested
 * documents can be handed on byte for byte (JSON.parse would round big integers and drop `1.0`'s
 * fraction). The input must be well-formed JSON; nested values are not validated here beyond
 * bracket and string balance, as whoever reads the parts parses them fully.
 */

/** The members of a JSON object: key → raw text of the value. Throws DataError on a non-object. */
export function splitJsonObject(text: string): Map<string, string> {
  const s = new Scanner(text);
  s.skipWs();
  s.expect('{');
  const out = new Map<string, string>();
  s.skipWs();
  if (s.peek() === '}') {
    s.pos++;
    s.end();
    return out;
  }
  for (;;) {
    s.skipWs();
    const keyStart = s.pos;
    s.skipString();
    const key = JSON.parse(text.slice(keyStart, s.pos)) as string;
    s.skipWs();
    s.expect(':');
    s.skipWs();
    const valueStart = s.pos;
    s.skipValue();
    out.set(key, text.slice(valueStart, s.pos));
    s.skipWs();
    if (s.peek() === ',') {
      s.pos++;
      continue;
    }
    s.expect('}');
    s.end();
    return out;
  }
}

/** The elements of a JSON array as raw texts. Throws DataError on a non-array. */
export function splitJsonArray(text: string): string[] {
  const s = new Scanner(text);
  s.skipWs();
  s.expect('[');
  const out: string[] = [];
  s.skipWs();
  if (s.peek() === ']') {
    s.pos++;
    s.end();
    return out;
  }
  for (;;) {
    s.skipWs();
    const start = s.pos;
    s.skipValue();
    out.push(text.slice(start, s.pos));
    s.skipWs();
    if (s.peek() === ',') {
      s.pos++;
      continue;
    }
    s.expect(']');
    s.end();
    return out;
  }
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  peek(): string | undefined {
    return this.text[this.pos];
  }

  skipWs(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos] as string)) this.pos++;
  }

  expect(ch: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  end(): void {
    this.skipWs();
    if (this.pos !== this.text.length) this.fail('unexpected text after the end');
  }

  skipString(): void {
    this.expect('"');
    for (;;) {
      const ch = this.text[this.pos++];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === '\\') this.pos++;
      else if (ch === '"') return;
    }
  }

  skipValue(): void {
    const ch = this.peek();
    if (ch === '"') return this.skipString();
    if (ch === '{' || ch === '[') {
      const stack: string[] = [];
      do {
        const c = this.text[this.pos];
        if (c === undefined) this.fail('unbalanced brackets');
        if (c === '"') {
          this.skipString();
          continue;
        }
        if (c === '{') stack.push('}');
        else if (c === '[') stack.push(']');
        else if (c === '}' || c === ']') {
          if (stack.pop() !== c) this.fail('mismatched brackets');
        }
        this.pos++;
      } while (stack.length > 0);
      return;
    }
    const start = this.pos;
    while (this.pos < this.text.length && !',}] \t\r\n'.includes(this.text[this.pos] as string)) this.pos++;
    if (this.pos === start) this.fail('expected a value');
  }

  fail(problem: string): never {
    throw new DataError(`malformed JSON at character ${this.pos}: ${problem}`);
  }
}
