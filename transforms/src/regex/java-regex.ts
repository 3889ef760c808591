/**
 * Java regular expressions (`java.util.regex.Pattern`) on top of JavaScript's RegExp.
 *
 * Kafka Connect configs (`RegexRouter.regex`, `TopicNameMatches.pattern`) are written in Java regex
 * syntax. Most of it is the same in JavaScript; this module translates the common differences and
 * rejects, with a clear message, the constructs JavaScript cannot express rather than silently
 * matching something else.
 *
 * Translated: `\Q…\E` quoting; `\A`, `\z`, `\Z`; `\h`, `\H`, `\v`, `\V`, `\R`, `\e`, `\a`; `\x{…}`;
 * octal `\0nn`; POSIX classes `\p{Lower}`, `\p{Alpha}`, `\p{Alnum}`, … (ASCII, as Java's default);
 * a leading `]` in a character class (a literal in Java); leading embedded flags `(?i)`, `(?m)`,
 * `(?s)`, `(?x)` (comments mode) — `(?u)`, `(?U)`, `(?d)` are accepted and have no effect.
 *
 * Rejected: possessive quantifiers (`a*+`), atomic groups (`(?>…)`), class unions and intersections
 * (`[a-z[0-9]]`, `[a-z&&[^x]]`), `\G`, Unicode property classes other than the POSIX ones, and embedded
 * flags anywhere but the very start of the pattern.
 *
 * Known remaining differences: `i` folds case for all of Unicode in JavaScript but only ASCII in Java
 * (without `(?u)`); `\b`, `\w`, `\s` are the JavaScript definitions; `$` without `(?m)` does not match
 * before a final line terminator. None of these affect Kafka topic names (`[a-zA-Z0-9._-]`).
 */

/** Thrown for a pattern that is not valid Java regex or uses a construct JavaScript cannot express. */
export class JavaRegexSyntaxError extends Error {
  override name = 'JavaRegexSyntaxError';
}

/** A compiled Java regex. */
export interface JavaRegex {
  /** the pattern as written (Java syntax) */
  readonly pattern: string;
  /** the translated JavaScript source (unanchored) */
  readonly source: string;
  readonly flags: string;
  /** number of capturing groups */
  readonly groupCount: number;
  /** names of the named groups */
  readonly groupNames: readonly string[];
  /** Java's `Matcher.matches()`: the whole input must match. Returns the match (groups included) or null. */
  matchWhole(input: string): RegExpExecArray | null;
  /** Java's `Matcher.find()` from the start: the first match anywhere, or null. */
  find(input: string): RegExpExecArray | null;
}

const LINE_TERMINATORS = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';
const HORIZONTAL_SPACE = ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';

// Java's POSIX character classes (US-ASCII only), as JavaScript class contents.
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
  javaLowerCase: 'a-z',
  javaUpperCase: 'A-Z',
  javaWhitespace: ' \\t\\n\\x0B\\f\\r\\x1C-\\x1F',
  IsAlphabetic: 'a-zA-Z',
  IsDigit: '0-9',
  IsLowercase: 'a-z',
  IsUppercase: 'A-Z',
  IsWhite_Space: ' \\t\\n\\x0B\\f\\r\\x85\\xA0',
};

const JS_SYNTAX = /[\\^$.*+?()[\]{}|/-]/;

function literal(ch: string): string {
  return JS_SYNTAX.test(ch) ? `\\${ch}` : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : ch;
}

