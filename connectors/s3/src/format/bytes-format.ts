import { DataError, type SinkRecord } from '@sluice/core';
import {
  ChunkedWriter,
  type ByteSink,
  type FormatOptions,
  type RecordEncoder,
} from './record-format.js';

const encoder = new TextEncoder();

/**
 * Raw bytes (Confluent's ByteArrayFormat): each value's bytes followed by the separator
 * (`format.bytearray.separator`, default a line break). Values must be bytes or strings (written as
 * UTF-8). A value containing the separator reads back as several records.
 */
export class BytesEncoder implements RecordEncoder {
  readonly #out: ChunkedWriter;

  constructor(
    sink: ByteSink,
    private readonly options: FormatOptions,
  ) {
    this.#out = new ChunkedWriter(sink);
  }

  fits(_record: SinkRecord): boolean {
    return true;
  }

  async append(record: SinkRecord): Promise<void> {
    const v = record.value;
    let bytes: Uint8Array;
    if (v instanceof Uint8Array) bytes = v;
    else if (typeof v === 'string') bytes = encoder.encode(v);
    else if (v === null || v === undefined) bytes = new Uint8Array(0);
    else throw new DataError('the bytes format needs byte or string values; use ByteArrayConverter or StringConverter');
    await this.#out.add(bytes);
    if (this.options.bytesSeparator.length > 0) await this.#out.add(this.options.bytesSeparator);
  }

  finish(): Promise<void> {
    return this.#out.end();
  }
}
