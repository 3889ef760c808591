import type { Schema } from '../data/schema.js';
import { Schemas } from '../data/schema-builder.js';
import { describeType } from '../data/logical.js';
import { DataError } from '../errors/connect-error.js';
import type { ConverterPlugin, HeaderConverterPlugin } from '../plugin.js';
import type { Header } from '../record/record.js';
import { BUILTIN_PLUGIN_VERSION, noSettingsSchema } from './plugin-defaults.js';
import type { Converter, HeaderConverter, SchemaAndValue } from './converter.js';

/**
 * Kafka Connect's `ByteArrayConverter`: passes bytes through untouched. Writing accepts only a null
 * or BYTES schema and a `Uint8Array` (or null) value; reading yields an optional BYTES schema. Also a
 * header converter. No settings.
 */
export class ByteArrayConverter implements Converter, HeaderConverter {
  configure(_config: Readonly<Record<string, string>>, _isKey = false): void {
    // no settings
  }

  /** @throws DataError for a non-BYTES schema or a value that is not a Uint8Array. */
  fromConnectData(_topic: string, schema: Schema | null, value: unknown, _headers?: readonly Header[]): Uint8Array | null {
    if (schema !== null && schema.type !== 'bytes') throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type.toUpperCase()}`);
    if (value === null || value === undefined) return null;
    if (!(value instanceof Uint8Array)) throw new DataError(`ByteArrayConverter is not compatible with objects of type ${describeType(value)}`);
    return value;
  }

  /** null bytes → `{schema: null, value: null}`; otherwise `{schema: OPTIONAL_BYTES, value: bytes}`. */
  toConnectData(_topic: string, bytes: Uint8Array | null, _headers?: readonly Header[]): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: null, value: null };
    return { schema: Schemas.OPTIONAL_BYTES, value: bytes };
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}

const CLASS_NAME = 'org.apache.kafka.connect.converters.ByteArrayConverter';
const ALIASES = Object.freeze(['ByteArrayConverter']);

/** `ByteArrayConverter` as a key/value converter plugin. */
export const byteArrayConverterPlugin: ConverterPlugin = Object.freeze({
  className: CLASS_NAME,
  aliases: ALIASES,
  type: 'converter',
  version: BUILTIN_PLUGIN_VERSION,
  configSchema: noSettingsSchema,
  create: () => new ByteArrayConverter(),
});

/** `ByteArrayConverter` as a header converter plugin (Kafka Connect lists it as both). */
export const byteArrayHeaderConverterPlugin: HeaderConverterPlugin = Object.freeze({
  className: CLASS_NAME,
  aliases: ALIASES,
  type: 'header_converter',
  version: BUILTIN_PLUGIN_VERSION,
  configSchema: noSettingsSchema,
  create: () => new ByteArrayConverter(),
});
