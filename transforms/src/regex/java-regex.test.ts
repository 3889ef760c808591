import { describe, expect, it } from 'vitest';
import { compileJavaRegex, JavaRegexSyntaxError } from './java-regex.js';
import { JavaReplacement } from './java-replacement.js';

const matches = (pattern: string, input: string): boolean => compileJavaRegex(pattern).matchWhole(input) !== null;

describe('compileJavaRegex', () => {
  it('matches the whole input only (Matcher.matches)', () => {
    expect(matches('a|ab', 'ab')).toBe(true);
    expect(matches('foo', 'foobar')).toBe(false);
    expect(compileJavaRegex('foo').find('xfoox')?.index).toBe(1);
    // Anchoring holds under (?m) too.
    expect(matches('(?m)a', 'a\nb')).toBe(false);
  });

  it('translates quoting, anchors and Java-only escapes', () => {
    expect(matches('\\Qa.b*c\\E', 'a.b*c')).toBe(true);
    expect(matches('\\Qa.b*c\\E', 'axbbc')).toBe(false);
    expect(matches('\\Qunterminated.', 'unterminated.')).toBe(true);
    expect(matches('\\Afoo\\z', 'foo')).toBe(true);
    expect(compileJavaRegex('foo\\Z').find('foo\n')).not.toBeNull();
    expect(matches('a\\hb', 'a\tb')).toBe(true);
    expect(matches('a\\Hb', 'a b')).toBe(false);
    expect(matches('a\\Rb', 'a\r\nb')).toBe(true);
    expect(matches('\\e\\a', '\x1b\x07')).toBe(true);
    expect(matches('\\x{1F600}', '😀')).toBe(true);
    expect(matches('\\x41\\u0042\\0103', 'ABC')).toBe(true);
    expect(matches('\\cA', '\x01')).toBe(true);
  });

  it('translates POSIX classes, in and out of brackets', () => {
    expect(matches('\\p{Lower}+\\P{Lower}', 'abcD')).toBe(true);
    expect(matches('[\\p{Digit}_]+', '1_2')).toBe(true);
    expect(matches('\\p{Alnum}+', 'ab1')).toBe(true);
    expect(matches('\\p{Punct}', '!')).toBe(true);
    expect(matches('\\p{IsAlphabetic}', 'z')).toBe(true);
  });

  it('treats a leading ] in a class as a literal, as Java does', () => {
    expect(matches('[]a]+', ']a]')).toBe(true);
    expect(matches('[^]a]', 'b')).toBe(true);
  });

  it('applies leading embedded flags, including comments mode', () => {
    expect(matches('(?i)abc', 'ABC')).toBe(true);
    expect(matches('(?s)a.b', 'a\nb')).toBe(true);
    expect(matches('a.b', 'a\nb')).toBe(false);
    expect(matches('(?x) a b  # the letters\n c', 'abc')).toBe(true);
    expect(matches('(?iu)é', 'É')).toBe(true);
  });

  it('keeps JavaScript-compatible syntax as is', () => {
    expect(matches('(?<year>\\d{4})-(?:\\d{2})(?=x)x', '2024-01x')).toBe(true);
    expect(matches('(a)\\1', 'aa')).toBe(true);
    expect(matches('(?<n>a)\\k<n>', 'aa')).toBe(true);
    expect(matches('a{2,}?b', 'aaab')).toBe(true);
    expect(matches('(?<!x)y', 'y')).toBe(true);
    expect(compileJavaRegex('(a)(?:b)(?<c>c)').groupCount).toBe(2);
    expect(compileJavaRegex('(?<c>c)').groupNames).toEqual(['c']);
  });

  it('rejects constructs JavaScript cannot express instead of changing their meaning', () => {
    const rejects = (pattern: string, message: RegExp) => {
      expect(() => compileJavaRegex(pattern)).toThrow(JavaRegexSyntaxError);
      expect(() => compileJavaRegex(pattern)).toThrow(message);
    };
    rejects('a*+', /Possessive/);
    rejects('a{2}+', /Possessive/);
    rejects('(?>a)', /Atomic groups/);
    rejects('[a-z&&[^x]]', /intersections/);
    rejects('[a[b]]', /Nested character classes/);
    rejects('a(?i)b', /Embedded flags/);
    rejects('(?i:a)', /Embedded flags/);
    rejects('\\G', /not supported/);
    rejects('\\p{InGreek}', /not supported/);
    rejects('\\pL', /not supported/);
    rejects('\\y', /Illegal\/unsupported escape/);
    rejects('a{x}', /Illegal repetition/);
    rejects('[abc', /Unclosed character class/);
    rejects('(', /Invalid regular expression/);
    rejects('abc\\', /trailing backslash/);
  });
});

describe('JavaReplacement', () => {
  const expand = (pattern: string, replacement: string, input: string): string => {
    const regex = compileJavaRegex(pattern);
    const match = regex.matchWhole(input);
    if (match === null) throw new Error('no match');
    return new JavaReplacement(replacement, regex).expand(match);
  };

  it('expands numbered and named groups and backslash escapes', () => {
    expect(expand('(\\w+)-(\\w+)', '$2.$1', 'a-b')).toBe('b.a');
    expect(expand('(?<x>\\w+)', '${x}!', 'hi')).toBe('hi!');
    expect(expand('(\\w+)', '\\$1 \\\\ $1', 'v')).toBe('$1 \\ v');
    expect(expand('(a)|(b)', '[$2]', 'a')).toBe('[]');
  });

  it('takes extra digits only while they name an existing group', () => {
    const groups = '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)';
    expect(expand(groups, '$12', 'abcdefghijkl')).toBe('l');
    expect(expand('(a)(b)', '$12', 'ab')).toBe('a2');
  });

  it('rejects references to missing groups and malformed references', () => {
    const regex = compileJavaRegex('(a)');
    expect(() => new JavaReplacement('$2', regex)).toThrow(/group 2/);
    expect(() => new JavaReplacement('${nope}', regex)).toThrow(/group <nope>/);
    expect(() => new JavaReplacement('${1x', regex)).toThrow(/Illegal named group reference/);
    expect(() => new JavaReplacement('$x', regex)).toThrow(/Illegal group reference/);
    expect(() => new JavaReplacement('tail\\', regex)).toThrow(/backslash/);
  });
});
