import { describe, expect, it } from 'vitest';
import { parseProperties } from './worker-config.js';

describe('parseProperties (java.util.Properties format)', () => {
  it('reads =, : and blank separators, comments and blank lines', () => {
    expect(parseProperties('# c\n! c\n\na=1\nb : 2\nc 3\n  d=  spaced value  \ne=\nf\n')).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: 'spaced value',
      e: '',
      f: '',
    });
  });

  it('continues lines ending in an odd number of backslashes, dropping the next line’s indent', () => {
    expect(parseProperties('list=a,\\\n    b,\\\n    c\nnext=1\n')).toEqual({ list: 'a,b,c', next: '1' });
    // an even number is an escaped backslash, not a continuation
    expect(parseProperties('path=C:\\\\dir\\\\\nnext=1\n')).toEqual({ path: 'C:\\dir\\', next: '1' });
  });

  it('unescapes as Java does', () => {
    expect(
      parseProperties('regex=public\\\\.orders\nplain=public\\.orders\ntab=a\\tb\nnl=a\\nb\nu=\\u00e9t\\u00E9\n'),
    ).toEqual({
      regex: 'public\\.orders',
      plain: 'public.orders',
      tab: 'a\tb',
      nl: 'a\nb',
      u: 'été',
    });
    expect(parseProperties('key\\=with\\:seps=v\nspace\\ key=w\n')).toEqual({ 'key=with:seps': 'v', 'space key': 'w' });
    expect(parseProperties('trailing=x\\ \n')).toEqual({ trailing: 'x ' });
  });

  it('reads CRLF files and keeps = inside values', () => {
    expect(parseProperties('a=b=c\r\nsasl.jaas.config=Module required username="u" password="p=1";\r\n')).toEqual({
      a: 'b=c',
      'sasl.jaas.config': 'Module required username="u" password="p=1";',
    });
  });
});
