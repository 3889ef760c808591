import type { SinkRecord } from '@sluice/core';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { quoteIdent } from '../connection/pg-connection.js';
import type { InsertMode } from './postgres-sink-config.js';
import { UNAVAILABLE, type SinkColumn, type SinkOperation, type TableRef } from './sink-operation.js';
import { qualifiedName, type TableManager } from './table-manager.js';

type Upsert = Extract<SinkOperation, { kind: 'upsert' }>;
type Delete = Extract<SinkOperation, { kind: 'delete' }>;
type Truncate = Extract<SinkOperation, { kind: 'truncate' }>;

/** A row to write after reduction, with every record that contributed to it. */
interface PendingRow {
  readonly table: TableRef;
  columns: SinkColumn[];
  values: unknown[];
  readonly keyColumns: readonly string[];
  readonly records: SinkRecord[];
}

interface PendingDelete {
  readonly table: TableRef;
  readonly keyColumns: readonly SinkColumn[];
  readonly keyValues: readonly unknown[];
}

/** PostgreSQL's limit on bind parameters per statement. */
const MAX_PARAMETERS = 65_535;

function tableKey(t: TableRef): string {
  return `${t.schema ?? ''}\u0000${t.name}`;
}

function rowKey(table: TableRef, values: readonly unknown[]): string {
  return `${tableKey(table)}\u0001${JSON.stringify(values, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? v.toString() : v))}`;
}

function keyValuesOf(op: Upsert): unknown[] {
  return op.keyColumns.map((k) => op.values[op.columns.findIndex((c) => c.name === k)]);
}

/**
 * Writes a batch of operations inside the caller's transaction. Keyed operations are reduced to the
 * last state per key (a later partial row — unchanged TOAST columns — is merged into an earlier one;
 * a delete followed by a write deletes first), which keeps multi-row `ON CONFLICT` statements valid
 * and makes the result equal to applying the records one by one. Truncates split the batch so that
 * what comes before and after them keeps its order. Rows go out as multi-row statements of at most
 * `batchSize` rows.
 */
export class BatchWriter {
  constructor(
    private readonly tables: TableManager,
    private readonly insertMode: InsertMode,
    private readonly batchSize: number,
  ) {}

  async write(client: pg.ClientBase, ops: readonly SinkOperation[]): Promise<void> {
    let segment: (Upsert | Delete)[] = [];
    for (const op of ops) {
      if (op.kind === 'skip') continue;
      if (op.kind === 'truncate') {
        await this.writeSegment(client, segment);
        segment = [];
        await this.truncate(client, op);
        continue;
      }
      segment.push(op);
    }
    await this.writeSegment(client, segment);
  }

  private async truncate(client: pg.ClientBase, op: Truncate): Promise<void> {
    if (await this.tables.exists(client, op.table)) await client.query(`TRUNCATE TABLE ${qualifiedName(op.table)}`);
  }

  private async writeSegment(client: pg.ClientBase, ops: readonly (Upsert | Delete)[]): Promise<void> {
    if (ops.length === 0) return;
    const rows = new Map<string, PendingRow>();
    const deletes = new Map<string, PendingDelete>();
    const unkeyed: PendingRow[] = [];
    for (const op of ops) {
      if (op.kind === 'delete') {
        const key = rowKey(op.table, op.keyValues);
        rows.delete(key);
        deletes.set(key, { table: op.table, keyColumns: op.keyColumns, keyValues: op.keyValues });
        continue;
      }
      if (op.keyColumns.length === 0) {
        unkeyed.push({
          table: op.table,
          columns: [...op.columns],
          values: [...op.values],
          keyColumns: [],
          records: [op.record],
        });
        continue;
      }
      const key = rowKey(op.table, keyValuesOf(op));
      const previous = rows.get(key);
      if (previous === undefined) {
        rows.set(key, {
          table: op.table,
          columns: [...op.columns],
          values: [...op.values],
          keyColumns: op.keyColumns,
          records: [op.record],
        });
      } else {
        mergeInto(previous, op);
      }
    }
    for (const d of groupDeletes(deletes.values())) await this.deleteRows(client, d);
    for (const group of groupRows([...rows.values(), ...unkeyed])) {
      await this.tables.ensure(client, group.table, group.columns, group.keyColumns);
      // A row with unavailable (unchanged TOAST) columns comes from an update of an existing row: an
      // INSERT of it would fail NOT NULL checks, so only the columns it has are updated.
      if (this.insertMode === 'update' || (group.partial && group.keyColumns.length > 0)) {
        for (const values of group.rows) await this.update(client, group, values);
      } else {
        const perStatement = Math.max(1, Math.min(this.batchSize, Math.floor(MAX_PARAMETERS / group.columns.length)));
        for (let i = 0; i < group.rows.length; i += perStatement)
          await this.insert(client, group, group.rows.slice(i, i + perStatement));
      }
    }
  }

