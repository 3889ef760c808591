import { ConnectError, DataError, SchemaBuilder, Struct, isStruct, type Schema } from '@sluice/core';
import { mapColumn, type ColumnMapping, type TypeMappingOptions } from '../types/column-mapping.js';
import type { ColumnDefinition } from '../types/pg-type.js';
import { unavailableValue, zeroValue } from '../types/placeholder-values.js';
import type { ColumnRules, ValueRewrite } from './column-rules.js';
import { envelopeSchema } from './envelope-schemas.js';
import type { CaptureFilter } from './table-filter.js';

/** Stands for a column PostgreSQL did not send because its TOASTed value did not change. */
export const UNCHANGED = Symbol('unchanged-toast');

/** One column value as text output, SQL NULL, or "unchanged TOAST". */
export type RawValue = string | null | typeof UNCHANGED;

/** What `CapturedTable` needs besides the table definition. */
export interface CaptureOptions {
  readonly topicPrefix: string;
  readonly filter: CaptureFilter;
  readonly typeMapping: TypeMappingOptions;
  readonly unavailableValuePlaceholder: string;
  /** message.key.columns and column masks; none when absent */
  readonly columnRules?: ColumnRules;
}

export interface CapturedColumn {
  readonly name: string;
  readonly mapping: ColumnMapping;
  /** false for columns left out by column.include/exclude.list */
  readonly included: boolean;
  /** part of the primary key / replica identity (sent in old-key tuples) */
  readonly isKey: boolean;
  /** column.mask / column.truncate rewrite of its (string) values, null for none */
  readonly rewrite: ValueRewrite | null;
}

/** Replaces characters Kafka does not allow in topic names, as Debezium does. */
export function sanitizeTopicName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * A captured table's event shape: topic, key schema (`<prefix>.<schema>.<table>.Key`, null without a
 * key), row schema (`….Value`), envelope schema (`….Envelope`) and the column conversions, in the
 * column order of the tuples it converts (pgoutput's Relation order, which is attribute order).
 * Immutable; rebuilt when a Relation message announces a change.
 */
export class CapturedTable {
  readonly id: string;
  readonly topic: string;
  readonly columns: readonly CapturedColumn[];
  /** the primary key / replica identity columns: snapshot chunking and row identity */
  readonly keyColumns: readonly string[];
  /** the columns of the event key: `message.key.columns` for the table, else `keyColumns` */
  readonly eventKeyColumns: readonly string[];
  readonly keySchema: Schema | null;
  readonly rowSchema: Schema;
  readonly envelopeSchema: Schema;

  constructor(
    readonly schema: string,
    readonly table: string,
    columns: readonly ColumnDefinition[],
    keyColumns: readonly string[],
    private readonly options: CaptureOptions,
  ) {
    this.id = `${schema}.${table}`;
    const base = `${options.topicPrefix}.${schema}.${table}`;
    this.topic = sanitizeTopicName(base);
    const keySet = new Set(keyColumns);
    const custom = options.columnRules?.messageKeyColumns(schema, table) ?? null;
    if (custom !== null) {
      const missing = custom.filter((k) => !columns.some((c) => c.name === k));
      if (missing.length > 0)
        throw new ConnectError(
          `message.key.columns names ${missing.map((m) => `"${m}"`).join(', ')}, not a column of ${this.id} (columns: ${columns.map((c) => c.name).join(', ')})`,
        );
    }
    const eventKeySet = new Set(custom ?? keyColumns);
    this.columns = columns.map((c) => ({
      name: c.name,
      // key columns are never null, whatever the catalog says about a replica identity index
      mapping: mapColumn(keySet.has(c.name) ? { ...c, optional: false } : c, options.typeMapping),
      included: keySet.has(c.name) || eventKeySet.has(c.name) || options.filter.includesColumn(schema, table, c.name),
      isKey: keySet.has(c.name),
      rewrite: options.columnRules?.rewriteFor(schema, table, c) ?? null,
    }));
    this.keyColumns = keyColumns.filter((k) => this.columns.some((c) => c.name === k));
    this.eventKeyColumns = custom ?? this.keyColumns;
    const row = SchemaBuilder.struct().name(`${base}.Value`).optional();
    for (const c of this.columns) if (c.included) row.field(c.name, c.mapping.schema);
    this.rowSchema = row.build();
    if (this.eventKeyColumns.length > 0) {
      const key = SchemaBuilder.struct().name(`${base}.Key`);
      for (const k of this.eventKeyColumns)
        key.field(k, (this.columns.find((c) => c.name === k) as CapturedColumn).mapping.schema);
      this.keySchema = key.build();
    } else {
      this.keySchema = null;
    }
    this.envelopeSchema = envelopeSchema(`${base}.Envelope`, this.rowSchema);
  }

  /**
   * Converts one tuple (values in column order) into a row struct. `keyOnly` marks a REPLICA IDENTITY
   * old-key tuple, whose non-key columns were not sent: required ones get their zero value.
   * @throws DataError naming the table and column when a value cannot be converted.
   */
  row(values: readonly RawValue[], keyOnly = false): Struct {
    if (values.length !== this.columns.length) {
      throw new DataError(`Tuple for ${this.id} has ${values.length} columns but the table has ${this.columns.length}`);
    }
    const struct = new Struct(this.rowSchema);
    this.columns.forEach((c, i) => {
      if (!c.included) return;
      const raw = values[i] as RawValue;
      let value: unknown;
      try {
        if (raw === UNCHANGED) value = unavailableValue(c.mapping.schema, this.options.unavailableValuePlaceholder);
        else if (raw === null)
          value = keyOnly && !c.isKey && !c.mapping.schema.optional ? zeroValue(c.mapping.schema) : null;
        else value = c.mapping.fromText(raw);
        if (c.rewrite !== null && typeof value === 'string' && raw !== UNCHANGED) value = c.rewrite(value);
        struct.put(c.name, value);
      } catch (err) {
        throw new DataError(`Cannot convert column "${c.name}" of ${this.id}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    });
    return struct;
  }

  /** The key struct of a row (null for tables without a key). */
  key(row: Struct): Struct | null {
    if (this.keySchema === null) return null;
    const key = new Struct(this.keySchema);
    for (const k of this.eventKeyColumns) key.put(k, row.get(k));
    return key;
  }

  /** Whether two rows have the same event key values (a key update changes them). */
  sameKey(a: Struct, b: Struct): boolean {
    return this.eventKeyColumns.every((k) => sameValue(a.get(k), b.get(k)));
  }

  /** The row's primary key / replica identity values as one string (null for tables without). */
  identity(row: Struct): string | null {
    if (this.keyColumns.length === 0) return null;
    return JSON.stringify(this.keyColumns.map((k) => row.get(k)), (_k, v: unknown) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
    );
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (isStruct(a) && isStruct(b)) return a.equals(b);
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null)
    return JSON.stringify(a, bigintSafe) === JSON.stringify(b, bigintSafe);
  return a === b;
}

function bigintSafe(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}
