import type { Schema, SinkRecord } from '@sluice/core';
import { envelopeLine, fromEnvelopeLine } from './envelope.js';
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

/**
 * JSON lines: one record per line. Without the envelope each line is the value as Kafka Connect's
 * JsonConverter writes it with `schemas.enable=false` (what Confluent's JsonFormat writes); with it,
 * the envelope line of `envelope.ts`.
 */
export class JsonLinesEncoder implements RecordEncoder {
  readonly #out: ChunkedWriter;
  #schema: Schema | null | undefined;

  constructor(
    sink: ByteSink,
    private readonly options: FormatOptions,
  ) {
    this.#out = new ChunkedWriter(sink);
  }

  /** A null value (tombstone) fits any object: it carries no schema of its own. */
  fits(record: SinkRecord): boolean {
    return (
      this.#schema === undefined ||
      record.value === null ||
      record.value === undefined ||
      sameSchema(this.#schema, record.valueSchema)
    );
  }

  async append(record: SinkRecord): Promise<void> {
    const { json, envelope } = this.options;
    const line = envelope ? envelopeLine(record, json) : json.plain(record.valueSchema, record.value);
    if (record.value !== null && record.value !== undefined) this.#schema ??= record.valueSchema;
    await this.#out.add(encoder.encode(`${line}\n`));
  }

  finish(): Promise<void> {
    return this.#out.end();
  }
}

/** Splits text into lines (LF or CRLF), dropping a final empty line. */
export function textLines(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Reads JSON lines back: envelope lines into full records, plain lines into schemaless values
 * (objects become Maps, as JsonConverter reads them). Blank lines are skipped. Throws DataError on
 * a malformed line.
 */
export function decodeJsonLines(text: string, options: FormatOptions): DecodedRecord[] {
  return textLines(text)
    .filter((line) => line.trim() !== '')
    .map((line) => jsonLineRecord(line, options));
}

/** One non-blank JSON line as a record (an envelope line, or a plain value). Throws DataError when malformed. */
export function jsonLineRecord(line: string, options: FormatOptions): DecodedRecord {
  if (options.envelope) return fromEnvelopeLine(line, options.json);
  const sv = options.json.fromPlain(line);
  return valueRecord(sv.schema, sv.value);
}
