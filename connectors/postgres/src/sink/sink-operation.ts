import { DataError, Schemas, isStruct, type Schema, type SinkRecord, type Struct } from '@sluice/core';
import { UNAVAILABLE_VALUE_PLACEHOLDER } from '../types/placeholder-values.js';
import type { PostgresSinkSettings } from './postgres-sink-config.js';
import { inferredSqlType, sqlType, sqlValue } from './sql-mapping.js';

/** A destination table; `schema` null means the connection's current schema (search_path). */
export interface TableRef {
  readonly schema: string | null;
  readonly name: string;
}

/** One column of a row to write: its SQL type and optionality come from the record schema. */
export interface SinkColumn {
  readonly name: string;
  readonly sqlType: string;
  readonly optional: boolean;
}

/** Marks a column whose value the source did not send (unchanged TOAST): existing data is kept. */
export const UNAVAILABLE = Symbol('unavailable');

export type SinkOperation =
  | {
      readonly kind: 'upsert';
      readonly table: TableRef;
      readonly columns: readonly SinkColumn[];
      /** query parameters in column order, or UNAVAILABLE */
      readonly values: readonly unknown[];
      readonly keyColumns: readonly string[];
      readonly record: SinkRecord;
    }
  | {
      readonly kind: 'delete';
      readonly table: TableRef;
      readonly keyColumns: readonly SinkColumn[];
      readonly keyValues: readonly unknown[];
      readonly record: SinkRecord;
    }
  | { readonly kind: 'truncate'; readonly table: TableRef; readonly record: SinkRecord }
  | { readonly kind: 'skip'; readonly record: SinkRecord; readonly reason: string };

const ENVELOPE_OPS = new Set(['c', 'u', 'd', 'r', 't']);

interface Field {
  readonly name: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

/** Reads a field of a Struct, Map or plain object; undefined when absent. */
function member(container: unknown, name: string): unknown {
  if (isStruct(container)) return container.schema.field(name) === undefined ? undefined : container.get(name);
  if (container instanceof Map) return container.get(name);
  if (typeof container === 'object' && container !== null) return (container as Record<string, unknown>)[name];
  return undefined;
}

/** True when a value looks like a Debezium envelope (`op` plus `before`/`after`). */
export function isDebeziumEnvelope(value: unknown): boolean {
  const op = member(value, 'op');
  if (typeof op !== 'string' || !ENVELOPE_OPS.has(op)) return false;
  if (isStruct(value)) return value.schema.field('after') !== undefined && value.schema.field('before') !== undefined;
  return member(value, 'after') !== undefined || member(value, 'before') !== undefined;
}

function fieldsOf(value: unknown, what: string): Field[] {
  if (isStruct(value))
    return value.schema.fields.map((f) => ({ name: f.name, schema: f.schema, value: (value as Struct).get(f.name) }));
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => ({ name: String(k), schema: null, value: v }));
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ name: k, schema: null, value: v }));
  }
  throw new DataError(`The ${what} is not a struct or map, so it cannot be written as a row`);
}

/** Resolves `table.name.format` for a record (see the config docs). */
export function tableFor(
  record: SinkRecord,
  format: string,
  envelopeSource: unknown,
  quoteIdentifiers: boolean,
): TableRef {
  const sourceField = (name: string): string => {
    const v = member(envelopeSource, name);
    if (typeof v !== 'string' || v === '')
      throw new DataError(`table.name.format uses \${source.${name}} but the record has no Debezium source.${name}`);
    return v;
  };
  // Placeholders are substituted after splitting, so dots inside values never act as separators.
  const substitute = (part: string): string =>
    part.replace(/\$\{(topic|source\.db|source\.schema|source\.table)\}/g, (_m, key: string) =>
      key === 'topic' ? record.topic.replace(/\./g, '_') : sourceField(key.slice('source.'.length)).replace(/\./g, '_'),
    );
  const dot = format.search(/\.(?![^{]*\})/);
  const fold = (s: string): string => (quoteIdentifiers ? s : s.toLowerCase());
  if (dot < 0) return { schema: null, name: fold(substitute(format)) };
  return { schema: fold(substitute(format.slice(0, dot))), name: fold(substitute(format.slice(dot + 1))) };
}

function isPlaceholder(value: unknown): boolean {
  if (value === UNAVAILABLE_VALUE_PLACEHOLDER) return true;
  if (value instanceof Uint8Array)
    return (
      value.length === UNAVAILABLE_VALUE_PLACEHOLDER.length &&
      Buffer.from(value).toString('utf8') === UNAVAILABLE_VALUE_PLACEHOLDER
    );
  return Array.isArray(value) && value.length === 1 && isPlaceholder(value[0]);
}

function column(name: string, schema: Schema | null, sample: unknown, quoteIdentifiers: boolean): SinkColumn {
  return {
    name: quoteIdentifiers ? name : name.toLowerCase(),
    sqlType: schema === null ? inferredSqlType(sample) : sqlType(schema),
    optional: schema === null ? true : schema.optional,
  };
}

