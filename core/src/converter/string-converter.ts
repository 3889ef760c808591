import type { ConfigSchema } from '../config/config-schema.js';
import { parseConfig } from '../config/parse-config.js';
import type { Schema } from '../data/schema.js';
import { Schemas } from '../data/schema-builder.js';
import { ConfigValidationError } from '../errors/connect-error.js';
import type { ConverterPlugin, HeaderConverterPlugin } from '../plugin.js';
import type { Header } from '../record/record.js';
import type { Converter, HeaderConverter, SchemaAndValue } from './converter.js';
import { BUILTIN_PLUGIN_VERSION } from './plugin-defaults.js';
import { valueToText } from './value-text.js';

/** A character set: how text becomes bytes and back. */
interface Charset {
  encode(text: string): Uint8Array;
  decode(bytes: Uint8Array): string;
}

const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const swap16 = (b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(b.length - (b.length % 2));
  for (let i = 0; i + 1 < b.length; i += 2) {
    out[i] = b[i + 1]!;
    out[i + 1] = b[i]!;
  }
  return out;
};
const utf8Decoder = new TextDecoder('utf-8');

const UTF8: Charset = { encode: (t) => new Uint8Array(Buffer.from(t, 'utf8')), decode: (b) => utf8Decoder.decode(b) };
const UTF16LE: Charset = { encode: (t) => new Uint8Array(Buffer.from(t, 'utf16le')), decode: (b) => buf(b).toString('utf16le') };
const UTF16BE: Charset = { encode: (t) => swap16(UTF16LE.encode(t)), decode: (b) => UTF16LE.decode(swap16(b)) };
const CHARSETS: ReadonlyMap<string, Charset> = new Map([
  ['UTF-8', UTF8],
  ['UTF8', UTF8],
  ['UTF-16LE', UTF16LE],
  ['UTF-16BE', UTF16BE],
  // Java's UTF-16 writes a big-endian BOM and reads either byte order by its BOM (big-endian without one).
  [
    'UTF-16',
    {
      encode: (t: string) => UTF16BE.encode(`\ufeff${t}`),
      decode: (b: Uint8Array) =>
        b[0] === 0xff && b[1] === 0xfe ? UTF16LE.decode(b.subarray(2))
        : b[0] === 0xfe && b[1] === 0xff ? UTF16BE.decode(b.subarray(2))
        : UTF16BE.decode(b),
    },
  ],
  [
    'ISO-8859-1',
    { encode: (t: string) => new Uint8Array(Buffer.from(t.replace(/[^\u0000-\u00ff]/g, '?'), 'latin1')), decode: (b: Uint8Array) => buf(b).toString('latin1') },
  ],
  [
    'US-ASCII',
    {
      encode: (t: string) => new Uint8Array(Buffer.from(t.replace(/[^\u0000-\u007f]/g, '?'), 'latin1')),
      decode: (b: Uint8Array) => buf(b).toString('latin1').replace(/[\u0080-\u00ff]/g, '\ufffd'),
    },
  ],
]);
const ALIASES: Readonly<Record<string, string>> = { LATIN1: 'ISO-8859-1', ISO8859_1: 'ISO-8859-1', ASCII: 'US-ASCII', UTF_8: 'UTF-8' };

/** Names of the encodings `StringConverter` accepts (case-insensitive; `UTF8`, `latin1`, `ascii` also work). */
export const STRING_CONVERTER_ENCODINGS: readonly string[] = Object.freeze(['UTF-8', 'UTF-16', 'UTF-16BE', 'UTF-16LE', 'ISO-8859-1', 'US-ASCII']);

function charsetFor(name: string): Charset | undefined {
  const upper = name.trim().toUpperCase();
  return CHARSETS.get(ALIASES[upper] ?? upper);
}

/** Settings of `StringConverter` (Kafka Connect's `StringConverterConfig`). */
export const stringConverterConfigSchema: ConfigSchema = {
  type: 'object',
  properties: {
    'converter.encoding': {
      type: 'string',
      default: 'UTF-8',
      description: `Character encoding for text in and out: ${STRING_CONVERTER_ENCODINGS.join(', ')} (case-insensitive).`,
      'x-importance': 'HIGH',
      'x-width': 'MEDIUM',
      'x-display-name': 'Encoding',
    },
  },
};

/**
 * Kafka Connect's `StringConverter`: writes a value's text (a string as is; other values as
 * `valueToText` renders them, where Kafka would call Java's `toString()`) in the configured encoding,
 * and reads bytes as an optional STRING. Also a header converter.
 */
export class StringConverter implements Converter, HeaderConverter {
  #charset: Charset = UTF8;

  /** @throws ConfigValidationError for an unsupported encoding. */
  configure(config: Readonly<Record<string, string>>, _isKey = false): void {
    const settings = parseConfig<{ 'converter.encoding': string }>(stringConverterConfigSchema, config);
    const name = settings['converter.encoding'];
    const charset = charsetFor(name);
    if (charset === undefined) {
      const message = `Invalid value ${name} for configuration converter.encoding: must be one of ${STRING_CONVERTER_ENCODINGS.join(', ')}`;
      throw new ConfigValidationError(message, [{ name: 'converter.encoding', errors: [message] }]);
    }
    this.#charset = charset;
  }

  /** null → null bytes. */
  fromConnectData(_topic: string, schema: Schema | null, value: unknown, _headers?: readonly Header[]): Uint8Array | null {
    if (value === null || value === undefined) return null;
    return this.#charset.encode(typeof value === 'string' ? value : valueToText(schema, value));
  }

  /** null bytes → `{schema: null, value: null}`; otherwise `{schema: OPTIONAL_STRING, value: text}`. */
  toConnectData(_topic: string, bytes: Uint8Array | null, _headers?: readonly Header[]): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: null, value: null };
    return { schema: Schemas.OPTIONAL_STRING, value: this.#charset.decode(bytes) };
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}

const CLASS_NAME = 'org.apache.kafka.connect.storage.StringConverter';

/** `StringConverter` as a key/value converter plugin. */
export const stringConverterPlugin: ConverterPlugin = Object.freeze({
  className: CLASS_NAME,
  aliases: Object.freeze(['StringConverter']),
  type: 'converter',
  version: BUILTIN_PLUGIN_VERSION,
  configSchema: () => stringConverterConfigSchema,
  create: () => new StringConverter(),
});

/** `StringConverter` as a header converter plugin. */
export const stringHeaderConverterPlugin: HeaderConverterPlugin = Object.freeze({
  className: CLASS_NAME,
  aliases: Object.freeze(['StringConverter']),
  type: 'header_converter',
  version: BUILTIN_PLUGIN_VERSION,
  configSchema: () => stringConverterConfigSchema,
  create: () => new StringConverter(),
});
