import { JsonConverter, Schemas, type Schema, type SchemaAndValue } from '@sluice/core';

/** How Decimal values are written in plain JSON (Confluent's `json.decimal.format`). */
export type JsonDecimalFormat = 'BASE64' | 'NUMERIC';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Connect data ↔ JSON text through core's `JsonConverter`, so objects hold exactly what Kafka
 * Connect's JsonConverter would write. Two renderings:
 * - `plain`: the value alone (`schemas.enable=false`), what data-lake readers want;
 * - `enveloped`: `{"schema":…,"payload":…}`, lossless, used inside record envelopes. Nulls are kept
 *   as nulls (not replaced by field defaults) and schemaless bytes get an optional BYTES schema so
 *   they come back as bytes rather than as their base64 text.
 * Throws DataError when a value does not fit its schema. Never mutates its inputs.
 */
export class ConnectJson {
  readonly #plain = new JsonConverter();
  readonly #enveloped = new JsonConverter();

  constructor(decimalFormat: JsonDecimalFormat = 'BASE64') {
    this.#plain.configure({ 'schemas.enable': 'false', 'decimal.format': decimalFormat }, false);
    this.#enveloped.configure(
      { 'schemas.enable': 'true', 'decimal.format': 'BASE64', 'replace.null.with.default': 'false' },
      false,
    );
  }

  /** The value as plain JSON text; `null` for a null value. */
  plain(schema: Schema | null, value: unknown): string {
    const bytes = this.#plain.fromConnectData('', schema, value);
    return bytes === null ? 'null' : decoder.decode(bytes);
  }

  /** `{"schema":…,"payload":…}` text, or `null` for a schemaless null. */
  enveloped(schema: Schema | null, value: unknown): string {
    const effective = schema === null && value instanceof Uint8Array ? Schemas.OPTIONAL_BYTES : schema;
    const bytes = this.#enveloped.fromConnectData('', effective, value);
    return bytes === null ? 'null' : decoder.decode(bytes);
  }

  /** Reads plain JSON text as a schemaless value (objects become Maps, big integers bigints). */
  fromPlain(text: string): SchemaAndValue {
    return this.#plain.toConnectData('', encoder.encode(text));
  }

  /** Reads what `enveloped` wrote. */
  fromEnveloped(text: string): SchemaAndValue {
    if (text === 'null') return { schema: null, value: null };
    return this.#enveloped.toConnectData('', encoder.encode(text));
  }
}