  private async insert(client: pg.ClientBase, group: RowGroup, rows: readonly unknown[][]): Promise<void> {
    const cols = group.columns.map((c) => quoteIdent(c.name)).join(', ');
    // Plain inserts of several rows take the COPY fast path: same values, same text conversion as
    // bind parameters, one round trip and no statement to parse.
    if (this.insertMode === 'insert' && rows.length > 1) {
      const stream = client.query(copyStreams.from(`COPY ${qualifiedName(group.table)} (${cols}) FROM STDIN`));
      await new Promise<void>((resolve, reject) => {
        stream.on('finish', resolve);
        stream.on('error', reject);
        stream.end(rows.map((values) => values.map(copyText).join('\t')).join('\n') + '\n');
      });
      return;
    }
    const params: unknown[] = [];
    const tuples = rows.map((values) => `(${values.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
    let sql = `INSERT INTO ${qualifiedName(group.table)} (${cols}) VALUES ${tuples.join(', ')}`;
    if (this.insertMode === 'upsert' && group.keyColumns.length > 0) {
      const keys = new Set(group.keyColumns);
      const updates = group.columns
        .filter((c) => !keys.has(c.name))
        .map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`);
      sql += ` ON CONFLICT (${group.keyColumns.map(quoteIdent).join(', ')}) ${updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`}`;
    }
    await client.query(sql, params);
  }

  private async update(client: pg.ClientBase, group: RowGroup, values: readonly unknown[]): Promise<void> {
    const keys = new Set(group.keyColumns);
    const params: unknown[] = [];
    const set: string[] = [];
    const where: string[] = [];
    group.columns.forEach((c, i) => {
      params.push(values[i]);
      (keys.has(c.name) ? where : set).push(`${quoteIdent(c.name)} = $${params.length}`);
    });
    if (set.length === 0) return;
    await client.query(
      `UPDATE ${qualifiedName(group.table)} SET ${set.join(', ')} WHERE ${where.join(' AND ')}`,
      params,
    );
  }

  private async deleteRows(client: pg.ClientBase, group: DeleteGroup): Promise<void> {
    if (!(await this.tables.exists(client, group.table))) return;
    const cols = group.keyColumns.map((c) => quoteIdent(c.name)).join(', ');
    const perStatement = Math.max(1, Math.min(this.batchSize, Math.floor(MAX_PARAMETERS / group.keyColumns.length)));
    for (let i = 0; i < group.keys.length; i += perStatement) {
      const params: unknown[] = [];
      const tuples = group.keys
        .slice(i, i + perStatement)
        .map((k) => `(${k.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
      await client.query(`DELETE FROM ${qualifiedName(group.table)} WHERE (${cols}) IN (${tuples.join(', ')})`, params);
    }
  }
}

// A later write of the same key wins column by column; columns it did not send (UNAVAILABLE) keep
// the earlier value, and columns only the earlier write had are kept.
function mergeInto(previous: PendingRow, op: Upsert): void {
  op.columns.forEach((c, i) => {
    const v = op.values[i];
    const at = previous.columns.findIndex((p) => p.name === c.name);
    if (at < 0) {
      previous.columns.push(c);
      previous.values.push(v);
    } else if (v !== UNAVAILABLE) {
      previous.columns[at] = c;
      previous.values[at] = v;
    }
  });
  previous.records.push(op.record);
}

interface RowGroup {
  readonly table: TableRef;
  /** some columns of these rows were left out as unavailable */
  readonly partial: boolean;
  readonly columns: readonly SinkColumn[];
  readonly keyColumns: readonly string[];
  readonly rows: unknown[][];
}

// Rows of one table with the same available columns share a statement.
function groupRows(rows: readonly PendingRow[]): RowGroup[] {
  const groups = new Map<string, RowGroup>();
  for (const row of rows) {
    const present = row.columns.map((c, i) => ({ c, v: row.values[i] })).filter((x) => x.v !== UNAVAILABLE);
    const partial = present.length < row.columns.length;
    const id = `${tableKey(row.table)}\u0001${partial ? 'p' : 'f'}\u0001${present.map((x) => x.c.name).join('\u0002')}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { table: row.table, partial, columns: present.map((x) => x.c), keyColumns: row.keyColumns, rows: [] };
      groups.set(id, group);
    }
    group.rows.push(present.map((x) => x.v));
  }
  return [...groups.values()];
}

interface DeleteGroup {
  readonly table: TableRef;
  readonly keyColumns: readonly SinkColumn[];
  readonly keys: unknown[][];
}

function groupDeletes(deletes: Iterable<PendingDelete>): DeleteGroup[] {
  const groups = new Map<string, DeleteGroup>();
  for (const d of deletes) {
    const id = `${tableKey(d.table)}\u0001${d.keyColumns.map((c) => c.name).join('\u0002')}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { table: d.table, keyColumns: d.keyColumns, keys: [] };
      groups.set(id, group);
    }
    group.keys.push([...d.keyValues]);
  }
  return [...groups.values()];
}

const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils;

/** One value in COPY's text format: pg's own parameter text, escaped; NULL as \N, bytea as hex. */
export function copyText(value: unknown): string {
  const prepared = value === undefined || value === null ? null : Buffer.isBuffer(value) ? value : prepareValue(value);
  if (prepared === null || prepared === undefined) return '\\N';
  // bytea hex input `\x…`, with its backslash doubled for COPY
  if (Buffer.isBuffer(prepared)) return `\\\\x${prepared.toString('hex')}`;
  return String(prepared).replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}
