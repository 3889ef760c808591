import { gunzipSync, gzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects, type CompressionCodec, type KeyValue } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import {
  asOptional,
  DataError,
  isStruct,
  SchemaBuilder,
  Schemas,
  validateValue,
  type Schema,
  type SinkRecord,
} from '@sluice/core';
import { envelopeParts, fromEnvelopeParts } from './envelope.js';
import {
  connectColumns,
  fromParquetValue,
  parquetSchema,
  rawDecimalSchema,
  required,
  toParquetValue,
  type ParquetColumn,
} from './parquet-schema.js';
import {
  sameSchema,
  valueRecord,
  type ByteSink,
  type DecodedRecord,
  type FormatOptions,
  type RecordEncoder,
} from './record-format.js';

/** Key-value metadata keys this connector writes into every Parquet footer. */
export const PARQUET_META = Object.freeze({
  /** `{"schema":…,"payload":null}` of the value schema (made optional) */
  valueSchema: 'sluice.connect.value.schema',
  /** whether the value schema itself was optional */
  valueOptional: 'sluice.connect.value.optional',
  /** `typed`: value in typed columns; `json`: value as envelope JSON text (schemaless values) */
  valueEncoding: 'sluice.connect.value.encoding',
  envelope: 'sluice.envelope',
});

const CODECS: Record<FormatOptions['parquetCodec'], CompressionCodec> = {
  none: 'UNCOMPRESSED',
  snappy: 'SNAPPY',
  gzip: 'GZIP',
};

/** How a record's value maps onto columns, fixed by the object's first record. */
interface Layout {
  readonly valueSchema: Schema | null;
  readonly columns: readonly ParquetColumn[];
  /** `fields`: a struct's fields are the columns; `single`: one `value` column; `json`: value as text */
  readonly value: 'fields' | 'single' | 'json';
}

// A ByteWriter that hands every finished row group to the sink and starts over, so at most one row
// group of encoded bytes is held; `offset` keeps counting so the footer's file offsets stay right.
class StreamingByteWriter extends ByteWriter {
  constructor(private readonly sink: ByteSink) {
    super(64 * 1024);
  }
  flush(): Promise<void> {
    const chunk = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    return chunk.length === 0 ? Promise.resolve() : this.sink.write(chunk);
  }
  override finish(): void {
    // the footer is flushed by ParquetEncoder.finish (the Writer interface's finish is synchronous)
  }
}

/**
 * Parquet with typed columns from the record's value schema (see `parquet-schema.ts`): a struct's
 * fields are the columns, any other schema is one `value` column. Records without a value schema
 * are refused (DataError), as Parquet needs types. With the envelope the columns are `topic`,
 * `partition`, `offset`, `timestamp`, `timestampType`, `key` and `headers` (key and headers as
 * envelope JSON text), `tombstone` (a null value without schema) and `value`, typed when the
 * records have a value schema. The value schema goes into the footer's key-value metadata so
 * records read back with their exact schema. Rows are buffered up to `parquetRowGroupRecords`,
 * then written out as a row group.
 */
export class ParquetEncoder implements RecordEncoder {
  readonly #bytes: StreamingByteWriter;
  #layout: Layout | null = null;
  #writer: ParquetWriter | null = null;
  #rows: unknown[][] = [];

  constructor(
    private readonly sink: ByteSink,
    private readonly options: FormatOptions,
  ) {
    this.#bytes = new StreamingByteWriter(sink);
  }

