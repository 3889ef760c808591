import { IllegalStateError } from '@sluice/core';
import { BytesEncoder } from './bytes-format.js';
import { gzipSink } from './compression.js';
import { CsvEncoder } from './csv-format.js';
import { JsonLinesEncoder } from './json-lines-format.js';
import { ParquetEncoder } from './parquet-format.js';
import type {
  ByteSink,
  CompressionType,
  FormatName,
  FormatOptions,
  ParquetCodec,
  RecordEncoder,
} from './record-format.js';

/** Formats the sink can write. */
export type WritableFormat = Exclude<FormatName, 'lines'>;

/** How objects of one format are named and compressed. */
export interface ObjectNaming {
  readonly format: WritableFormat;
  readonly compression: CompressionType;
  readonly parquetCodec: ParquetCodec;
  /** `format.bytearray.extension`, with its dot */
  readonly bytesExtension: string;
}

/**
 * The file extension, as Confluent's S3 sink names it: `.json`, `.csv`, the byte-array extension
 * (`.bin`), each + `.gz` when gzip-compressed; Parquet as `.snappy.parquet`, `.gz.parquet` or
 * `.parquet` by codec.
 */
export function fileExtension(naming: ObjectNaming): string {
  const gz = naming.compression === 'gzip' ? '.gz' : '';
  switch (naming.format) {
    case 'json':
      return `.json${gz}`;
    case 'csv':
      return `.csv${gz}`;
    case 'bytes':
      return `${naming.bytesExtension}${gz}`;
    case 'parquet':
      return naming.parquetCodec === 'snappy'
        ? '.snappy.parquet'
        : naming.parquetCodec === 'gzip'
          ? '.gz.parquet'
          : '.parquet';
  }
}

/**
 * An encoder for one object writing into `sink`; text and byte formats go through gzip when
 * `compression` is gzip (Parquet compresses its pages itself, by `parquetCodec`).
 */
export function createEncoder(
  format: WritableFormat,
  compression: CompressionType,
  compressionLevel: number,
  sink: ByteSink,
  options: FormatOptions,
): RecordEncoder {
  const out = compression === 'gzip' && format !== 'parquet' ? gzipSink(sink, compressionLevel) : sink;
  switch (format) {
    case 'json':
      return new JsonLinesEncoder(out, options);
    case 'csv':
      return new CsvEncoder(out, options);
    case 'parquet':
      return new ParquetEncoder(out, options);
    case 'bytes':
      return new BytesEncoder(out, options);
    default:
      throw new IllegalStateError(`no encoder for format ${String(format)}`);
  }
}

export { decodeObject } from './record-stream.js';
