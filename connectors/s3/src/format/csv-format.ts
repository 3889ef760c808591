import {
  DataError,
  DateLogical,
  Decimal,
  isDecimalValue,
  isStruct,
  SchemaBuilder,
  Schemas,
  Struct,
  Time,
  type Schema,
  type SinkRecord,
} from '@sluice/core';
import type { ConnectJson } from './connect-json.js';
import { csvRow, parseCsv, type CsvCell } from './csv-text.js';
import { ENVELOPE_COLUMNS, envelopeParts, fromEnvelopeParts } from './envelope.js';
import {
  ChunkedWriter,
  sameSchema,
  valueRecord,
  type ByteSink,
  type DecodedRecord,
  type FormatOptions,
  type RecordEncoder,
} from './record-format.js';

const encoder = new TextEncoder();

/** How one object's rows are laid out, fixed by its first record. */
type Layout =
  | { kind: 'envelope' }
  | { kind: 'struct'; schema: Schema }
  | { kind: 'keyed'; schema: Schema | null; columns: string[] }
  | { kind: 'single'; schema: Schema | null };

/**
 * CSV with a header row (RFC 4180). The columns come from the object's first record: a struct's
 * fields in schema order, a map's (or schemaless object's) keys, or a single `value` column for
 * anything else; with the envelope, the columns of `ENVELOPE_COLUMNS`. Cells: text as is, numbers
 * and booleans as text, bytes as base64, Decimal as plain digits, Date/Time/Timestamp as ISO-8601,
 * nested structs, maps and arrays as JSON, null as an empty unquoted cell. A record whose schema or
 * (schemaless) key set differs does not `fit`, so the writer starts a new object with a new header.
 */
export class CsvEncoder implements RecordEncoder {
  readonly #out: ChunkedWriter;
  #layout: Layout | null = null;

  constructor(
    sink: ByteSink,
    private readonly options: FormatOptions,
  ) {
    this.#out = new ChunkedWriter(sink);
  }

  fits(record: SinkRecord): boolean {
    const layout = this.#layout;
    if (layout === null || layout.kind === 'envelope' || record.value === null || record.value === undefined)
      return true;
    if (!sameSchema(layout.schema, record.valueSchema)) return false;
    if (layout.kind !== 'keyed') return true;
    const keys = keysOf(record.value);
    return keys !== null && keys.length === layout.columns.length && keys.every((k) => layout.columns.includes(k));
  }

  async append(record: SinkRecord): Promise<void> {
    const json = this.options.json;
    const first = this.#layout === null;
    const layout = this.#layout ?? this.#layoutFor(record);
    let cells: CsvCell[];
    switch (layout.kind) {
      case 'envelope': {
        const p = envelopeParts(record, json);
        const ts = record.timestamp === null ? null : String(record.timestamp);
        cells = [
          record.topic,
          String(record.kafkaPartition),
          String(record.kafkaOffset),
          ts,
          record.timestampType,
          p.key,
          p.headers,
          p.value,
        ];
        break;
      }
      case 'struct': {
        const v = record.value;
        if (v !== null && v !== undefined && !isStruct(v))
          throw new DataError('CSV: expected a Struct value for a struct schema');
        cells = layout.schema.fields.map((f) => (isStruct(v) ? csvCell(f.schema, v.get(f.name), json) : null));
        break;
      }
      case 'keyed': {
        const entries =
          record.value === null || record.value === undefined ? new Map<string, unknown>() : entriesOf(record.value);
        const valueSchema = layout.schema?.valueSchema ?? null;
        cells = layout.columns.map((c) => csvCell(valueSchema, entries.get(c) ?? null, json));
        break;
      }
      case 'single':
        cells = [csvCell(record.valueSchema, record.value, json)];
        break;
    }
    let text = csvRow(cells);
    if (first) {
      this.#layout = layout;
      text = csvRow(headerOf(layout)) + text;
    }
    await this.#out.add(encoder.encode(text));
  }

  finish(): Promise<void> {
    return this.#out.end();
  }

