import { DataError } from '@sluice/core';
import type { Lsn } from './lsn.js';
import { pgMicrosToUnixMicros } from './replication-messages.js';

/**
 * Messages of the `pgoutput` logical replication protocol, version 1 (PostgreSQL 10+), as documented
 * in "Logical Replication Message Formats". Timestamps are µs since the Unix epoch.
 */
export type PgOutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalDecodingMessage;

export interface BeginMessage {
  readonly tag: 'begin';
  /** LSN of the transaction's commit record (equal to the Commit message's `commitLsn`) */
  readonly finalLsn: Lsn;
  readonly commitTimeMicros: bigint;
  readonly xid: number;
}

export interface CommitMessage {
  readonly tag: 'commit';
  readonly flags: number;
  readonly commitLsn: Lsn;
  /** end of the commit record: confirming it as flushed skips this transaction on restart */
  readonly endLsn: Lsn;
  readonly commitTimeMicros: bigint;
}

export interface OriginMessage {
  readonly tag: 'origin';
  readonly originLsn: Lsn;
  readonly name: string;
}

/** `d` default (primary key), `n` nothing, `f` full, `i` index. */
export type ReplicaIdentity = 'd' | 'n' | 'f' | 'i';

export interface RelationColumn {
  /** true when the column is part of the replica identity (every column with `f`) */
  readonly isKey: boolean;
  readonly name: string;
  readonly typeOid: number;
  readonly typeModifier: number;
}

export interface RelationMessage {
  readonly tag: 'relation';
  readonly relationId: number;
  /** schema name; pgoutput sends `pg_catalog` as the empty string, decoded here back to `pg_catalog` */
  readonly schema: string;
  readonly name: string;
  readonly replicaIdentity: ReplicaIdentity;
  readonly columns: readonly RelationColumn[];
}

export interface TypeMessage {
  readonly tag: 'type';
  readonly typeOid: number;
  readonly schema: string;
  readonly name: string;
}

/**
 * One column of a tuple: `null`, `unchanged` (a TOASTed value not sent because it did not change),
 * `text` (the type's text output) or `binary` (only with the `binary` option, not used here).
 */
export type TupleValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary'; readonly bytes: Buffer };

export type Tuple = readonly TupleValue[];

export interface InsertMessage {
  readonly tag: 'insert';
  readonly relationId: number;
  readonly newTuple: Tuple;
}

/** `old` is present only when the replica identity changed (`K`, key columns) or is FULL (`O`). */
export interface UpdateMessage {
  readonly tag: 'update';
  readonly relationId: number;
  readonly oldKind: 'key' | 'old' | null;
  readonly oldTuple: Tuple | null;
  readonly newTuple: Tuple;
}

export interface DeleteMessage {
  readonly tag: 'delete';
  readonly relationId: number;
  readonly oldKind: 'key' | 'old';
  readonly oldTuple: Tuple;
}

export interface TruncateMessage {
  readonly tag: 'truncate';
  readonly cascade: boolean;
  readonly restartIdentity: boolean;
  readonly relationIds: readonly number[];
}

/** `pg_logical_emit_message` output (only with the `messages` option). */
export interface LogicalDecodingMessage {
  readonly tag: 'message';
  readonly transactional: boolean;
  readonly lsn: Lsn;
  readonly prefix: string;
  readonly content: Buffer;
}

/** Sequential reader over one message; every read checks bounds so a truncated buffer fails loudly. */
class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new DataError(
        `Truncated pgoutput message: needed ${n} byte(s) at offset ${this.pos} of ${this.buf.length}`,
      );
    }
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new DataError(`Unterminated string in pgoutput message at offset ${this.pos}`);
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    if (n < 0) throw new DataError(`Negative length ${n} in pgoutput message`);
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  rest(): Buffer {
    const b = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return b;
  }
}

