import type pg from 'pg';
import { quoteIdent, quoteLiteral, wrapPgError } from '../connection/pg-connection.js';
import type { CapturedTable, RawValue } from './captured-table.js';
import type { SnapshotProgress } from './source-position.js';

/** A table to snapshot: its event shape and the key columns it is read in order of. */
export interface SnapshotTable {
  readonly captured: CapturedTable;
  /** primary key (or replica identity index) columns; empty reads the table with a cursor, unchunked */
  readonly keyColumns: readonly string[];
  /** snapshot.select.statement.overrides: the SELECT whose rows stand for the table's, if any */
  readonly selectOverride?: string;
}

/** One chunk of rows of one table. */
export interface SnapshotChunk {
  readonly table: SnapshotTable;
  /** column values as text, in the captured table's column order */
  readonly rows: readonly RawValue[][];
  /** per row: the key's text values after which a resumed snapshot continues (null for keyless tables) */
  readonly keys: readonly (readonly string[] | null)[];
  /** true when this is the table's last chunk */
  readonly tableDone: boolean;
  /** true when this is the last chunk of the last table */
  readonly snapshotDone: boolean;
}

// Every value as the type's text output: the same conversion path as pgoutput's tuples.
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/**
 * Reads the captured tables inside one REPEATABLE READ READ ONLY transaction, optionally on the
 * snapshot exported when the replication slot was created (so the rows are exactly the state at the
 * slot's consistent point). Tables are read in `schema.table` order, each in chunks of `fetchSize`
 * rows ordered by key (`WHERE (k…) > (last…) ORDER BY k… LIMIT n`), so memory stays bounded and an
 * interrupted snapshot can continue after the last delivered key. Pull-driven: the source task asks
 * for the next chunk when it polls.
 */
export class SnapshotReader {
  private index = 0;
  private lastKey: readonly string[] | null;
  private cursorOpen = false;
  private started = false;
  private finished = false;

  constructor(
    private readonly client: pg.Client,
    private readonly tables: readonly SnapshotTable[],
    private readonly fetchSize: number,
    private readonly exportedSnapshot: string | null,
    resume: SnapshotProgress | null,
  ) {
    this.lastKey = null;
    if (resume !== null && resume.table !== '') {
      const at = tables.findIndex((t) => t.captured.id >= resume.table);
      this.index = at < 0 ? tables.length : at;
      if (tables[this.index]?.captured.id === resume.table) this.lastKey = resume.lastKey;
    }
  }

  /** Opens the snapshot transaction. Must be called before `next`. */
  async begin(): Promise<void> {
    await this.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', 'begin the snapshot transaction');
    if (this.exportedSnapshot !== null) {
      await this.run(`SET TRANSACTION SNAPSHOT ${quoteLiteral(this.exportedSnapshot)}`, 'import the exported snapshot');
    }
    this.started = true;
  }

  /** The next chunk, or null when every table has been read (the transaction is then committed). */
  async next(): Promise<SnapshotChunk | null> {
    if (!this.started || this.finished) return null;
    while (this.index < this.tables.length) {
      const table = this.tables[this.index] as SnapshotTable;
      const chunk = table.keyColumns.length > 0 ? await this.keyedChunk(table) : await this.cursorChunk(table);
      if (chunk.tableDone) {
        this.index++;
        this.lastKey = null;
      }
      const snapshotDone = chunk.tableDone && this.index >= this.tables.length;
      if (chunk.rows.length > 0 || snapshotDone) return { ...chunk, snapshotDone };
    }
    await this.finish();
    return null;
  }

  /** Ends the transaction (commit; a read-only transaction has nothing to lose). Idempotent. */
  async finish(): Promise<void> {
    if (this.finished || !this.started) return;
    this.finished = true;
    await this.run('COMMIT', 'end the snapshot transaction');
  }

  private columnList(table: SnapshotTable): string {
    return table.captured.columns.map((c) => quoteIdent(c.name)).join(', ');
  }

  /** The table, or its override statement as a derived table (columns are then picked by name). */
  private source(table: SnapshotTable): string {
    const { captured, selectOverride } = table;
    return selectOverride === undefined ? `${quoteIdent(captured.schema)}.${quoteIdent(captured.table)}` : `(${selectOverride}) AS sluice_snapshot_override`;
  }

  private async keyedChunk(table: SnapshotTable): Promise<Omit<SnapshotChunk, 'snapshotDone'>> {
    const { captured, keyColumns } = table;
    const keys = keyColumns.map(quoteIdent).join(', ');
    const keyPositions = keyColumns.map((k) => captured.columns.findIndex((c) => c.name === k));
    const values: string[] = this.lastKey === null ? [] : [...this.lastKey];
    const where =
      this.lastKey === null ? '' : `WHERE (${keys}) > (${keyColumns.map((_, i) => `$${i + 1}`).join(', ')})`;
    const text = `SELECT ${this.columnList(table)} FROM ${this.source(table)} ${where} ORDER BY ${keys} LIMIT ${this.fetchSize + 1}`;
    const result = await this.query(text, values, `read a snapshot chunk of ${captured.id}`);
    const rows = result.rows.slice(0, this.fetchSize);
    const keyValues = rows.map((r) => keyPositions.map((p) => String(r[p])));
    const last = keyValues[keyValues.length - 1];
    if (last !== undefined) this.lastKey = last;
    return { table, rows, keys: keyValues, tableDone: result.rows.length <= this.fetchSize };
  }

  private async cursorChunk(table: SnapshotTable): Promise<Omit<SnapshotChunk, 'snapshotDone'>> {
    const { captured } = table;
    if (!this.cursorOpen) {
      await this.run(
        `DECLARE sluice_snapshot NO SCROLL CURSOR FOR SELECT ${this.columnList(table)} FROM ${this.source(table)}`,
        `open a snapshot cursor on ${captured.id}`,
      );
      this.cursorOpen = true;
    }
    const result = await this.query(
      `FETCH FORWARD ${this.fetchSize} FROM sluice_snapshot`,
      [],
      `read a snapshot chunk of ${captured.id}`,
    );
    const done = result.rows.length < this.fetchSize;
    if (done) {
      await this.run('CLOSE sluice_snapshot', `close the snapshot cursor on ${captured.id}`);
      this.cursorOpen = false;
    }
    return { table, rows: result.rows, keys: result.rows.map(() => null), tableDone: done };
  }

  private async query(text: string, values: string[], what: string): Promise<{ rows: RawValue[][] }> {
    try {
      const result = await this.client.query<RawValue[]>({ text, values, rowMode: 'array', types: TEXT_TYPES });
      return { rows: result.rows };
    } catch (err) {
      throw wrapPgError(err, `Could not ${what}`);
    }
  }

  private async run(text: string, what: string): Promise<void> {
    try {
      await this.client.query(text);
    } catch (err) {
      throw wrapPgError(err, `Could not ${what}`);
    }
  }
}
