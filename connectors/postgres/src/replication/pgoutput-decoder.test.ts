import { describe, expect, it } from 'vitest';
import { decodePgOutput } from './pgoutput-decoder.js';
import { PG_EPOCH_OFFSET_MICROS } from './replication-messages.js';

/** Builds protocol messages byte by byte, as the server writes them (big-endian). */
class Bytes {
  private readonly parts: Buffer[] = [];
  char(c: string): this {
    this.parts.push(Buffer.from(c, 'latin1'));
    return this;
  }
  u8(n: number): this {
    this.parts.push(Buffer.from([n]));
    return this;
  }
  i16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  i32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  u32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.parts.push(b);
    return this;
  }
  i64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  str(s: string): this {
    this.parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }
  text(s: string): this {
    const body = Buffer.from(s, 'utf8');
    return this.char('t').i32(body.length).raw(body);
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

// 2024-01-01T00:00:00Z in µs since 2000-01-01
const PG_TS = 1_704_067_200_000_000n - PG_EPOCH_OFFSET_MICROS;

describe('decodePgOutput', () => {
  it('decodes Begin with the commit LSN, the commit time in Unix µs and the xid', () => {
    const msg = decodePgOutput(new Bytes().char('B').i64(0x16b3748n).i64(PG_TS).u32(3_000_000_000).build());
    expect(msg).toEqual({
      tag: 'begin',
      finalLsn: 0x16b3748n,
      commitTimeMicros: 1_704_067_200_000_000n,
      xid: 3_000_000_000,
    });
  });

  it('decodes Commit with its commit and end LSNs', () => {
    const msg = decodePgOutput(new Bytes().char('C').u8(0).i64(0x100n).i64(0x180n).i64(PG_TS).build());
    expect(msg).toEqual({
      tag: 'commit',
      flags: 0,
      commitLsn: 0x100n,
      endLsn: 0x180n,
      commitTimeMicros: 1_704_067_200_000_000n,
    });
  });

  it('decodes a Relation with replica identity and key flags, mapping the empty namespace to pg_catalog', () => {
    const buf = new Bytes()
      .char('R')
      .u32(16_384)
      .str('public')
      .str('orders')
      .char('f')
      .i16(2)
      .u8(1)
      .str('id')
      .u32(23)
      .i32(-1)
      .u8(0)
      .str('price')
      .u32(1700)
      .i32(((10 << 16) | 2) + 4)
      .build();
    expect(decodePgOutput(buf)).toEqual({
      tag: 'relation',
      relationId: 16_384,
      schema: 'public',
      name: 'orders',
      replicaIdentity: 'f',
      columns: [
        { isKey: true, name: 'id', typeOid: 23, typeModifier: -1 },
        { isKey: false, name: 'price', typeOid: 1700, typeModifier: 655_366 },
      ],
    });
    const catalog = decodePgOutput(new Bytes().char('R').u32(1).str('').str('pg_class').char('n').i16(0).build());
    expect(catalog).toMatchObject({ schema: 'pg_catalog', replicaIdentity: 'n', columns: [] });
  });

  it('decodes Insert tuples with text, null and unchanged-TOAST columns', () => {
    const buf = new Bytes().char('I').u32(7).char('N').i16(3).text('42').char('n').char('u').build();
    expect(decodePgOutput(buf)).toEqual({
      tag: 'insert',
      relationId: 7,
      newTuple: [{ kind: 'text', text: '42' }, { kind: 'null' }, { kind: 'unchanged' }],
    });
  });

  it('decodes multi-byte UTF-8 text by byte length', () => {
    const buf = new Bytes().char('I').u32(7).char('N').i16(1).text('héllo ✓').build();
    expect(decodePgOutput(buf)).toMatchObject({ newTuple: [{ kind: 'text', text: 'héllo ✓' }] });
  });

  it('decodes Update without an old tuple, with a key tuple and with a full old tuple', () => {
    const plain = decodePgOutput(new Bytes().char('U').u32(7).char('N').i16(1).text('1').build());
    expect(plain).toEqual({
      tag: 'update',
      relationId: 7,
      oldKind: null,
      oldTuple: null,
      newTuple: [{ kind: 'text', text: '1' }],
    });
    const keyed = decodePgOutput(
      new Bytes().char('U').u32(7).char('K').i16(1).text('1').char('N').i16(1).text('2').build(),
    );
    expect(keyed).toMatchObject({
      oldKind: 'key',
      oldTuple: [{ kind: 'text', text: '1' }],
      newTuple: [{ kind: 'text', text: '2' }],
    });
    const full = decodePgOutput(
      new Bytes().char('U').u32(7).char('O').i16(1).char('n').char('N').i16(1).text('2').build(),
    );
    expect(full).toMatchObject({ oldKind: 'old', oldTuple: [{ kind: 'null' }] });
  });

  it('decodes Delete with a key or full old tuple', () => {
    expect(decodePgOutput(new Bytes().char('D').u32(9).char('K').i16(1).text('5').build())).toEqual({
      tag: 'delete',
      relationId: 9,
      oldKind: 'key',
      oldTuple: [{ kind: 'text', text: '5' }],
    });
    expect(decodePgOutput(new Bytes().char('D').u32(9).char('O').i16(1).text('5').build())).toMatchObject({
      oldKind: 'old',
    });
  });

  it('decodes Truncate with its options and relations', () => {
    const msg = decodePgOutput(new Bytes().char('T').u32(2).u8(3).u32(10).u32(11).build());
    expect(msg).toEqual({ tag: 'truncate', cascade: true, restartIdentity: true, relationIds: [10, 11] });
  });

  it('decodes Type, Origin and logical decoding Messages', () => {
    expect(decodePgOutput(new Bytes().char('Y').u32(99_999).str('public').str('mood').build())).toEqual({
      tag: 'type',
      typeOid: 99_999,
      schema: 'public',
      name: 'mood',
    });
    expect(decodePgOutput(new Bytes().char('O').i64(0x42n).str('node_a').build())).toEqual({
      tag: 'origin',
      originLsn: 0x42n,
      name: 'node_a',
    });
    const m = decodePgOutput(new Bytes().char('M').u8(1).i64(0x50n).str('pfx').i32(3).raw(Buffer.from('abc')).build());
    expect(m).toEqual({ tag: 'message', transactional: true, lsn: 0x50n, prefix: 'pfx', content: Buffer.from('abc') });
  });

  it('does not keep views into the input buffer, which the driver reuses', () => {
    const buf = new Bytes().char('M').u8(0).i64(1n).str('p').i32(2).raw(Buffer.from('hi')).build();
    const m = decodePgOutput(buf);
    buf.fill(0);
    expect(m).toMatchObject({ content: Buffer.from('hi') });
  });

  it('rejects truncated messages, unknown message types and unknown tuple kinds', () => {
    expect(() => decodePgOutput(new Bytes().char('B').i64(1n).build())).toThrow(/Truncated pgoutput message/);
    expect(() =>
      decodePgOutput(new Bytes().char('I').u32(1).char('N').i16(1).char('t').i32(10).raw(Buffer.from('ab')).build()),
    ).toThrow(/Truncated/);
    expect(() => decodePgOutput(new Bytes().char('Z').build())).toThrow(/Unknown pgoutput message type 'Z'/);
    expect(() => decodePgOutput(new Bytes().char('I').u32(1).char('N').i16(1).char('x').build())).toThrow(
      /Unknown tuple column kind/,
    );
    expect(() => decodePgOutput(new Bytes().char('I').u32(1).char('K').build())).toThrow(/Unexpected sub-message 'K'/);
    expect(() => decodePgOutput(new Bytes().char('R').u32(1).str('s').build())).toThrow(
      /Unterminated string|Truncated/,
    );
  });
});
