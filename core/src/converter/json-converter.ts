import type { ConfigSchema } from '../config/config-schema.js';
import { parseConfig } from '../config/parse-config.js';
import type { Schema } from '../data/schema.js';
import { DataError } from '../errors/connect-error.js';
import type { ConverterPlugin, HeaderConverterPlugin } from '../plugin.js';
import type { Header } from '../record/record.js';
import { BUILTIN_PLUGIN_VERSION } from './plugin-defaults.js';
import type { Converter, HeaderConverter, SchemaAndValue } from './converter.js';
import { type DecimalFormat, JsonCodec } from './json-codec.js';
import { parseJson } from './json-text.js';

export type { DecimalFormat } from './json-codec.js';

/** Settings of `JsonConverter` (Kafka Connect's `JsonConverterConfig`), without the converter prefix. */
export const jsonConverterConfigSchema: ConfigSchema = {
  type: 'object',
  properties: {
    'schemas.enable': {
      type: 'boolean',
      default: true,
      description: 'Wrap each message in a {"schema":…,"payload":…} envelope (and expect one when reading).',
      'x-group': 'Schemas',
      'x-order': 0,
      'x-importance': 'HIGH',
      'x-width': 'SHORT',
      'x-display-name': 'Enable Schemas',
    },
    'schemas.cache.size': {
      type: 'integer',
      minimum: 0,
      default: 1000,
      description: 'How many schemas to keep converted in each direction; 0 disables the caches.',
      'x-group': 'Schemas',
      'x-order': 1,
      'x-importance': 'HIGH',
      'x-width': 'SHORT',
      'x-display-name': 'Schema Cache Size',
    },
    'decimal.format': {
      type: 'string',
      enum: ['BASE64', 'NUMERIC'],
      default: 'BASE64',
      description: 'How Decimal values are written: BASE64 (the unscaled bytes) or NUMERIC (a JSON number). Case-insensitive.',
      'x-group': 'Schemas',
      'x-order': 2,
      'x-importance': 'LOW',
      'x-width': 'MEDIUM',
      'x-display-name': 'Decimal Format',
    },
    'replace.null.with.default': {
      type: 'boolean',
      default: true,
      description: 'Write and read a null field that has a default value as that default; false keeps the null.',
      'x-group': 'Schemas',
      'x-order': 3,
      'x-importance': 'LOW',
      'x-width': 'SHORT',
      'x-display-name': 'Replace null with default',
    },
  },
};

interface JsonConverterSettings {
  'schemas.enable': boolean;
  'schemas.cache.size': number;
  'decimal.format': DecimalFormat;
  'replace.null.with.default': boolean;
}

const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. ' +
  'If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Kafka Connect's `JsonConverter`, wire-compatible byte for byte: with `schemas.enable` (default) each
 * message is `{"schema":…,"payload":…}`; without it, just the payload. Also usable as a header
 * converter. Numbers are read losslessly (int64 beyond 2^53 become `bigint`) and written as Java
 * would (`1.0`, `1.0E10`). Usable with defaults before `configure`. Never mutates its inputs.
 */
export class JsonConverter implements Converter, HeaderConverter {
  #schemasEnabled = true;
  #codec = new JsonCodec({ decimalFormat: 'BASE64', replaceNullWithDefault: true, schemaCacheSize: 1000 });

  /** @throws ConfigValidationError on invalid settings. */
  configure(config: Readonly<Record<string, string>>, _isKey = false): void {
    const normalized = { ...config };
    const format = normalized['decimal.format'];
    if (format !== undefined) normalized['decimal.format'] = format.trim().toUpperCase();
    const s = parseConfig<JsonConverterSettings>(jsonConverterConfigSchema, normalized);
    this.#schemasEnabled = s['schemas.enable'];
    this.#codec = new JsonCodec({
      decimalFormat: s['decimal.format'],
      replaceNullWithDefault: s['replace.null.with.default'],
      schemaCacheSize: s['schemas.cache.size'],
    });
  }

  /** A null schema with a null value is a tombstone (null bytes). @throws DataError on a value/schema mismatch. */
  fromConnectData(_topic: string, schema: Schema | null, value: unknown, _headers?: readonly Header[]): Uint8Array | null {
    if (schema === null && (value === null || value === undefined)) return null;
    const payload = this.#codec.valueToJson(schema, value);
    const text = this.#schemasEnabled
      ? `{"schema":${schema === null ? 'null' : this.#codec.schemaToJson(schema)},"payload":${payload}}`
      : payload;
    return new Uint8Array(Buffer.from(text, 'utf8'));
  }

  /** Null or empty bytes → `{schema: null, value: null}`. @throws DataError on malformed input or envelope. */
  toConnectData(_topic: string, bytes: Uint8Array | null, _headers?: readonly Header[]): SchemaAndValue {
    if (bytes === null || bytes === undefined || bytes.length === 0) return { schema: null, value: null };
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch (err) {
      throw new DataError('Converting byte[] to Kafka Connect data failed due to serialization error: invalid UTF-8', { cause: err });
    }
    const root = parseJson(text);
    if (!this.#schemasEnabled) return { schema: null, value: this.#codec.valueFromJson(null, root) };
    if (root.kind !== 'object' || root.entries.size !== 2 || !root.entries.has('schema') || !root.entries.has('payload')) {
      throw new DataError(ENVELOPE_ERROR);
    }
    const schemaNode = root.entries.get('schema')!;
    const cacheKey = schemaNode.kind === 'object' ? text.slice(schemaNode.start, schemaNode.end) : undefined;
    const schema = this.#codec.schemaFromJson(schemaNode, cacheKey);
    return { schema, value: this.#codec.valueFromJson(schema, root.entries.get('payload')) };
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }

  /** The schema's JSON text exactly as it appears in the envelope (Kafka Connect's `asJsonSchema`). */
  asJsonSchema(schema: Schema): string {
    return this.#codec.schemaToJson(schema);
  }

  /** Parses schema JSON text as found in an envelope (Kafka Connect's `asConnectSchema`). */
  asConnectSchema(json: string): Schema | null {
    return this.#codec.schemaFromJson(parseJson(json));
  }
}

const JSON_CONVERTER_CLASS = 'org.apache.kafka.connect.json.JsonConverter';

/** `JsonConverter` as a key/value converter plugin. */
export const jsonConverterPlugin: ConverterPlugin = Object.freeze({
  className: JSON_CONVERTER_CLASS,
  aliases: Object.freeze(['JsonConverter']),
  type: 'converter',
  version: BUILTIN_PLUGIN_VERSION,
  configSchema: () => jsonConverterConfigSchema,
  create: () => new JsonConverter(),
});

/** `JsonConverter` as a header converter plugin. */
export const jsonHeaderConverterPlugin: HeaderConverterPlugin = Object.freeze({
  className: JSON_CONVERTER_CLASS,
  aliases: Object.freeze(['JsonConverter']),
  type: 'header_converter',
  version: BUILTIN_PLUGIN_VERSION,
  configSchema: () => jsonConverterConfigSchema,
  create: () => new JsonConverter(),
});