  /** With the envelope a null value (tombstone) fits any object, as its value column is optional. */
  fits(record: SinkRecord): boolean {
    if (this.#layout === null) return true;
    if (this.options.envelope && (record.value === null || record.value === undefined)) return true;
    return sameSchema(this.#layout.valueSchema, record.valueSchema);
  }

  async append(record: SinkRecord): Promise<void> {
    const layout = this.#layout ?? this.#layoutFor(record);
    const row = this.#row(layout, record);
    if (this.#layout === null) {
      this.#layout = layout;
      this.#rows = layout.columns.map(() => []);
      this.#writer = new ParquetWriter({
        writer: this.#bytes,
        schema: parquetSchema(layout.columns),
        codec: CODECS[this.options.parquetCodec],
        compressors: { GZIP: (input: Uint8Array) => gzipSync(input) },
        kvMetadata: this.#metadata(layout),
        createdBy: 'sluice connector-s3',
      });
    }
    row.forEach((v, i) => this.#rows[i]?.push(v));
    if ((this.#rows[0]?.length ?? 0) >= this.options.parquetRowGroupRecords) await this.#writeRowGroup();
  }

  async finish(): Promise<void> {
    const writer = this.#writer;
    if (writer !== null) {
      await this.#writeRowGroup();
      writer.finish();
      await this.#bytes.flush();
    }
    await this.sink.end();
  }

  async #writeRowGroup(): Promise<void> {
    const writer = this.#writer;
    const layout = this.#layout;
    const count = this.#rows[0]?.length ?? 0;
    if (writer === null || layout === null || count === 0) return;
    const columnData = layout.columns.map((c, i) => ({ name: c.name, data: this.#rows[i] ?? [] }));
    this.#rows = layout.columns.map(() => []);
    await writer.write({ columnData, rowGroupSize: count });
  }

  #layoutFor(record: SinkRecord): Layout {
    const schema = record.valueSchema;
    if (this.options.envelope) {
      const value: ParquetColumn =
        schema === null
          ? { name: 'value', schema: Schemas.OPTIONAL_STRING }
          : { name: 'value', schema: asOptional(schema) };
      return {
        valueSchema: schema,
        value: schema === null ? 'json' : 'single',
        columns: [
          { name: 'topic', schema: Schemas.STRING },
          { name: 'partition', schema: Schemas.INT32 },
          { name: 'offset', schema: Schemas.INT64 },
          { name: 'timestamp', schema: Schemas.OPTIONAL_INT64 },
          { name: 'timestampType', schema: Schemas.STRING },
          { name: 'key', schema: Schemas.OPTIONAL_STRING },
          { name: 'headers', schema: Schemas.STRING },
          // a null value without a schema (tombstone), told apart from a null value of the typed column
          { name: 'tombstone', schema: Schemas.BOOLEAN },
          value,
        ],
      };
    }
    if (schema === null) {
      throw new DataError(
        'Parquet needs records with a value schema; use a converter that provides one (e.g. JsonConverter with schemas.enable=true)',
      );
    }
    if (schema.type === 'struct') {
      // An optional struct may be null; its columns must then be able to hold nulls.
      const columns = schema.fields.map((f) => ({
        name: f.name,
        schema: schema.optional ? asOptional(f.schema) : f.schema,
      }));
      return { valueSchema: schema, value: 'fields', columns };
    }
    return { valueSchema: schema, value: 'single', columns: [{ name: 'value', schema }] };
  }

  #row(layout: Layout, record: SinkRecord): unknown[] {
    const { valueSchema } = layout;
    const tombstone = this.options.envelope && (record.value === null || record.value === undefined);
    if (valueSchema !== null && !tombstone) validateValue(valueSchema, record.value);
    const typedValue = (): unknown[] => {
      if (layout.value === 'json') return [this.options.json.enveloped(null, record.value)];
      const schema = valueSchema as Schema;
      if (layout.value === 'single') return [toParquetValue(layout.columns.at(-1)?.schema ?? schema, record.value)];
      const v = record.value;
      if (v === null || v === undefined) return layout.columns.map(() => null);
      if (!isStruct(v)) throw new DataError('expected a Struct value for a struct schema');
      return schema.fields.map((f) => toParquetValue(f.schema, v.get(f.name)));
    };
    if (!this.options.envelope) return typedValue();
    const p = envelopeParts(record, this.options.json);
    return [
      record.topic,
      record.kafkaPartition,
      BigInt(record.kafkaOffset),
      record.timestamp === null ? null : BigInt(record.timestamp),
      record.timestampType,
      p.key,
      p.headers,
      tombstone && record.valueSchema === null,
      ...typedValue(),
    ];
  }

  #metadata(layout: Layout): KeyValue[] {
    const meta: KeyValue[] = [
      { key: PARQUET_META.envelope, value: String(this.options.envelope) },
      { key: PARQUET_META.valueEncoding, value: layout.value === 'json' ? 'json' : 'typed' },
    ];
    if (layout.valueSchema !== null) {
      meta.push({
        key: PARQUET_META.valueSchema,
        value: this.options.json.enveloped(asOptional(layout.valueSchema), null),
      });
      meta.push({ key: PARQUET_META.valueOptional, value: String(layout.valueSchema.optional) });
    }
    return meta;
  }
}

/**
 * Reads a Parquet object back. Objects this connector wrote come back with their exact value
 * schema (from the footer) and, with the envelope, their full records; other Parquet files get a
 * schema derived from their Parquet schema, a struct with one field per column. Throws DataError on
 * a file that is not Parquet.
 */
export async function decodeParquet(bytes: Uint8Array, options: FormatOptions): Promise<DecodedRecord[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(file);
  } catch (err) {
    throw new DataError('object is not a readable Parquet file', { cause: err });
  }
  const kv = new Map((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value ?? '']));
  const rows = (await parquetReadObjects({
    file,
    metadata: { ...metadata, schema: rawDecimalSchema(metadata.schema) },
    utf8: false,
    compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) },
  })) as Record<string, unknown>[];
  const envelope = kv.get(PARQUET_META.envelope) === 'true';
  if (envelope !== options.envelope) {
    throw new DataError(
      `Parquet object ${envelope ? 'has' : 'has no'} record envelope, but store.envelope=${options.envelope}`,
    );
  }
  const schemaText = kv.get(PARQUET_META.valueSchema);
  let valueSchema: Schema | null = null;
  if (schemaText !== undefined) {
    const optionalSchema = options.json.fromEnveloped(schemaText).schema;
    if (optionalSchema !== null)
      valueSchema = kv.get(PARQUET_META.valueOptional) === 'false' ? required(optionalSchema) : optionalSchema;
  }
  if (envelope) {
    const json = kv.get(PARQUET_META.valueEncoding) === 'json';
    return rows.map((r) => {
      const decoded = fromEnvelopeParts(
        {
          topic: text(r['topic']),
          partition: r['partition'],
          offset: r['offset'],
          timestamp: r['timestamp'],
          key: text(r['key']) ?? 'null',
          value: json ? (text(r['value']) ?? 'null') : 'null',
          headers: text(r['headers']) ?? '[]',
        },
        options.json,
      );
      if (json || valueSchema === null || r['tombstone'] === true) return decoded;
      return { ...decoded, valueSchema, value: fromParquetValue(valueSchema, r['value']) };
    });
  }
  if (valueSchema !== null) {
    if (valueSchema.type !== 'struct')
      return rows.map((r) => valueRecord(valueSchema, fromParquetValue(valueSchema, r['value'])));
    const names = valueSchema.fields.map((f) => f.name);
    // an optional struct that was null left every column null
    const isNull = (r: Record<string, unknown>): boolean =>
      valueSchema.optional && names.every((n) => r[n] === null || r[n] === undefined);
    return rows.map((r) => valueRecord(valueSchema, isNull(r) ? null : fromParquetValue(valueSchema, r)));
  }
  const struct = SchemaBuilder.struct();
  for (const c of connectColumns(metadata.schema)) struct.field(c.name, c.schema);
  const derived = struct.build();
  return rows.map((r) => valueRecord(derived, fromParquetValue(derived, r)));
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);
}