  #layoutFor(record: SinkRecord): Layout {
    if (this.options.envelope) return { kind: 'envelope' };
    const schema = record.valueSchema;
    if (schema?.type === 'struct') return { kind: 'struct', schema };
    const keys = record.value === null || record.value === undefined ? null : keysOf(record.value);
    if (keys !== null && (schema === null || schema.type === 'map')) return { kind: 'keyed', schema, columns: keys };
    return { kind: 'single', schema };
  }
}

function headerOf(layout: Layout): string[] {
  switch (layout.kind) {
    case 'envelope':
      return [...ENVELOPE_COLUMNS];
    case 'struct':
      return layout.schema.fields.map((f) => f.name);
    case 'keyed':
      return layout.columns;
    case 'single':
      return ['value'];
  }
}

function keysOf(v: unknown): string[] | null {
  if (v instanceof Map) return [...v.keys()].map(String);
  if (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof Date) &&
    !isStruct(v) &&
    !isDecimalValue(v)
  ) {
    return Object.keys(v);
  }
  return null;
}

function entriesOf(v: unknown): Map<string, unknown> {
  if (v instanceof Map) return new Map([...v.entries()].map(([k, val]) => [String(k), val]));
  return new Map(Object.entries(v as Record<string, unknown>));
}

/** Renders one value as a CSV cell (see `CsvEncoder`). Throws DataError when it does not fit `schema`. */
export function csvCell(schema: Schema | null, value: unknown, json: ConnectJson): CsvCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (isDecimalValue(value)) return Decimal.toString(value);
  if (value instanceof Date) {
    const iso = value.toISOString();
    if (schema?.name === DateLogical.LOGICAL_NAME) return iso.slice(0, 10);
    if (schema?.name === Time.LOGICAL_NAME) return iso.slice(11, 23);
    return iso;
  }
  return json.plain(schema, value);
}

/**
 * Reads CSV back. With the envelope the header must be `ENVELOPE_COLUMNS` and records come back
 * exactly; otherwise each row becomes a Struct of optional strings named by the header (empty
 * unquoted cells are null). Throws DataError on a malformed object or a row of the wrong width.
 */
export function decodeCsv(text: string, options: FormatOptions): DecodedRecord[] {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (header === undefined) return [];
  const decode = csvRowDecoder(header, options);
  return rows.map((row, i) => decode(row, i));
}

/** The same, for rows that arrive one by one (the first is the header). */
export async function* csvRecords(rows: AsyncIterable<CsvCell[]>, options: FormatOptions): AsyncGenerator<DecodedRecord> {
  let decode: ((row: CsvCell[], index: number) => DecodedRecord) | null = null;
  let index = 0;
  for await (const row of rows) {
    if (decode === null) decode = csvRowDecoder(row, options);
    else yield decode(row, index++);
  }
}

/** Turns data rows into records given the header row. Throws DataError on a bad header or row width. */
function csvRowDecoder(header: CsvCell[], options: FormatOptions): (row: CsvCell[], index: number) => DecodedRecord {
  const names = header.map((h, i) => h ?? `column${i + 1}`);
  const check = (row: CsvCell[], index: number): void => {
    if (row.length !== names.length)
      throw new DataError(`CSV row ${index + 2} has ${row.length} cells, the header has ${names.length}`);
  };
  if (options.envelope) {
    if (names.join(',') !== ENVELOPE_COLUMNS.join(','))
      throw new DataError(`CSV header is not the envelope header (${ENVELOPE_COLUMNS.join(',')})`);
    return (row, i) => {
      check(row, i);
      const [topic, partition, offset, timestamp, , key, headers, value] = row;
      return fromEnvelopeParts(
        { topic, partition, offset, timestamp, key: key ?? 'null', value: value ?? 'null', headers: headers ?? '[]' },
        options.json,
      );
    };
  }
  const builder = SchemaBuilder.struct();
  for (const name of names) builder.field(name, Schemas.OPTIONAL_STRING);
  const schema = builder.build();
  return (row, i) => {
    check(row, i);
    const struct = new Struct(schema);
    names.forEach((name, c) => struct.put(name, row[c] ?? null));
    return valueRecord(schema, struct);
  };
}
