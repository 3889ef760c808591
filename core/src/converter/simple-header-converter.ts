import type { Schema } from '../data/schema.js';
import type { HeaderConverterPlugin } from '../plugin.js';
import { BUILTIN_PLUGIN_VERSION, noSettingsSchema } from './plugin-defaults.js';
import type { HeaderConverter, SchemaAndValue } from './converter.js';
import { parseValueText } from './parse-value-text.js';
import { valueToText } from './value-text.js';

// Invalid UTF-8 is replaced rather than rejected, as Java's `new String(bytes, UTF_8)` does.
const utf8 = new TextDecoder('utf-8');

/**
 * Kafka Connect's default header converter: writes every value as UTF-8 text (strings as is,
 * numbers as Java prints them, structs/maps/arrays as JSON-like text, see `valueToText`) and on read
 * infers a schema from the text (`parseValueText`). Stateless; no settings.
 */
export class SimpleHeaderConverter implements HeaderConverter {
  configure(_config: Readonly<Record<string, string>>): void {
    // no settings
  }

  /** null → null bytes. @throws DataError for values with no text form. */
  fromConnectHeader(_topic: string, _headerKey: string, schema: Schema | null, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    return new Uint8Array(Buffer.from(valueToText(schema, value), 'utf8'));
  }

  /** null bytes → `{schema: null, value: null}`; empty bytes → the empty STRING. */
  toConnectHeader(_topic: string, _headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: null, value: null };
    return parseValueText(utf8.decode(bytes));
  }
}

/** `SimpleHeaderConverter` as a header converter plugin. */
export const simpleHeaderConverterPlugin: HeaderConverterPlugin = Object.freeze({
  className: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
  aliases: Object.freeze(['SimpleHeaderConverter']),
  type: 'header_converter',
  version: BUILTIN_PLUGIN_VERSION,
  configSchema: noSettingsSchema,
  create: () => new SimpleHeaderConverter(),
});
