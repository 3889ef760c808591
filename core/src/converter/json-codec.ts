import { DataError } from '../errors/connect-error.js';
import { DateLogical, Decimal, describeType, isDecimalValue, Time, Timestamp } from '../data/logical.js';
import type { Schema, SchemaType } from '../data/schema.js';
import { schemaEquals, SchemaBuilder } from '../data/schema-builder.js';
import { isStruct, Struct } from '../data/struct.js';
import { isPlainObject, mapEntries } from '../data/values.js';
import { javaDoubleToString, javaFloatToString } from './java-number.js';
import { type JsonNode, nodeTypeName, quoteJson } from './json-text.js';
import {
  at,
  bytesFromBase64,
  decimalFromNumber,
  floatFromNode,
  integerFromNode,
  integerText,
  narrowInt64,
  numberText,
  schemalessFromJson,
} from './json-scalars.js';
import { LruCache } from './lru-cache.js';

/** How decimals are written: base64 of the unscaled bytes (Kafka's default) or a JSON number. */
export type DecimalFormat = 'BASE64' | 'NUMERIC';

export interface JsonCodecOptions {
  decimalFormat: DecimalFormat;
  replaceNullWithDefault: boolean;
  schemaCacheSize: number;
}

const TYPE_TO_JSON: Readonly<Record<SchemaType, string>> = {
  boolean: 'boolean',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  float32: 'float',
  float64: 'double',
  bytes: 'bytes',
  string: 'string',
  array: 'array',
  map: 'map',
  struct: 'struct',
};
const JSON_TO_TYPE: ReadonlyMap<string, SchemaType> = new Map(
  Object.entries(TYPE_TO_JSON).map(([t, j]) => [j, t as SchemaType]),
);

const base64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

const sub = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

/**
 * Kafka Connect's JSON mapping of schemas and values (the body of `JsonConverter`), writing text that
 * is byte-identical to Jackson's compact output and reading numbers losslessly. One instance per
 * converter; it owns the schema caches.
 */
export class JsonCodec {
  readonly #opts: JsonCodecOptions;
  readonly #schemaJsonCache: LruCache<Schema, string>;
  readonly #schemaCache: LruCache<string, Schema>;

  constructor(opts: JsonCodecOptions) {
    this.#opts = opts;
    this.#schemaJsonCache = new LruCache(opts.schemaCacheSize);
    this.#schemaCache = new LruCache(opts.schemaCacheSize);
  }

  /** Schema → JSON text, keys in Kafka Connect's order (`type`, nested, `optional`, `name`, …). */
  schemaToJson(schema: Schema): string {
    const cached = this.#schemaJsonCache.get(schema);
    if (cached !== undefined) return cached;
    let out = `{"type":"${TYPE_TO_JSON[schema.type]}"`;
    if (schema.type === 'array') out += `,"items":${this.schemaToJson(schema.valueSchema as Schema)}`;
    else if (schema.type === 'map') {
      out += `,"keys":${this.schemaToJson(schema.keySchema as Schema)},"values":${this.schemaToJson(schema.valueSchema as Schema)}`;
    } else if (schema.type === 'struct') {
      // Each field is its schema's JSON with "field" appended last, as Jackson's put() on a copy does.
      const fields = schema.fields.map((f) => `${this.schemaToJson(f.schema).slice(0, -1)},"field":${quoteJson(f.name)}}`);
      out += `,"fields":[${fields.join(',')}]`;
    }
    out += `,"optional":${schema.optional}`;
    if (schema.name !== undefined) out += `,"name":${quoteJson(schema.name)}`;
    if (schema.version !== undefined) out += `,"version":${schema.version}`;
    if (schema.doc !== undefined) out += `,"doc":${quoteJson(schema.doc)}`;
    if (schema.parameters !== undefined) {
      const params = Object.entries(schema.parameters).map(([k, v]) => `${quoteJson(k)}:${quoteJson(v)}`);
      out += `,"parameters":{${params.join(',')}}`;
    }
    if (schema.defaultValue !== undefined) out += `,"default":${this.valueToJson(schema, schema.defaultValue)}`;
    out += '}';
    this.#schemaJsonCache.set(schema, out);
    return out;
  }

