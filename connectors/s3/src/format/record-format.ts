import { schemaEquals, type Header, type Schema, type SinkRecord } from '@sluice/core';
import type { ConnectJson } from './connect-json.js';

/** Object formats: `lines` is read-only (each line a string record). */
export type FormatName = 'json' | 'csv' | 'parquet' | 'bytes' | 'lines';
export type CompressionType = 'none' | 'gzip';
export type ParquetCodec = 'none' | 'snappy' | 'gzip';

/** Where an encoder's bytes go: the upload, possibly through a compressor. */
export interface ByteSink {
  /** Resolves when the bytes were accepted (may wait: backpressure). Not called concurrently. */
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes everything written; the sink takes no bytes after this. */
  end(): Promise<void>;
}

/**
 * Turns the records of one object into bytes. One instance per object; `append` calls are
 * sequential. The object's "schema" is fixed by its first record; `fits` tells the writer when a
 * record would change it, so the writer can rotate first.
 */
export interface RecordEncoder {
  /** False when `record` cannot join this object because its schema (or CSV columns) differ. */
  fits(record: SinkRecord): boolean;
  /**
   * Adds a record. Encodes it completely before writing anything, so a DataError (a value that does
   * not fit the format) leaves the object unchanged. Does not mutate the record.
   */
  append(record: SinkRecord): Promise<void>;
  /** Writes what is buffered plus any trailer, then ends the sink. */
  finish(): Promise<void>;
}

/** Settings every format may use. */
export interface FormatOptions {
  /** write / expect the record envelope (see envelope.ts) */
  readonly envelope: boolean;
  readonly json: ConnectJson;
  /** `bytes` format: written after every record; reading splits on it (empty = one record per object) */
  readonly bytesSeparator: Uint8Array;
  readonly parquetCodec: ParquetCodec;
  /** Parquet rows buffered before a row group is written out */
  readonly parquetRowGroupRecords: number;
}

/** A record read back from an object. Envelope fields are null when the object has no envelope. */
export interface DecodedRecord {
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: number | null;
  readonly timestamp: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  readonly headers: readonly Header[];
}

/** A decoded record that is just a value (no envelope). */
export function valueRecord(valueSchema: Schema | null, value: unknown): DecodedRecord {
  return {
    topic: null,
    partition: null,
    offset: null,
    timestamp: null,
    keySchema: null,
    key: null,
    valueSchema,
    value,
    headers: [],
  };
}

/** Accepted `format.class` values: Confluent's class names and short names. */
export const FORMAT_CLASS_NAMES: Readonly<Record<string, FormatName | 'avro'>> = Object.freeze({
  json: 'json',
  csv: 'csv',
  parquet: 'parquet',
  bytes: 'bytes',
  bytearray: 'bytes',
  lines: 'lines',
  'io.confluent.connect.s3.format.json.JsonFormat': 'json',
  'io.confluent.connect.s3.format.csv.CsvFormat': 'csv',
  'io.confluent.connect.s3.format.parquet.ParquetFormat': 'parquet',
  'io.confluent.connect.s3.format.bytearray.ByteArrayFormat': 'bytes',
  'io.confluent.connect.s3.format.avro.AvroFormat': 'avro',
  'io.confluent.connect.cloud.storage.source.format.CloudStorageJsonFormat': 'json',
  'io.confluent.connect.cloud.storage.source.format.CloudStorageByteArrayFormat': 'bytes',
  'io.confluent.connect.cloud.storage.source.format.CloudStorageAvroFormat': 'avro',
});

/** Chunks below this are gathered before they reach the sink, so tiny records do not mean tiny writes. */
export const WRITE_CHUNK_BYTES = 64 * 1024;

/** Collects text or bytes and hands them to a sink in chunks of about `WRITE_CHUNK_BYTES`. */
export class ChunkedWriter {
  readonly #sink: ByteSink;
  #parts: Uint8Array[] = [];
  #size = 0;

  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  async add(bytes: Uint8Array): Promise<void> {
    this.#parts.push(bytes);
    this.#size += bytes.length;
    if (this.#size >= WRITE_CHUNK_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#size === 0) return;
    const chunk = this.#parts.length === 1 ? (this.#parts[0] as Uint8Array) : Buffer.concat(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    await this.#sink.write(chunk);
  }

  async end(): Promise<void> {
    await this.flush();
    await this.#sink.end();
  }
}

/** Two value schemas are the same for rotation purposes (both absent, or structurally equal). */
export function sameSchema(a: Schema | null, b: Schema | null): boolean {
  return a === b || (a !== null && b !== null && schemaEquals(a, b));
}
