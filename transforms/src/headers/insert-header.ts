import { parseValueText, withRecord, type AnyRecord, type Header, type Transformation } from '@sluice/core';
import { defineConfigSchema, parseTransformConfig, stringProperty } from '../internal/config.js';
import { transformationPlugin } from '../internal/plugin-factory.js';

/** Settings of `InsertHeader`. */
export const insertHeaderConfigSchema = defineConfigSchema(
  {
    header: stringProperty('The name of the header.', { 'x-importance': 'HIGH' }),
    'value.literal': stringProperty('The literal value set as the header on every record; its type is inferred as Kafka Connect\'s Values.parseString does.', {
      'x-importance': 'HIGH',
    }),
  },
  ['header', 'value.literal'],
);

/**
 * Kafka Connect's `InsertHeader`: appends a header with a fixed value to every record (existing
 * headers of the same name are kept). The literal is parsed once, like Kafka Connect's
 * `Values.parseString`: `42` becomes an INT8, `true` a BOOLEAN, `[1,2]` an array, other text a STRING.
 */
export class InsertHeader implements Transformation {
  #header: Header = Object.freeze({ key: '', schema: null, value: null });

  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<{ header: string; 'value.literal': string }>(insertHeaderConfigSchema, config);
    const parsed = parseValueText(c['value.literal']);
    this.#header = Object.freeze({ key: c.header, schema: parsed.schema, value: parsed.value });
  }

  apply<R extends AnyRecord>(record: R): R | null {
    return withRecord(record, { headers: [...record.headers, this.#header] });
  }

  close(): void {
    // nothing to release
  }
}

/** `org.apache.kafka.connect.transforms.InsertHeader`. */
export const insertHeaderPlugin = transformationPlugin('InsertHeader', insertHeaderConfigSchema, () => new InsertHeader());