  /**
   * JSON schema node → Schema; `null` node → null. `cacheKey` (the node's exact source text) enables
   * the cache. Throws DataError on an invalid schema.
   */
  schemaFromJson(node: JsonNode, cacheKey?: string): Schema | null {
    if (node.kind === 'null') return null;
    if (cacheKey !== undefined) {
      const cached = this.#schemaCache.get(cacheKey);
      if (cached !== undefined) return cached;
    }
    if (node.kind !== 'object') throw new DataError(`Schema must be a JSON object, but found ${nodeTypeName(node)}`);
    const get = (k: string): JsonNode | undefined => node.entries.get(k);
    const typeNode = get('type');
    if (typeNode?.kind !== 'string') throw new DataError("Schema must contain 'type' field");
    const type = JSON_TO_TYPE.get(typeNode.value);
    if (type === undefined) throw new DataError(`Unknown schema type: ${typeNode.value}`);
    let builder: SchemaBuilder;
    if (type === 'array') {
      const items = get('items');
      if (items === undefined || items.kind === 'null') throw new DataError('Array schema did not specify the element type');
      builder = SchemaBuilder.array(this.#requireSchema(items));
    } else if (type === 'map') {
      const keys = get('keys');
      const values = get('values');
      if (keys === undefined) throw new DataError('Map schema did not specify the key type');
      if (values === undefined) throw new DataError('Map schema did not specify the value type');
      builder = SchemaBuilder.map(this.#requireSchema(keys), this.#requireSchema(values));
    } else if (type === 'struct') {
      builder = SchemaBuilder.struct();
      const fields = get('fields');
      if (fields?.kind !== 'array') throw new DataError('Struct schema\'s "fields" argument is not an array.');
      for (const f of fields.items) {
        const name = f.kind === 'object' ? f.entries.get('field') : undefined;
        if (name?.kind !== 'string') throw new DataError("Struct schema's field name not specified properly");
        builder.field(name.value, this.#requireSchema(f));
      }
    } else {
      builder = SchemaBuilder.type(type);
    }
    const optional = get('optional');
    if (optional?.kind === 'boolean' && optional.value) builder.optional();
    const name = get('name');
    if (name?.kind === 'string') builder.name(name.value);
    const version = get('version');
    if (version?.kind === 'number' && version.integral) builder.version(Number(version.text));
    const doc = get('doc');
    if (doc?.kind === 'string') builder.doc(doc.value);
    const params = get('parameters');
    if (params?.kind === 'object') {
      for (const [k, v] of params.entries) {
        if (v.kind !== 'string') throw new DataError('Schema parameters must have string values.');
        builder.parameter(k, v.value);
      }
    }
    const dflt = get('default');
    if (dflt !== undefined) builder.defaultValue(this.valueFromJson(builder.build(), dflt, 'default'));
    const schema = builder.build();
    if (cacheKey !== undefined) this.#schemaCache.set(cacheKey, schema);
    return schema;
  }

  #requireSchema(node: JsonNode): Schema {
    const s = this.schemaFromJson(node);
    if (s === null) throw new DataError('Nested schema must not be null');
    return s;
  }

  /** Value → JSON text. `schema` null means schemaless (types inferred from the JS value). */
  valueToJson(schema: Schema | null, value: unknown, path = ''): string {
    if (value === null || value === undefined) {
      if (schema === null) return 'null';
      if (schema.defaultValue !== undefined && this.#opts.replaceNullWithDefault) return this.valueToJson(schema, schema.defaultValue, path);
      if (schema.optional) return 'null';
      throw at(path, 'Conversion error: null value for field that is required and has no default value');
    }
    if (schema === null) return this.#schemalessToJson(value, path);
    switch (schema.name) {
      case Decimal.LOGICAL_NAME:
        if (!isDecimalValue(value)) throw at(path, `Invalid type for Decimal, expected DecimalValue but was ${describeType(value)}`);
        if (this.#opts.decimalFormat === 'NUMERIC') return Decimal.toJavaString(value);
        return `"${base64(Decimal.fromLogical(schema, value))}"`;
      case DateLogical.LOGICAL_NAME:
        return String(DateLogical.fromLogical(schema, value as Date));
      case Time.LOGICAL_NAME:
        return String(Time.fromLogical(schema, value as Date));
      case Timestamp.LOGICAL_NAME:
        return String(Timestamp.fromLogical(schema, value as Date));
    }
    const wrongType = (): DataError => at(path, `Invalid type for ${schema.type.toUpperCase()}: ${describeType(value)}`);
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64': {
        const text = integerText(schema.type, value, path);
        if (text === undefined) throw wrongType();
        return text;
      }
      case 'float32':
        if (typeof value !== 'number') throw wrongType();
        return numberText(javaFloatToString(value));
      case 'float64':
        if (typeof value !== 'number') throw wrongType();
        return numberText(javaDoubleToString(value));
      case 'boolean':
        if (typeof value !== 'boolean') throw wrongType();
        return value ? 'true' : 'false';
      case 'string':
        if (typeof value !== 'string') throw wrongType();
        return quoteJson(value);
      case 'bytes':
        if (!(value instanceof Uint8Array)) throw wrongType();
        return `"${base64(value)}"`;
      case 'array': {
        if (!Array.isArray(value)) throw wrongType();
        const elem = schema.valueSchema as Schema;
        return `[${value.map((v, i) => this.valueToJson(elem, v, `${path}[${i}]`)).join(',')}]`;
      }
      case 'map': {
        if (!(value instanceof Map) && !isPlainObject(value)) throw wrongType();
        return this.#mapToJson(schema.keySchema as Schema, schema.valueSchema as Schema, value, path);
      }
      case 'struct': {
        if (!isStruct(value) || (value.schema !== schema && !schemaEquals(value.schema, schema))) throw at(path, 'Mismatching schema.');
        const parts = schema.fields.map(
          (f) => `${quoteJson(f.name)}:${this.valueToJson(f.schema, value.getWithoutDefault(f.name), sub(path, f.name))}`,
        );
        return `{${parts.join(',')}}`;
      }
    }
  }

  #mapToJson(keySchema: Schema | null, valueSchema: Schema | null, map: Map<unknown, unknown> | Record<string, unknown>, path: string): string {
    const entries = [...mapEntries(map)];
    const objectMode = keySchema !== null ? keySchema.type === 'string' : entries.every(([k]) => typeof k === 'string');
    if (objectMode) {
      const parts = entries.map(([k, v], i) => {
        const keyText = typeof k === 'string' ? k : stringKey(this.valueToJson(keySchema, k, `${path}[${i}].key`));
        return `${quoteJson(keyText)}:${this.valueToJson(valueSchema, v, `${path}[${i}].value`)}`;
      });
      return `{${parts.join(',')}}`;
    }
    const pairs = entries.map(
      ([k, v], i) => `[${this.valueToJson(keySchema, k, `${path}[${i}].key`)},${this.valueToJson(valueSchema, v, `${path}[${i}].value`)}]`,
    );
    return `[${pairs.join(',')}]`;
  }

  #schemalessToJson(value: unknown, path: string): string {
    if (typeof value === 'string') return quoteJson(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number') {
      if (Number.isInteger(value)) return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
      return numberText(javaDoubleToString(value));
    }
    if (value instanceof Uint8Array) return `"${base64(value)}"`;
    if (value instanceof Date) return String(value.getTime());
    if (isStruct(value)) return this.valueToJson(value.schema, value, path);
    if (Array.isArray(value)) return `[${value.map((v, i) => this.valueToJson(null, v, `${path}[${i}]`)).join(',')}]`;
    if (isDecimalValue(value) && Object.keys(value).length === 2) return Decimal.toJavaString(value);
    if (value instanceof Map || isPlainObject(value)) return this.#mapToJson(null, null, value, path);
    throw at(path, `${describeType(value)} does not have corresponding schema type.`);
  }

