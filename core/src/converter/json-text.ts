import { DataError } from '../errors/connect-error.js';

/**
 * A parsed JSON value that keeps numbers as their source text, so int64 values beyond 2^53 and
 * decimals survive exactly (`JSON.parse` would round them). Object keys keep document order; a
 * repeated key keeps its last value (Jackson's default).
 */
export type JsonNode =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'number'; readonly text: string; readonly integral: boolean }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | {
      readonly kind: 'object';
      readonly entries: ReadonlyMap<string, JsonNode>;
      /** source span `[start, end)` in the parsed text; lets callers cache by the exact text */
      readonly start: number;
      readonly end: number;
    };

/** Nesting deeper than this is rejected rather than risking a stack overflow on hostile input. */
export const MAX_JSON_DEPTH = 500;

const NULL_NODE: JsonNode = Object.freeze({ kind: 'null' });
const TRUE_NODE: JsonNode = Object.freeze({ kind: 'boolean', value: true });
const FALSE_NODE: JsonNode = Object.freeze({ kind: 'boolean', value: false });
const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Parses one JSON document (RFC 8259; a leading BOM and surrounding whitespace are allowed, trailing
 * content is not). Throws DataError with the character position on malformed input; the message
 * never quotes the input.
 */
export function parseJson(text: string): JsonNode {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const error: (what: string) => never = (what) => {
    throw new DataError(`Malformed JSON at position ${pos}: ${what}`);
  };
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };
  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    let chunkStart = pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) error('unterminated string');
      if (c === 0x22) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) error('unescaped control character in string');
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(chunkStart, pos);
      const e = text[pos + 1] ?? '';
      if (e === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) error('invalid \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else {
        const mapped = ESCAPES[e];
        if (mapped === undefined) error('invalid escape');
        out += mapped;
        pos += 2;
      }
      chunkStart = pos;
    }
  };
  const parseValue = (depth: number): JsonNode => {
    if (depth > MAX_JSON_DEPTH) error(`nesting deeper than ${MAX_JSON_DEPTH}`);
    skipWs();
    const c = text[pos];
    switch (c) {
      case '{': {
        const start = pos++;
        const entries = new Map<string, JsonNode>();
        skipWs();
        if (text[pos] === '}') {
          pos++;
          return { kind: 'object', entries, start, end: pos };
        }
        for (;;) {
          skipWs();
          if (text[pos] !== '"') error('expected a string key');
          const key = parseString();
          skipWs();
          if (text[pos] !== ':') error("expected ':'");
          pos++;
          entries.set(key, parseValue(depth + 1));
          skipWs();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === '}') {
            pos++;
            return { kind: 'object', entries, start, end: pos };
          }
          error("expected ',' or '}'");
        }
      }
      case '[': {
        pos++;
        const items: JsonNode[] = [];
        skipWs();
        if (text[pos] === ']') {
          pos++;
          return { kind: 'array', items };
        }
        for (;;) {
          items.push(parseValue(depth + 1));
          skipWs();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === ']') {
            pos++;
            return { kind: 'array', items };
          }
          error("expected ',' or ']'");
        }
      }
      case '"':
        return { kind: 'string', value: parseString() };
      case 't':
        return literal('true', TRUE_NODE);
      case 'f':
        return literal('false', FALSE_NODE);
      case 'n':
        return literal('null', NULL_NODE);
      default: {
        NUMBER_RE.lastIndex = pos;
        const m = NUMBER_RE.exec(text);
        if (m === null) return error(c === undefined ? 'unexpected end of input' : 'unexpected character');
        pos += m[0].length;
        return { kind: 'number', text: m[0], integral: m[1] === undefined && m[2] === undefined };
      }
    }
  };
  const literal = (word: string, node: JsonNode): JsonNode => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return node;
    }
    return error('unexpected literal');
  };

  const node = parseValue(0);
  skipWs();
  if (pos < text.length) error('unexpected trailing content');
  return node;
}

/** Names a node's type the way Jackson's `getNodeType()` does, for error messages. */
export function nodeTypeName(node: JsonNode | undefined): string {
  if (node === undefined) return 'MISSING';
  return node.kind.toUpperCase();
}

const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
const HEX = '0123456789ABCDEF';

/**
 * Quotes a string exactly as Jackson's default generator does: escapes `"` and `\`, the short forms
 * `\b \t \n \f \r`, other control characters as `\u00XX` (upper-case hex); everything else, including
 * `/` and non-ASCII, is written as is. Unpaired surrogates (which Jackson rejects) are escaped as
 * `\uXXXX` so the output stays valid and round-trips.
 */
export function quoteJson(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20) {
      if (c === 0x08) out += '\\b';
      else if (c === 0x09) out += '\\t';
      else if (c === 0x0a) out += '\\n';
      else if (c === 0x0c) out += '\\f';
      else if (c === 0x0d) out += '\\r';
      else out += `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += `\\u${c.toString(16).toUpperCase()}`;
      }
    } else out += s[i];
  }
  return out + '"';
}
