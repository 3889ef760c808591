import type pg from 'pg';
import { wrapPgError } from '../connection/pg-connection.js';
import type { ColumnDefinition, PgType } from '../types/pg-type.js';
import type { ReplicaIdentity } from '../replication/pgoutput-decoder.js';
import type { CaptureFilter } from './table-filter.js';

/** A table as the catalog describes it now. */
export interface TableInfo {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  readonly replicaIdentity: ReplicaIdentity;
  /** columns in attribute order (dropped and generated columns excluded, as pgoutput does) */
  readonly columns: readonly ColumnDefinition[];
  /** primary key columns in key order; else the REPLICA IDENTITY INDEX columns; else empty */
  readonly keyColumns: readonly string[];
  /** true when `keyColumns` come from a primary key */
  readonly hasPrimaryKey: boolean;
}

/** `schema.table` */
export function tableId(schema: string, table: string): string {
  return `${schema}.${table}`;
}

/**
 * The warning for a captured table whose replica identity cannot give update/delete events a
 * `before` image (NOTHING, or DEFAULT without a primary key); null when it can.
 */
export function replicaIdentityWarning(id: string, identity: ReplicaIdentity, hasPrimaryKey: boolean): string | null {
  if (identity !== 'n' && !(identity === 'd' && !hasPrimaryKey)) return null;
  return (
    `Table ${id} has REPLICA IDENTITY ${identity === 'n' ? 'NOTHING' : 'DEFAULT without a primary key'}: update and delete events cannot carry "before" ` +
    '(and PostgreSQL rejects updates and deletes on it while it is published). Set REPLICA IDENTITY FULL or add a primary key.'
  );
}

interface TypeRow {
  oid: number;
  typname: string;
  typtype: string;
  typelem: number;
  typbasetype: number;
  typtypmod: number;
  typdelim: string;
  labels: string[] | null;
}

/**
 * Reads table, column and type definitions from the system catalogs over a regular connection.
 * Type lookups are cached for the reader's lifetime (type definitions do not change under a name
 * except by DROP/CREATE, which gives a new OID).
 */
export class CatalogReader {
  private readonly types = new Map<number, PgType>();
  private readonly domainTypmods = new Map<number, number>();

  constructor(private readonly client: pg.Client) {}

  /**
   * Every table the filter captures, sorted by `schema.table`. With `viaPartitionRoot` a partitioned
   * table is captured as itself (its partitions are not listed); otherwise partitions are ordinary
   * tables and `onPartitionedRoot` hears of each partitioned table the filter matches (it is not
   * captured: its changes arrive as its partitions').
   */
  async capturedTables(
    filter: CaptureFilter,
    viaPartitionRoot = false,
    onPartitionedRoot: (id: string) => void = () => undefined,
  ): Promise<TableInfo[]> {
    const { rows } = await this.query<{ oid: number; nspname: string; relname: string; relkind: string; relispartition: boolean }>(
      `SELECT c.oid::int8 AS oid, n.nspname, c.relname, c.relkind, c.relispartition
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        ORDER BY n.nspname, c.relname`,
      [],
      'list tables',
    );
    const out: TableInfo[] = [];
    for (const r of rows) {
      if (!filter.includesTable(r.nspname, r.relname)) continue;
      if (viaPartitionRoot ? r.relispartition : r.relkind === 'p') {
        if (!viaPartitionRoot && !r.relispartition) onPartitionedRoot(tableId(r.nspname, r.relname));
        continue;
      }
      const info = await this.table(Number(r.oid));
      if (info !== null) out.push(info);
    }
    return out.sort((a, b) => (tableId(a.schema, a.table) < tableId(b.schema, b.table) ? -1 : 1));
  }

  /** The table with this OID, or null when it no longer exists. */
  async table(oid: number): Promise<TableInfo | null> {
    const rel = await this.query<{ nspname: string; relname: string; relreplident: string }>(
      `SELECT n.nspname, c.relname, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
      [oid],
      'read table',
    );
    const head = rel.rows[0];
    if (head === undefined) return null;
    const cols = await this.query<{ attname: string; atttypid: number; atttypmod: number; attnotnull: boolean }>(
      `SELECT attname, atttypid::int8 AS atttypid, atttypmod, attnotnull FROM pg_attribute
        WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
      [oid],
      'read columns',
    );
    const keys = await this.query<{ attname: string; indisprimary: boolean }>(
      `SELECT a.attname, i.indisprimary FROM pg_index i
         JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ON true
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1 AND (i.indisprimary OR i.indisreplident)
        ORDER BY i.indisprimary DESC, k.ord`,
      [oid],
      'read keys',
    );
    const primary = keys.rows.filter((k) => k.indisprimary).map((k) => k.attname);
    const replIdent = keys.rows.filter((k) => !k.indisprimary).map((k) => k.attname);
    const columns: ColumnDefinition[] = [];
    for (const c of cols.rows)
      columns.push(await this.column(c.attname, Number(c.atttypid), c.atttypmod, !c.attnotnull));
    return {
      oid,
      schema: head.nspname,
      table: head.relname,
      replicaIdentity: head.relreplident as ReplicaIdentity,
      columns,
      keyColumns: primary.length > 0 ? primary : replIdent,
      hasPrimaryKey: primary.length > 0,
    };
  }

  /** A column definition, resolving its type (domains to their base type, keeping a domain's typmod). */
  async column(name: string, typeOid: number, typeModifier: number, optional: boolean): Promise<ColumnDefinition> {
    const type = await this.type(typeOid);
    const domainTypmod = this.domainTypmods.get(typeOid);
    return {
      name,
      type,
      typeModifier: typeModifier < 0 && domainTypmod !== undefined ? domainTypmod : typeModifier,
      optional,
    };
  }

  /** Resolves a type OID; unknown OIDs become an opaque base type mapped to strings. */
  async type(oid: number): Promise<PgType> {
    const cached = this.types.get(oid);
    if (cached !== undefined) return cached;
    const { rows } = await this.query<TypeRow>(
      `SELECT t.oid::int8 AS oid, t.typname, t.typtype, t.typelem::int8 AS typelem, t.typbasetype::int8 AS typbasetype, t.typtypmod, t.typdelim,
              CASE WHEN t.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) END AS labels
         FROM pg_type t WHERE t.oid = $1`,
      [oid],
      'read type',
    );
    const row = rows[0];
    let type: PgType;
    if (row === undefined) {
      type = { oid, name: `unknown_${oid}`, kind: 'base', element: null, enumValues: [], delimiter: ',' };
    } else if (row.typtype === 'd') {
      const base = await this.type(Number(row.typbasetype));
      if (row.typtypmod >= 0) this.domainTypmods.set(oid, row.typtypmod);
      type = { ...base, oid };
    } else if (row.typtype === 'e') {
      type = {
        oid,
        name: row.typname,
        kind: 'enum',
        element: null,
        enumValues: row.labels ?? [],
        delimiter: row.typdelim,
      };
    } else if (Number(row.typelem) !== 0 && row.typname.startsWith('_')) {
      const element = await this.type(Number(row.typelem));
      type = { oid, name: row.typname, kind: 'array', element, enumValues: [], delimiter: element.delimiter };
    } else {
      type = { oid, name: row.typname, kind: 'base', element: null, enumValues: [], delimiter: row.typdelim };
    }
    this.types.set(oid, type);
    return type;
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
    what: string,
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.client.query<R>(text, values);
    } catch (err) {
      throw wrapPgError(err, `Could not ${what} from the catalog`);
    }
  }
}
