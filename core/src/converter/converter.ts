import type { Schema } from '../data/schema.js';
import type { Header } from '../record/record.js';

/** A schema and a value together (null schema = schemaless). */
export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}

/**
 * Turns Connect data into bytes for the log and back (Kafka Connect's `Converter`). One instance
 * per connector and key/value role. Must not mutate its inputs. Throws DataError on bad input.
 */
export interface Converter {
  /** Called once with the converter's settings (prefix stripped) before any conversion. */
  configure(config: Readonly<Record<string, string>>, isKey: boolean): void;
  /** null value (tombstone) → null bytes. */
  fromConnectData(topic: string, schema: Schema | null, value: unknown, headers?: readonly Header[]): Uint8Array | null;
  /** null bytes → `{schema: null, value: null}`. */
  toConnectData(topic: string, bytes: Uint8Array | null, headers?: readonly Header[]): SchemaAndValue;
}

/** Converts individual header values (Kafka Connect's `HeaderConverter`). */
export interface HeaderConverter {
  configure(config: Readonly<Record<string, string>>): void;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null;
  toConnectHeader(topic: string, headerKey: string, bytes: Uint8Array | null): SchemaAndValue;
}