/** The key fields of a record for `record_key` mode. */
function keyFields(record: SinkRecord, settings: PostgresSinkSettings): Field[] {
  if (record.key === null || record.key === undefined)
    throw new DataError('primary.key.mode=record_key but the record has no key');
  const isComposite =
    isStruct(record.key) ||
    record.key instanceof Map ||
    (typeof record.key === 'object' && !(record.key instanceof Uint8Array) && !Array.isArray(record.key));
  if (!isComposite) {
    const name = settings.primaryKeyFields[0];
    if (name === undefined || settings.primaryKeyFields.length !== 1) {
      throw new DataError(
        'The record key is a primitive value: primary.key.fields must name exactly one column for it',
      );
    }
    return [{ name, schema: record.keySchema, value: record.key }];
  }
  const all = fieldsOf(record.key, 'record key');
  if (settings.primaryKeyFields.length === 0) return all;
  return settings.primaryKeyFields.map((n) => {
    const f = all.find((x) => x.name === n);
    if (f === undefined) throw new DataError(`primary.key.fields names "${n}" but the record key has no such field`);
    return f;
  });
}

function kafkaFields(record: SinkRecord, settings: PostgresSinkSettings): Field[] {
  const [topic = '__connect_topic', partition = '__connect_partition', offset = '__connect_offset'] =
    settings.primaryKeyFields;
  return [
    { name: topic, schema: Schemas.STRING, value: record.topic },
    { name: partition, schema: Schemas.INT32, value: record.kafkaPartition },
    { name: offset, schema: Schemas.INT64, value: record.kafkaOffset },
  ];
}

/**
 * Decides what one record does to the database: upsert/insert/update a row, delete by key, truncate,
 * or nothing. `lastTableByTopic` (kept by the caller across batches) remembers where each topic's
 * last envelope went, for tombstones when the table name comes from the `source` block. Understands Debezium envelopes (uses `after`; `op: d` and tombstones delete when
 * `delete.enabled`; `op: t` truncates when `truncate.enabled`) and plain structs or maps.
 * @throws DataError when the record cannot be written (no key for a keyed mode, unknown key field,
 *   a value that is not a row) — the caller reports it as an errant record or fails the task.
 */
export function toOperation(
  record: SinkRecord,
  settings: PostgresSinkSettings,
  lastTableByTopic: Map<string, TableRef> = new Map(),
): SinkOperation {
  const q = settings.quoteIdentifiers;
  const envelope = record.value !== null && record.value !== undefined && isDebeziumEnvelope(record.value);
  const source = envelope ? member(record.value, 'source') : undefined;
  // A tombstone has no source block: it follows its delete event on the same topic, whose table it reuses.
  const usesSource = settings.tableNameFormat.includes('${source.');
  const cached =
    usesSource && (record.value === null || record.value === undefined)
      ? lastTableByTopic.get(record.topic)
      : undefined;
  const table = cached ?? tableFor(record, settings.tableNameFormat, source, q);
  if (usesSource && envelope) lastTableByTopic.set(record.topic, table);
  const op = envelope ? (member(record.value, 'op') as string) : null;

  if (record.value === null || record.value === undefined || op === 'd') {
    if (!settings.deleteEnabled)
      return {
        kind: 'skip',
        record,
        reason: op === 'd' ? 'delete event with delete.enabled=false' : 'tombstone with delete.enabled=false',
      };
    const keys = keyFields(record, settings);
    return {
      kind: 'delete',
      table,
      keyColumns: keys.map((k) => column(k.name, k.schema, k.value, q)),
      keyValues: keys.map((k) => sqlValue(k.schema, k.value)),
      record,
    };
  }
  if (op === 't') {
    return settings.truncateEnabled
      ? { kind: 'truncate', table, record }
      : { kind: 'skip', record, reason: 'truncate event with truncate.enabled=false' };
  }
  const row = envelope ? member(record.value, 'after') : record.value;
  if (row === null || row === undefined) return { kind: 'skip', record, reason: 'envelope without "after"' };

  const fields = fieldsOf(row, 'record value');
  let keys: Field[] = [];
  switch (settings.primaryKeyMode) {
    case 'none':
      break;
    case 'kafka':
      keys = kafkaFields(record, settings);
      break;
    case 'record_key':
      keys = keyFields(record, settings);
      break;
    case 'record_value':
      keys =
        settings.primaryKeyFields.length === 0
          ? fields
          : settings.primaryKeyFields.map((n) => {
              const f = fields.find((x) => x.name === n);
              if (f === undefined)
                throw new DataError(`primary.key.fields names "${n}" but the record value has no such field`);
              return f;
            });
      break;
  }
  // Key columns first (from the key where it is separate), then the remaining value fields.
  const keyNames = new Set(keys.map((k) => k.name));
  const all = [...keys, ...fields.filter((f) => !keyNames.has(f.name))];
  const columns: SinkColumn[] = [];
  const values: unknown[] = [];
  for (const f of all) {
    const col = column(f.name, f.schema, f.value, q);
    columns.push(keyNames.has(f.name) ? { ...col, optional: false } : col);
    try {
      values.push(!keyNames.has(f.name) && isPlaceholder(f.value) ? UNAVAILABLE : sqlValue(f.schema, f.value));
    } catch (err) {
      throw new DataError(`Field "${f.name}": ${(err as Error).message}`, { cause: err });
    }
  }
  for (const k of keys) {
    if (values[all.indexOf(k)] === null) throw new DataError(`Primary key field "${k.name}" is null`);
  }
  return {
    kind: 'upsert',
    table,
    columns,
    values,
    keyColumns: keys.map((k) => (q ? k.name : k.name.toLowerCase())),
    record,
  };
}