  /** JSON node → value for `schema` (null = schemaless). `undefined` node means a missing field. */
  valueFromJson(schema: Schema | null, node: JsonNode | undefined, path = ''): unknown {
    if (schema === null) return schemalessFromJson(node ?? { kind: 'null' }, path);
    if (node === undefined || node.kind === 'null') {
      if (schema.defaultValue !== undefined && this.#opts.replaceNullWithDefault) return schema.defaultValue;
      if (schema.optional) return null;
      throw at(path, `Invalid null value for required ${schema.type.toUpperCase()} field`);
    }
    switch (schema.name) {
      case Decimal.LOGICAL_NAME:
        if (node.kind === 'number') return decimalFromNumber(node.text, Decimal.scaleOf(schema));
        if (node.kind === 'string') return Decimal.toLogical(schema, bytesFromBase64(node.value, path));
        throw at(path, `Invalid type for Decimal, underlying representation should be numeric or bytes but was ${nodeTypeName(node)}`);
      case DateLogical.LOGICAL_NAME:
        return DateLogical.toLogical(schema, Number(integerFromNode('int32', node, path, 'Date')));
      case Time.LOGICAL_NAME:
        return Time.toLogical(schema, Number(integerFromNode('int32', node, path, 'Time')));
      case Timestamp.LOGICAL_NAME:
        return Timestamp.toLogical(schema, integerFromNode('int64', node, path, 'Timestamp'));
    }
    const expected = (what: string): DataError => at(path, `Expected ${what} for ${schema.type.toUpperCase()} but found ${nodeTypeName(node)}`);
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
        return Number(integerFromNode(schema.type, node, path));
      case 'int64':
        return narrowInt64(integerFromNode('int64', node, path));
      case 'float32':
        return Math.fround(floatFromNode(node, path));
      case 'float64':
        return floatFromNode(node, path);
      case 'boolean':
        if (node.kind !== 'boolean') throw expected('a boolean');
        return node.value;
      case 'string':
        if (node.kind !== 'string') throw expected('a string');
        return node.value;
      case 'bytes':
        if (node.kind !== 'string') throw expected('a base64 string');
        return bytesFromBase64(node.value, path);
      case 'array': {
        if (node.kind !== 'array') throw expected('a JSON array');
        const elem = schema.valueSchema as Schema;
        return node.items.map((item, i) => this.valueFromJson(elem, item, `${path}[${i}]`));
      }
      case 'map': {
        const keySchema = schema.keySchema as Schema;
        const valueSchema = schema.valueSchema as Schema;
        const result = new Map<unknown, unknown>();
        if (keySchema.type === 'string') {
          if (node.kind !== 'object') throw at(path, `Maps with string fields should be encoded as JSON objects, but found ${nodeTypeName(node)}`);
          let i = 0;
          for (const [k, v] of node.entries) result.set(k, this.valueFromJson(valueSchema, v, `${path}[${i++}].value`));
          return result;
        }
        if (node.kind !== 'array') throw at(path, `Maps with non-string fields should be encoded as JSON array of tuples, but found ${nodeTypeName(node)}`);
        node.items.forEach((entry, i) => {
          if (entry.kind !== 'array') throw at(path, `Found invalid map entry instead of array tuple: ${nodeTypeName(entry)}`);
          if (entry.items.length !== 2) throw at(path, `Found invalid map entry, expected length 2 but found :${entry.items.length}`);
          result.set(this.valueFromJson(keySchema, entry.items[0], `${path}[${i}].key`), this.valueFromJson(valueSchema, entry.items[1], `${path}[${i}].value`));
        });
        return result;
      }
      case 'struct': {
        if (node.kind !== 'object') throw at(path, `Structs should be encoded as JSON objects, but found ${nodeTypeName(node)}`);
        const struct = new Struct(schema);
        for (const f of schema.fields) struct.put(f.name, this.valueFromJson(f.schema, node.entries.get(f.name), sub(path, f.name)));
        return struct;
      }
    }
  }
}

// In object mode a non-string key schema (e.g. a logical string) still renders as text.
function stringKey(json: string): string {
  return json.startsWith('"') ? (JSON.parse(json) as string) : json;
}
