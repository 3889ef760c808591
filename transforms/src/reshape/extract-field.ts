import { DataError, type AnyRecord } from '@sluice/core';
import { FieldPathSyntaxError, SingleFieldPath, type FieldSyntaxVersion } from '../field/single-field-path.js';
import {
  caseInsensitiveAlternatives,
  configError,
  defineConfigSchema,
  parseTransformConfig,
  REPLACE_NULL_WITH_DEFAULT_PROPERTY,
  stringProperty,
} from '../internal/config.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { requireMapOrNull, requireStructOrNull } from '../internal/requirements.js';
import { SidedTransformation } from '../internal/sided-transformation.js';

/** The `field.syntax.version` setting shared by transforms that accept nested paths (KIP-821). */
export const FIELD_SYNTAX_VERSION_PROPERTY = Object.freeze({
  type: 'string',
  default: 'V1',
  pattern: caseInsensitiveAlternatives(['V1', 'V2']),
  description:
    'Syntax of field paths (case-insensitive). V1: a path names one top-level field. V2: dots separate nested fields; ' +
    'wrap a name containing dots in backticks, e.g. `foo.bar`.baz reads field baz of field "foo.bar".',
  'x-importance': 'HIGH',
});

/** Settings of `ExtractField$Key` / `ExtractField$Value`. */
export const extractFieldConfigSchema = defineConfigSchema(
  {
    field: stringProperty('Field name (or, with field.syntax.version=V2, nested path) to extract.'),
    'replace.null.with.default': REPLACE_NULL_WITH_DEFAULT_PROPERTY,
    'field.syntax.version': { ...FIELD_SYNTAX_VERSION_PROPERTY },
  },
  ['field'],
);

interface Config {
  field: string;
  'replace.null.with.default': boolean;
  'field.syntax.version': string;
}

const PURPOSE = 'field extraction';

/**
 * Kafka Connect's `ExtractField`: replaces the key or value with one of its fields (nested with
 * `field.syntax.version=V2`). With a schema the result takes the field's schema, and a field missing
 * from the schema is a DataError; schemaless, a missing field yields null. A null key/value stays
 * null (with a schema, its schema still becomes the field's).
 */
export class ExtractField extends SidedTransformation {
  #path = new SingleFieldPath('field', 'V1');
  #replaceNullWithDefault = true;

  /** @throws ConfigValidationError for a missing field or a malformed V2 path. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(extractFieldConfigSchema, config);
    const version = c['field.syntax.version'].toUpperCase() as FieldSyntaxVersion;
    try {
      this.#path = new SingleFieldPath(c.field, version);
    } catch (err) {
      if (err instanceof FieldPathSyntaxError) throw configError('field', c.field, err.message);
      throw err;
    }
    this.#replaceNullWithDefault = c['replace.null.with.default'];
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const schema = this.schemaOf(record);
    const value = this.valueOf(record);
    if (schema === null) {
      const map = requireMapOrNull(value, PURPOSE);
      return this.withSide(record, null, map === null ? null : this.#path.valueFromMap(map));
    }
    const struct = requireStructOrNull(value, PURPOSE);
    const field = this.#path.fieldFrom(schema);
    if (field === undefined) throw new DataError(`Unknown field: ${this.#path.text}`);
    return this.withSide(record, field.schema, struct === null ? null : this.#path.valueFromStruct(struct, this.#replaceNullWithDefault));
  }
}

/** `org.apache.kafka.connect.transforms.ExtractField$Key` and `…$Value`. */
export const extractFieldPlugins = sidedPlugins('ExtractField', extractFieldConfigSchema, (side) => new ExtractField(side));
