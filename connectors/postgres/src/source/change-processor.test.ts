import { describe, expect, it } from 'vitest';
import { isStruct, noopLogger, type SourceRecord, type Struct } from '@sluice/core';
import type { StreamItem } from '../replication/replication-stream.js';
import type { PgOutputMessage, RelationMessage, Tuple } from '../replication/pgoutput-decoder.js';
import { baseType, type ColumnDefinition } from '../types/pg-type.js';
import type { CatalogReader, TableInfo } from './catalog.js';
import { ChangeProcessor, type PositionedRecord } from './change-processor.js';
import { parseSourceConfig } from './postgres-source-config.js';
import type { StreamPosition } from './source-position.js';

const TYPES: Record<number, string> = { 23: 'int4', 25: 'text' };

// A catalog stub: the processor only asks for table facts and column types.
function fakeCatalog(tables: Record<number, Omit<TableInfo, 'oid'>>): CatalogReader {
  return {
    async table(oid: number) {
      const t = tables[oid];
      return t === undefined ? null : { oid, ...t };
    },
    async column(name: string, typeOid: number, typeModifier: number, optional: boolean): Promise<ColumnDefinition> {
      return { name, type: baseType(TYPES[typeOid] ?? 'text', typeOid), typeModifier, optional };
    },
  } as unknown as CatalogReader;
}

const ORDERS: Omit<TableInfo, 'oid'> = {
  schema: 'public',
  table: 'orders',
  replicaIdentity: 'd',
  columns: [
    { name: 'id', type: baseType('int4', 23), typeModifier: -1, optional: false },
    { name: 'note', type: baseType('text', 25), typeModifier: -1, optional: false },
  ],
  keyColumns: ['id'],
  hasPrimaryKey: true,
};

const relation = (
  relationId: number,
  name: string,
  identity: RelationMessage['replicaIdentity'] = 'd',
): PgOutputMessage => ({
  tag: 'relation',
  relationId,
  schema: 'public',
  name,
  replicaIdentity: identity,
  columns: [
    { isKey: true, name: 'id', typeOid: 23, typeModifier: -1 },
    { isKey: false, name: 'note', typeOid: 25, typeModifier: -1 },
  ],
});
const tuple = (id: number | null, note: string | null | 'u' = null): Tuple => [
  id === null ? { kind: 'null' } : { kind: 'text', text: String(id) },
  note === 'u' ? { kind: 'unchanged' } : note === null ? { kind: 'null' } : { kind: 'text', text: note },
];
const begin = (commitLsn: bigint, xid = 7): PgOutputMessage => ({
  tag: 'begin',
  finalLsn: commitLsn,
  commitTimeMicros: 1_700_000_000_000_000n,
  xid,
});
const commit = (commitLsn: bigint, endLsn = commitLsn + 0x30n): PgOutputMessage => ({
  tag: 'commit',
  flags: 0,
  commitLsn,
  endLsn,
  commitTimeMicros: 1_700_000_000_000_000n,
});
const insert = (id: number, note = 'n', relationId = 1): PgOutputMessage => ({
  tag: 'insert',
  relationId,
  newTuple: tuple(id, note),
});
const msg = (message: PgOutputMessage, lsn = 0x100n): StreamItem => ({ kind: 'message', lsn, message });

const START: StreamPosition = { commitLsn: 0x10n, eventIndex: -1 };

function processor(
  extra: Record<string, string> = {},
  resumeFrom: StreamPosition = START,
  tables: Record<number, Omit<TableInfo, 'oid'>> = { 1: ORDERS },
) {
  const settings = parseSourceConfig({
    'database.hostname': 'h',
    'database.user': 'u',
    'database.dbname': 'shop',
    'topic.prefix': 'srv',
    ...extra,
  });
  return new ChangeProcessor(settings, fakeCatalog(tables), { server: 'srv' }, resumeFrom, noopLogger);
}

