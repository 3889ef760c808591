import { DataError, type Logger } from '@sluice/core';
import type pg from 'pg';
import { quoteIdent } from '../connection/pg-connection.js';
import type { SinkColumn, TableRef } from './sink-operation.js';

/** A destination table as it exists: its column names. */
interface TableState {
  readonly columns: Set<string>;
}

/** `"schema"."table"` or `"table"`. */
export function qualifiedName(table: TableRef): string {
  return table.schema === null ? quoteIdent(table.name) : `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

function tableKey(table: TableRef): string {
  return `${table.schema ?? ''}\u0000${table.name}`;
}

/**
 * Makes destination tables fit the rows about to be written: creates missing tables (`autoCreate`)
 * with the record's key as primary key, adds missing columns (`autoEvolve`, always nullable; nothing
 * is ever dropped or altered), and otherwise fails with a message saying which setting would help.
 * Knows tables it has seen; `forget()` clears that after a rolled-back transaction (its DDL is gone).
 */
export class TableManager {
  private readonly known = new Map<string, TableState>();

  constructor(
    private readonly options: { readonly autoCreate: boolean; readonly autoEvolve: boolean },
    private readonly logger: Logger,
  ) {}

  /** Forgets cached table shapes (call after a rollback). */
  forget(): void {
    this.known.clear();
  }

  /**
   * Ensures `table` exists with every column in `columns`, inside the caller's transaction.
   * @throws DataError when the table or a column is missing and may not be created.
   */
  async ensure(
    client: pg.ClientBase,
    table: TableRef,
    columns: readonly SinkColumn[],
    keyColumns: readonly string[],
  ): Promise<void> {
    let state = this.known.get(tableKey(table)) ?? (await this.describe(client, table));
    if (state === null) {
      if (!this.options.autoCreate) {
        throw new DataError(
          `Table ${qualifiedName(table)} does not exist; create it or set schema.evolution=basic (or auto.create=true)`,
        );
      }
      await this.create(client, table, columns, keyColumns);
      state = { columns: new Set(columns.map((c) => c.name)) };
    }
    const missing = columns.filter((c) => !state.columns.has(c.name));
    if (missing.length > 0) {
      if (!this.options.autoEvolve) {
        throw new DataError(
          `Table ${qualifiedName(table)} has no column(s) ${missing.map((c) => quoteIdent(c.name)).join(', ')}; add them or set schema.evolution=basic (or auto.evolve=true)`,
        );
      }
      for (const c of missing) {
        this.logger.info('adding column', { table: qualifiedName(table), column: c.name, type: c.sqlType });
        await client.query(
          `ALTER TABLE ${qualifiedName(table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${c.sqlType}`,
        );
        state.columns.add(c.name);
      }
    }
    this.known.set(tableKey(table), state);
  }

  /** Whether the table exists (deletes and truncates of a missing table do nothing). */
  async exists(client: pg.ClientBase, table: TableRef): Promise<boolean> {
    if (this.known.has(tableKey(table))) return true;
    const state = await this.describe(client, table);
    if (state !== null) this.known.set(tableKey(table), state);
    return state !== null;
  }

  private async describe(client: pg.ClientBase, table: TableRef): Promise<TableState | null> {
    const { rows } = await client.query<{ column_name: string }>(
      `SELECT a.attname AS column_name FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
      [qualifiedName(table)],
    );
    if (rows.length === 0) {
      const exists = await client.query<{ oid: string | null }>('SELECT to_regclass($1)::text AS oid', [
        qualifiedName(table),
      ]);
      if (exists.rows[0]?.oid === null || exists.rows[0] === undefined) return null;
    }
    return { columns: new Set(rows.map((r) => r.column_name)) };
  }

  private async create(
    client: pg.ClientBase,
    table: TableRef,
    columns: readonly SinkColumn[],
    keyColumns: readonly string[],
  ): Promise<void> {
    const keys = new Set(keyColumns);
    const defs = columns.map(
      (c) => `${quoteIdent(c.name)} ${c.sqlType}${keys.has(c.name) || !c.optional ? ' NOT NULL' : ''}`,
    );
    if (keyColumns.length > 0) defs.push(`PRIMARY KEY (${keyColumns.map(quoteIdent).join(', ')})`);
    this.logger.info('creating table', { table: qualifiedName(table), columns: columns.length });
    if (table.schema !== null) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${qualifiedName(table)} (${defs.join(', ')})`);
  }
}
