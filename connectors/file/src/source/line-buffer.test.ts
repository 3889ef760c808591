import { describe, expect, it } from 'vitest';
import { LineBuffer } from './line-buffer.js';

function drain(buf: LineBuffer): [string, number][] {
  const out: [string, number][] = [];
  for (let line = buf.next(); line !== null; line = buf.next()) out.push([line.text, line.end]);
  return out;
}

describe('LineBuffer', () => {
  it('splits on LF and CRLF and reports the byte position after each terminator', () => {
    const buf = new LineBuffer(100);
    buf.append(Buffer.from('a\r\nbb\n\nccc\r\n'));
    expect(drain(buf)).toEqual([
      ['a', 103],
      ['bb', 106],
      ['', 107],
      ['ccc', 112],
    ]);
    expect(buf.position).toBe(112);
  });

  it('holds a partial line until a later chunk completes it', () => {
    const buf = new LineBuffer();
    buf.append(Buffer.from('first\nsec'));
    expect(drain(buf)).toEqual([['first', 6]]);
    expect(buf.pendingBytes).toBe(3);
    buf.append(Buffer.from('ond'));
    expect(buf.next()).toBeNull();
    buf.append(Buffer.from('\r'));
    expect(buf.next()).toBeNull();
    buf.append(Buffer.from('\n'));
    expect(drain(buf)).toEqual([['second', 14]]);
  });

  it('decodes multi-byte UTF-8 characters split across chunks', () => {
    const bytes = Buffer.from('zß€😀\n', 'utf8');
    const buf = new LineBuffer();
    for (const byte of bytes) buf.append(Uint8Array.of(byte));
    expect(drain(buf)).toEqual([['zß€😀', bytes.length]]);
  });

  it('returns the final partial line on takeRemainder, without a dangling CR', () => {
    const buf = new LineBuffer();
    buf.append(Buffer.from('done\nlast\r'));
    expect(drain(buf)).toEqual([['done', 5]]);
    expect(buf.takeRemainder()).toEqual({ text: 'last', end: 10 });
    expect(buf.takeRemainder()).toBeNull();
  });

  it('forgets held bytes on reset', () => {
    const buf = new LineBuffer();
    buf.append(Buffer.from('stale partial'));
    buf.reset(0);
    buf.append(Buffer.from('fresh\n'));
    expect(drain(buf)).toEqual([['fresh', 6]]);
  });
});