async function run(p: ChangeProcessor, items: StreamItem[]): Promise<PositionedRecord[]> {
  const out: PositionedRecord[] = [];
  for (const item of items) out.push(...(await p.process(item)));
  return out;
}

const value = (r: SourceRecord) => r.value as Struct;
const describeRecord = (r: SourceRecord): string => {
  if (r.value === null) return `tombstone:${JSON.stringify(isStruct(r.key) ? r.key.toJSON() : r.key)}`;
  const v = value(r);
  if (v.schema.field('op') === undefined) return String(v.get('status') ?? r.topic);
  const row = (v.get('after') ?? v.get('before')) as Struct | null;
  return `${String(v.get('op'))}:${String(row?.get('id') ?? '-')}`;
};

describe('ChangeProcessor', () => {
  it('turns a transaction into create, update, delete and tombstone records with increasing positions', async () => {
    const p = processor();
    const out = await run(p, [
      msg(relation(1, 'orders')),
      msg(begin(0x200n)),
      msg(insert(1), 0x150n),
      msg({ tag: 'update', relationId: 1, oldKind: null, oldTuple: null, newTuple: tuple(1, 'm') }, 0x160n),
      msg({ tag: 'delete', relationId: 1, oldKind: 'key', oldTuple: tuple(1) }, 0x170n),
      msg(commit(0x200n)),
    ]);
    expect(out.map((o) => describeRecord(o.record))).toEqual(['c:1', 'u:1', 'd:1', 'tombstone:{"id":1}']);
    expect(out.map((o) => o.position.eventIndex)).toEqual([4, 8, 12, 13]);
    expect(out.every((o) => o.position.commitLsn === 0x200n)).toBe(true);
    const del = value(out[2]!.record);
    // key-only old tuple: the required non-key column gets its zero value
    expect((del.get('before') as Struct).toJSON()).toEqual({ id: 1, note: '' });
    expect(out[0]!.record.sourceOffset).toMatchObject({ lsn: 0x150, lsn_commit: 0x200, event_index: 4, txId: 7 });
    expect((value(out[0]!.record).get('source') as Struct).toJSON()).toMatchObject({
      lsn: 0x150,
      txId: 7,
      snapshot: 'false',
      ts_ms: 1_700_000_000_000,
      sequence: '[null,"336"]',
    });
    expect(p.position).toEqual({ commitLsn: 0x230n, eventIndex: -1 });
  });

  it('skips what the stored position says was delivered, resuming in the middle of a transaction', async () => {
    const items = [
      msg(relation(1, 'orders')),
      msg(begin(0x100n)),
      msg(insert(1)),
      msg(commit(0x100n)),
      msg(begin(0x200n)),
      msg(insert(2)),
      msg(insert(3)),
      msg(insert(4)),
      msg(commit(0x200n)),
    ];
    const all = await run(processor(), items);
    expect(all.map((o) => describeRecord(o.record))).toEqual(['c:1', 'c:2', 'c:3', 'c:4']);
    const resumed = await run(processor({}, all[2]!.position), items);
    expect(resumed.map((o) => describeRecord(o.record))).toEqual(['c:4']);
  });

  it('counts events of uncaptured tables so positions stay stable when filters differ', async () => {
    const tables = { 1: ORDERS, 2: { ...ORDERS, table: 'other' } };
    const p = processor({ 'table.include.list': 'public\\.orders' }, START, tables);
    const out = await run(p, [
      msg(relation(1, 'orders')),
      msg(relation(2, 'other')),
      msg(begin(0x100n)),
      msg(insert(1, 'n', 2)),
      msg(insert(2, 'n', 1)),
      msg(commit(0x100n)),
    ]);
    expect(out.map((o) => [describeRecord(o.record), o.position.eventIndex])).toEqual([['c:2', 8]]);
  });

  it('splits a primary key change into a delete with tombstone for the old key and a create for the new one', async () => {
    const out = await run(processor(), [
      msg(relation(1, 'orders')),
      msg(begin(0x100n)),
      msg({ tag: 'update', relationId: 1, oldKind: 'key', oldTuple: tuple(1), newTuple: tuple(2, 'x') }),
      msg(commit(0x100n)),
    ]);
    expect(out.map((o) => describeRecord(o.record))).toEqual(['d:1', 'tombstone:{"id":1}', 'c:2']);
    expect(out.map((o) => o.position.eventIndex)).toEqual([4, 5, 6]);
  });

  it('frames transactions with BEGIN and END metadata records that resume correctly', async () => {
    const items = [
      msg(relation(1, 'orders')),
      msg(begin(0x100n, 9)),
      msg(insert(1)),
      msg(insert(2)),
      msg(commit(0x100n)),
    ];
    const out = await run(processor({ 'provide.transaction.metadata': 'true' }), items);
    expect(out.map((o) => describeRecord(o.record))).toEqual(['BEGIN', 'c:1', 'c:2', 'END']);
    expect(out.map((o) => o.position.eventIndex)).toEqual([0, 4, 8, 12]);
    expect((value(out[2]!.record).get('transaction') as Struct).toJSON()).toEqual({
      id: '9:256',
      total_order: 2,
      data_collection_order: 2,
    });
    expect(value(out[3]!.record).get('event_count')).toBe(2);
    const resumed = await run(processor({ 'provide.transaction.metadata': 'true' }, out[1]!.position), items);
    expect(resumed.map((o) => describeRecord(o.record))).toEqual(['c:2', 'END']);
  });

  it('skips configured operations and renders unchanged TOAST columns with the placeholder', async () => {
    const out = await run(processor({ 'skipped.operations': 'c', 'tombstones.on.delete': 'false' }), [
      msg(relation(1, 'orders')),
      msg(begin(0x100n)),
      msg(insert(1)),
      msg({ tag: 'update', relationId: 1, oldKind: null, oldTuple: null, newTuple: tuple(1, 'u') }),
      msg({ tag: 'delete', relationId: 1, oldKind: 'key', oldTuple: tuple(1) }),
      msg(commit(0x100n)),
    ]);
    expect(out.map((o) => describeRecord(o.record))).toEqual(['u:1', 'd:1']);
    expect((value(out[0]!.record).get('after') as Struct).get('note')).toBe('__debezium_unavailable_value');
  });

  it('advances its position between transactions only, also on keepalives, and puts it in heartbeats', async () => {
    const p = processor();
    await run(p, [msg(relation(1, 'orders')), msg(begin(0x100n)), msg(insert(1))]);
    await p.process({ kind: 'keepalive', walEnd: 0x900n });
    expect(p.inTransaction).toBe(true);
    expect(p.position).toEqual(START);
    await p.process(msg(commit(0x100n, 0x140n)));
    expect(p.position).toEqual({ commitLsn: 0x140n, eventIndex: -1 });
    await p.process({ kind: 'keepalive', walEnd: 0x900n });
    expect(p.position).toEqual({ commitLsn: 0x900n, eventIndex: -1 });
    await p.process({ kind: 'keepalive', walEnd: 0x500n });
    const hb = p.heartbeat(1_000);
    expect(hb.position).toEqual({ commitLsn: 0x900n, eventIndex: -1 });
    expect(hb.record.topic).toBe('__debezium-heartbeat.srv');
    expect(hb.record.sourceOffset).toMatchObject({ lsn_commit: 0x900, event_index: -1 });
    expect((hb.record.key as Struct).toJSON()).toEqual({ serverName: 'srv' });
  });

  it('fails loudly on a row change outside a transaction or for an unknown relation', async () => {
    await expect(run(processor(), [msg(relation(1, 'orders')), msg(insert(1))])).rejects.toThrow(
      /outside a transaction/,
    );
    await expect(run(processor(), [msg(begin(0x100n)), msg(insert(1, 'n', 42))])).rejects.toThrow(
      /before its Relation message/,
    );
  });
});