function codePointEscape(cp: number): string {
  if (cp > 0x10ffff) throw new JavaRegexSyntaxError('Hexadecimal code point is out of range');
  const hex = (n: number): string => `\\u${n.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp <= 0xffff) return hex(cp);
  const v = cp - 0x10000;
  return `(?:${hex(0xd800 + (v >> 10))}${hex(0xdc00 + (v & 0x3ff))})`;
}

interface Translation {
  source: string;
  flags: Set<string>;
}

class Translator {
  readonly #p: string;
  #i = 0;
  #out = '';
  readonly #flags = new Set<string>();
  #comments = false;

  constructor(pattern: string) {
    this.#p = pattern;
  }

  #fail(message: string): never {
    throw new JavaRegexSyntaxError(`${message} near index ${this.#i} of the pattern`);
  }

  translate(): Translation {
    this.#leadingFlags();
    while (this.#i < this.#p.length) {
      const ch = this.#p[this.#i] as string;
      if (this.#comments && /\s/.test(ch)) {
        this.#i++;
      } else if (this.#comments && ch === '#') {
        while (this.#i < this.#p.length && this.#p[this.#i] !== '\n') this.#i++;
      } else if (ch === '\\') {
        this.#out += this.#escape(false);
      } else if (ch === '[') {
        this.#charClass();
      } else if (ch === '(') {
        this.#group();
      } else if (ch === '*' || ch === '+' || ch === '?') {
        this.#out += ch;
        this.#i++;
        this.#quantifierSuffix();
      } else if (ch === '{') {
        const m = /^\{\d+(?:,\d*)?\}/.exec(this.#p.slice(this.#i));
        if (m === null) this.#fail('Illegal repetition (an unescaped "{" must start a {n,m} quantifier)');
        this.#out += m[0];
        this.#i += m[0].length;
        this.#quantifierSuffix();
      } else {
        this.#out += ch === '/' ? '\\/' : ch;
        this.#i++;
      }
    }
    return { source: this.#out, flags: this.#flags };
  }

  // `(?imsx)` at the very start sets flags for the whole pattern, which JavaScript can express.
  #leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([a-zA-Z]+)\)/.exec(this.#p.slice(this.#i));
      if (m === null) return;
      for (const f of m[1] as string) {
        if (f === 'i' || f === 'm' || f === 's') this.#flags.add(f);
        else if (f === 'x') this.#comments = true;
        else if (f === 'u' || f === 'U' || f === 'd') continue;
        else this.#fail(`Unknown inline flag "${f}"`);
      }
      this.#i += m[0].length;
    }
  }

  #quantifierSuffix(): void {
    const next = this.#p[this.#i];
    if (next === '+') this.#fail('Possessive quantifiers are not supported (JavaScript has no equivalent)');
    if (next === '?') {
      this.#out += '?';
      this.#i++;
    }
  }

  #group(): void {
    const rest = this.#p.slice(this.#i);
    if (!rest.startsWith('(?')) {
      this.#out += '(';
      this.#i++;
      return;
    }
    const known = /^\(\?(?::|=|!|<=|<!|<[a-zA-Z][a-zA-Z0-9]*>)/.exec(rest);
    if (known !== null) {
      this.#out += known[0];
      this.#i += known[0].length;
      return;
    }
    if (rest.startsWith('(?>')) this.#fail('Atomic groups "(?>…)" are not supported (JavaScript has no equivalent)');
    if (/^\(\?[a-zA-Z-]*[:)]/.test(rest)) this.#fail('Embedded flags are only supported at the very start of the pattern');
    this.#fail('Unknown group type');
  }

  #charClass(): void {
    this.#i++; // [
    let body = '';
    if (this.#p[this.#i] === '^') {
      body += '^';
      this.#i++;
    }
    // In Java a `]` right after `[` or `[^` is a literal; in JavaScript it would close an empty class.
    if (this.#p[this.#i] === ']') {
      body += '\\]';
      this.#i++;
    }
    for (;;) {
      if (this.#i >= this.#p.length) this.#fail('Unclosed character class');
      const ch = this.#p[this.#i] as string;
      if (ch === ']') {
        this.#i++;
        break;
      }
      if (ch === '[') this.#fail('Nested character classes (unions) are not supported');
      if (ch === '&' && this.#p[this.#i + 1] === '&') this.#fail('Character class intersections "&&" are not supported');
      if (ch === '\\') body += this.#escape(true);
      else {
        body += ch;
        this.#i++;
      }
    }
    this.#out += `[${body}]`;
  }

  // Translates the escape at the cursor; `inClass` selects class-content forms (no brackets).
  #escape(inClass: boolean): string {
    const c = this.#p[this.#i + 1];
    if (c === undefined) this.#fail('Unexpected trailing backslash');
    this.#i += 2;
    const cls = (content: string, negated = false): string => {
      if (!inClass) return `[${negated ? '^' : ''}${content}]`;
      if (negated) this.#fail(`"\\${c}" inside a character class is not supported`);
      return content;
    };
    switch (c) {
      case 'Q': {
        const end = this.#p.indexOf('\\E', this.#i);
        const text = end < 0 ? this.#p.slice(this.#i) : this.#p.slice(this.#i, end);
        this.#i = end < 0 ? this.#p.length : end + 2;
        return [...text].map((t) => (inClass ? (/[\\\]^-]/.test(t) ? `\\${t}` : t) : literal(t))).join('');
      }
      case 'E':
        return '';
      case 'A':
        if (inClass) this.#fail('"\\A" is not allowed in a character class');
        return '(?<![\\s\\S])';
      case 'z':
        if (inClass) this.#fail('"\\z" is not allowed in a character class');
        return '(?![\\s\\S])';
      case 'Z':
        if (inClass) this.#fail('"\\Z" is not allowed in a character class');
        return `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?(?![\\s\\S]))`;
      case 'G':
        return this.#fail('"\\G" is not supported');
      case 'h':
        return cls(HORIZONTAL_SPACE);
      case 'H':
        return cls(HORIZONTAL_SPACE, true);
      case 'v':
        return cls(LINE_TERMINATORS);
      case 'V':
        return cls(LINE_TERMINATORS, true);
      case 'R':
        if (inClass) this.#fail('"\\R" is not allowed in a character class');
        return `(?:\\r\\n|[${LINE_TERMINATORS}])`;
      case 'e':
        return '\\x1B';
      case 'a':
        return '\\x07';
      case 'x': {
        if (this.#p[this.#i] === '{') {
          const close = this.#p.indexOf('}', this.#i);
          const hex = close < 0 ? '' : this.#p.slice(this.#i + 1, close);
          if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) this.#fail('Illegal hexadecimal escape "\\x{…}"');
          this.#i = close + 1;
          const cp = parseInt(hex, 16);
          if (inClass && cp > 0xffff) this.#fail('Supplementary code points are not supported inside a character class');
          return codePointEscape(cp);
        }
        const hex = this.#p.slice(this.#i, this.#i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.#fail('Illegal hexadecimal escape "\\x"');
        this.#i += 2;
        return `\\x${hex}`;
      }
      case 'u': {
        const hex = this.#p.slice(this.#i, this.#i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail('Illegal Unicode escape "\\u"');
        this.#i += 4;
        return `\\u${hex}`;
      }
      case '0': {
        const m = /^[0-3]?[0-7]{1,2}|^[0-7]/.exec(this.#p.slice(this.#i));
        if (m === null) this.#fail('Illegal octal escape "\\0"');
        this.#i += m[0].length;
        return codePointEscape(parseInt(m[0], 8));
      }
      case 'p':
      case 'P': {
        const m = /^\{(?:Is)?([A-Za-z_]+)\}|^([A-Za-z])/.exec(this.#p.slice(this.#i));
        const whole = m?.[0];
        const raw = whole === undefined ? undefined : whole.startsWith('{') ? whole.slice(1, -1) : whole;
        const content = raw === undefined ? undefined : (POSIX_CLASSES[raw] ?? POSIX_CLASSES[raw.replace(/^Is/, '')]);
        if (whole === undefined || content === undefined) {
          this.#fail(`Character property "\\${c}${whole ?? ''}" is not supported (only the POSIX classes such as \\p{Alpha} are)`);
        }
        this.#i += whole.length;
        return cls(content, c === 'P');
      }
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
      case 't':
      case 'n':
      case 'r':
      case 'f':
        return `\\${c}`;
      case 'b':
      case 'B':
        if (inClass) this.#fail(`"\\${c}" is not allowed in a character class`);
        return `\\${c}`;
      case 'c': {
        const ctl = this.#p[this.#i];
        if (ctl === undefined) this.#fail('Illegal control escape "\\c"');
        this.#i++;
        return codePointEscape(ctl.charCodeAt(0) ^ 64);
      }
      case 'k': {
        const m = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.#p.slice(this.#i));
        if (m === null || inClass) this.#fail('Illegal named back-reference "\\k"');
        this.#i += m[0].length;
        return `\\k${m[0]}`;
      }
      default:
        if (/[1-9]/.test(c)) {
          if (inClass) this.#fail('Back-references are not allowed in a character class');
          return `\\${c}`;
        }
        if (/[a-zA-Z]/.test(c)) this.#fail(`Illegal/unsupported escape sequence "\\${c}"`);
        return inClass ? (/[\\\]^-]/.test(c) ? `\\${c}` : c) : literal(c);
    }
  }
}

/**
 * Compiles a Java regex. @throws JavaRegexSyntaxError with a message saying what is wrong or
 * unsupported (the caller reports it against its config key).
 */
export function compileJavaRegex(pattern: string): JavaRegex {
  const { source, flags } = new Translator(pattern).translate();
  const flagText = [...flags].sort().join('');
  let unanchored: RegExp;
  let whole: RegExp;
  try {
    unanchored = new RegExp(source, flagText);
    // Lookarounds instead of ^/$ so the anchoring is unaffected by the `m` flag.
    whole = new RegExp(`(?<![\\s\\S])(?:${source})(?![\\s\\S])`, flagText);
  } catch (err) {
    throw new JavaRegexSyntaxError(`Invalid regular expression: ${(err as Error).message}`);
  }
  const probe = new RegExp(`${source}|`, flagText).exec('');
  const groupCount = probe === null ? 0 : probe.length - 1;
  const groupNames = Object.freeze(Object.keys(probe?.groups ?? {}));
  return Object.freeze({
    pattern,
    source,
    flags: flagText,
    groupCount,
    groupNames,
    matchWhole: (input: string) => whole.exec(input),
    find: (input: string) => unanchored.exec(input),
  });
}
