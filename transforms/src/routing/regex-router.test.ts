import { ConfigValidationError, sourceRecord } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { RegexRouter } from './regex-router.js';

const route = (regex: string, replacement: string, topic: string): string | undefined => {
  const t = new RegexRouter();
  t.configure({ regex, replacement });
  return t.apply(sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic }))?.topic;
};

describe('RegexRouter', () => {
  it('replaces a matching topic with a static name', () => {
    expect(route('foo', 'bar', 'foo')).toBe('bar');
  });

  it('leaves a topic that does not match entirely unchanged', () => {
    expect(route('foo', 'bar', 'orig')).toBe('orig');
    expect(route('foo', 'bar', 'foofoo')).toBe('foofoo');
  });

  it('expands group references like Java', () => {
    expect(route('(.*)', '$1', 'orig')).toBe('orig');
    expect(route('(.*)', 'prefix-$1', 'orig')).toBe('prefix-orig');
    expect(route('(.*)', '$1-suffix', 'orig')).toBe('orig-suffix');
    expect(route('(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)', '$1', 'index-20160117')).toBe('index');
    expect(route('(?<name>[a-z]+)\\.(?<rest>.*)', '${rest}_${name}', 'db.table')).toBe('table_db');
    expect(route('(.*)', '\\$$1', 'cost')).toBe('$cost');
    // $12 means group 1 then "2" when there is no group 12.
    expect(route('(a)(b)', '$12', 'ab')).toBe('a2');
  });

  it('understands Java-only regex syntax', () => {
    expect(route('\\Qmy.topic\\E', 'x', 'my.topic')).toBe('x');
    expect(route('\\Qmy.topic\\E', 'x', 'myXtopic')).toBe('myXtopic');
    expect(route('(?i)ORDERS-(\\p{Digit}+)', 'orders_$1', 'orders-12')).toBe('orders_12');
  });

  it('rejects invalid or unsupported regexes and bad replacements at configure time', () => {
    const configure = (regex: string, replacement: string) => new RegexRouter().configure({ regex, replacement });
    expect(() => configure('(', 'x')).toThrow(ConfigValidationError);
    expect(() => configure('a++', 'x')).toThrow(/Possessive quantifiers/);
    expect(() => configure('(a)', '$2')).toThrow(/replacement.*group 2/);
    expect(() => configure('(a)', 'cost$')).toThrow(/Illegal group reference/);
    expect(() => configure('(a)', 'x\\')).toThrow(/backslash/);
    expect(() => new RegexRouter().configure({ regex: 'a' })).toThrow(/Missing required configuration "replacement"/);
  });
});