function tuple(r: Reader): Tuple {
  const n = r.i16();
  const values: TupleValue[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = r.u8();
    switch (kind) {
      case 0x6e /* n */:
        values[i] = { kind: 'null' };
        break;
      case 0x75 /* u */:
        values[i] = { kind: 'unchanged' };
        break;
      case 0x74 /* t */:
        values[i] = { kind: 'text', text: r.bytes(r.i32()).toString('utf8') };
        break;
      case 0x62 /* b */:
        values[i] = { kind: 'binary', bytes: Buffer.from(r.bytes(r.i32())) };
        break;
      default:
        throw new DataError(`Unknown tuple column kind 0x${kind.toString(16)} in pgoutput message`);
    }
  }
  return values;
}

function expectTag(r: Reader, allowed: string, what: string): string {
  const t = String.fromCharCode(r.u8());
  if (!allowed.includes(t)) throw new DataError(`Unexpected sub-message '${t}' in a pgoutput ${what} message`);
  return t;
}

/**
 * Decodes one pgoutput message (the payload of an XLogData). Pure: the result does not share memory
 * with `data` (the driver reuses its read buffer, so nothing may keep a view into it).
 * @throws DataError on an unknown message type or a malformed message (stream-only message types of
 *   protocol versions 2+ are not requested and therefore rejected).
 */
export function decodePgOutput(data: Buffer): PgOutputMessage {
  const r = new Reader(data);
  const tag = String.fromCharCode(r.u8());
  switch (tag) {
    case 'B':
      return { tag: 'begin', finalLsn: r.u64(), commitTimeMicros: pgMicrosToUnixMicros(r.i64()), xid: r.u32() };
    case 'C':
      return {
        tag: 'commit',
        flags: r.u8(),
        commitLsn: r.u64(),
        endLsn: r.u64(),
        commitTimeMicros: pgMicrosToUnixMicros(r.i64()),
      };
    case 'O':
      return { tag: 'origin', originLsn: r.u64(), name: r.cstring() };
    case 'R': {
      const relationId = r.u32();
      const ns = r.cstring();
      const name = r.cstring();
      const identity = String.fromCharCode(r.u8());
      if (!'dnfi'.includes(identity))
        throw new DataError(`Unknown replica identity '${identity}' in a pgoutput Relation message`);
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        columns.push({ isKey: (flags & 1) === 1, name: r.cstring(), typeOid: r.u32(), typeModifier: r.i32() });
      }
      return {
        tag: 'relation',
        relationId,
        schema: ns === '' ? 'pg_catalog' : ns,
        name,
        replicaIdentity: identity as ReplicaIdentity,
        columns,
      };
    }
    case 'Y': {
      const typeOid = r.u32();
      const ns = r.cstring();
      return { tag: 'type', typeOid, schema: ns === '' ? 'pg_catalog' : ns, name: r.cstring() };
    }
    case 'I': {
      const relationId = r.u32();
      expectTag(r, 'N', 'Insert');
      return { tag: 'insert', relationId, newTuple: tuple(r) };
    }
    case 'U': {
      const relationId = r.u32();
      const t = expectTag(r, 'KON', 'Update');
      if (t === 'N') return { tag: 'update', relationId, oldKind: null, oldTuple: null, newTuple: tuple(r) };
      const oldTuple = tuple(r);
      expectTag(r, 'N', 'Update');
      return { tag: 'update', relationId, oldKind: t === 'K' ? 'key' : 'old', oldTuple, newTuple: tuple(r) };
    }
    case 'D': {
      const relationId = r.u32();
      const t = expectTag(r, 'KO', 'Delete');
      return { tag: 'delete', relationId, oldKind: t === 'K' ? 'key' : 'old', oldTuple: tuple(r) };
    }
    case 'T': {
      const n = r.u32();
      const options = r.u8();
      const relationIds: number[] = [];
      for (let i = 0; i < n; i++) relationIds.push(r.u32());
      return { tag: 'truncate', cascade: (options & 1) === 1, restartIdentity: (options & 2) === 2, relationIds };
    }
    case 'M': {
      const flags = r.u8();
      const lsn = r.u64();
      const prefix = r.cstring();
      const content = Buffer.from(r.bytes(r.i32()));
      return { tag: 'message', transactional: (flags & 1) === 1, lsn, prefix, content };
    }
    default:
      throw new DataError(`Unknown pgoutput message type '${tag}' (0x${(data[0] ?? 0).toString(16)})`);
  }
}
