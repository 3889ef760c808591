import { describe, expect, it } from 'vitest';
import { DateLogical, Decimal, Time, Timestamp } from '../data/logical.js';
import type { Schema } from '../data/schema.js';
import { SchemaBuilder, Schemas, schemaEquals } from '../data/schema-builder.js';
import { Struct } from '../data/struct.js';
import { ConfigValidationError, DataError } from '../errors/connect-error.js';
import { JsonConverter } from './json-converter.js';

const TOPIC = 'topic';
const text = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('utf8'));
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

function converter(config: Record<string, string> = {}): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, false);
  return c;
}
const write = (schema: Schema | null, value: unknown, config?: Record<string, string>) => text(converter(config).fromConnectData(TOPIC, schema, value));

const structSchema = SchemaBuilder.struct()
  .field('field1', Schemas.BOOLEAN)
  .field('field2', Schemas.STRING)
  .field('field3', Schemas.STRING)
  .field('field4', Schemas.BOOLEAN)
  .build();

describe('JsonConverter writes the exact bytes Kafka Connect writes', () => {
  // Each expected string is Jackson's compact output for Kafka Connect's JsonConverter.
  const golden: [string, Schema | null, unknown, string][] = [
    ['boolean', Schemas.BOOLEAN, true, '{"schema":{"type":"boolean","optional":false},"payload":true}'],
    ['int8', Schemas.INT8, 12, '{"schema":{"type":"int8","optional":false},"payload":12}'],
    ['int16', Schemas.INT16, -12, '{"schema":{"type":"int16","optional":false},"payload":-12}'],
    ['int32', Schemas.INT32, 12, '{"schema":{"type":"int32","optional":false},"payload":12}'],
    ['int64', Schemas.INT64, 4398046511104, '{"schema":{"type":"int64","optional":false},"payload":4398046511104}'],
    ['int64 max', Schemas.INT64, 2n ** 63n - 1n, '{"schema":{"type":"int64","optional":false},"payload":9223372036854775807}'],
    ['float', Schemas.FLOAT32, 12.34, '{"schema":{"type":"float","optional":false},"payload":12.34}'],
    ['double 1.0', Schemas.FLOAT64, 1, '{"schema":{"type":"double","optional":false},"payload":1.0}'],
    ['double 1e10', Schemas.FLOAT64, 1e10, '{"schema":{"type":"double","optional":false},"payload":1.0E10}'],
    ['double NaN', Schemas.FLOAT64, NaN, '{"schema":{"type":"double","optional":false},"payload":"NaN"}'],
    ['bytes', Schemas.BYTES, bytes('test-string'), '{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}'],
    ['string', Schemas.STRING, 'test-string', '{"schema":{"type":"string","optional":false},"payload":"test-string"}'],
    ['escaped string', Schemas.STRING, 'a"b\\c\n\u0001é', '{"schema":{"type":"string","optional":false},"payload":"a\\"b\\\\c\\n\\u0001é"}'],
    [
      'array',
      SchemaBuilder.array(Schemas.INT32).build(),
      [1, 2, 3],
      '{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}',
    ],
    [
      'map with string keys',
      SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build(),
      new Map([['key1', 12], ['key2', 15]]),
      '{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}',
    ],
    [
      'map with int keys',
      SchemaBuilder.map(Schemas.INT32, Schemas.INT32).build(),
      new Map([[1, 12], [2, 15]]),
      '{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}',
    ],
    [
      'struct',
      structSchema,
      new Struct(structSchema).put('field1', true).put('field2', 'string2').put('field3', 'string3').put('field4', false),
      '{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},{"type":"string","optional":false,"field":"field2"},{"type":"string","optional":false,"field":"field3"},{"type":"boolean","optional":false,"field":"field4"}],"optional":false},"payload":{"field1":true,"field2":"string2","field3":"string3","field4":false}}',
    ],
    [
      'decimal',
      Decimal.schema(2),
      { unscaled: 156n, scale: 2 },
      '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}',
    ],
    [
      'negative decimal',
      Decimal.schema(2),
      { unscaled: -156n, scale: 2 },
      '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"/2Q="}',
    ],
    [
      'date',
      DateLogical.schema(),
      new Date(10000 * 86_400_000),
      '{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}',
    ],
    [
      'time',
      Time.schema(),
      new Date(14_400_000),
      '{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}',
    ],
    [
      'timestamp',
      Timestamp.schema(),
      new Date(4_000_000_000),
      '{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}',
    ],
    ['optional null', Schemas.OPTIONAL_BOOLEAN, null, '{"schema":{"type":"boolean","optional":true},"payload":null}'],
    ['default', SchemaBuilder.bool().defaultValue(true).build(), true, '{"schema":{"type":"boolean","optional":false,"default":true},"payload":true}'],
    [
      'null with default',
      SchemaBuilder.int32().optional().defaultValue(7).build(),
      null,
      '{"schema":{"type":"int32","optional":true,"default":7},"payload":7}',
    ],
    [
      'metadata',
      SchemaBuilder.bool().required().name('bool').version(3).doc('the documentation').parameter('foo', 'bar').build(),
      true,
      '{"schema":{"type":"boolean","optional":false,"name":"bool","version":3,"doc":"the documentation","parameters":{"foo":"bar"}},"payload":true}',
    ],
    ['null schema', null, true, '{"schema":null,"payload":true}'],
    ['schemaless object', null, { a: 1, b: [1.5, 'x'] }, '{"schema":null,"payload":{"a":1,"b":[1.5,"x"]}}'],
  ];

  it.each(golden)('%s', (_name, schema, value, expected) => {
    expect(write(schema, value)).toBe(expected);
  });

  it('writes struct field defaults and nested structs in field order', () => {
    const inner = SchemaBuilder.struct().name('Inner').field('x', Schemas.OPTIONAL_FLOAT64).build();
    const outer = SchemaBuilder.struct()
      .field('id', SchemaBuilder.int64().defaultValue(5).build())
      .field('inner', inner)
      .build();
    const value = new Struct(outer).put('inner', new Struct(inner).put('x', 0.5));
    expect(write(outer, value)).toBe(
      '{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"default":5,"field":"id"},{"type":"struct","fields":[{"type":"double","optional":true,"field":"x"}],"optional":false,"name":"Inner","field":"inner"}],"optional":false},"payload":{"id":5,"inner":{"x":0.5}}}',
    );
  });

  it('writes decimals as JSON numbers with decimal.format=NUMERIC', () => {
    expect(write(Decimal.schema(2), { unscaled: 156n, scale: 2 }, { 'decimal.format': 'numeric' })).toBe(
      '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":1.56}',
    );
  });

  it('writes only the payload with schemas.enable=false', () => {
    const off = { 'schemas.enable': 'false' };
    expect(write(Schemas.FLOAT64, 2.5, off)).toBe('2.5');
    expect(write(structSchema, new Struct(structSchema).put('field1', true).put('field2', 'a').put('field3', 'b').put('field4', false), off)).toBe(
      '{"field1":true,"field2":"a","field3":"b","field4":false}',
    );
    // A non-null schema with a null value is the JSON literal null, not a tombstone (as in Kafka Connect).
    expect(write(Schemas.OPTIONAL_STRING, null, off)).toBe('null');
  });

  it('writes a tombstone for a null schema and value', () => {
    expect(converter().fromConnectData(TOPIC, null, null)).toBeNull();
  });

  it('keeps null instead of the default with replace.null.with.default=false', () => {
    const s = SchemaBuilder.struct().field('n', SchemaBuilder.int32().optional().defaultValue(7).build()).build();
    expect(write(s, new Struct(s), { 'replace.null.with.default': 'false', 'schemas.enable': 'false' })).toBe('{"n":null}');
    expect(write(s, new Struct(s), { 'schemas.enable': 'false' })).toBe('{"n":7}');
  });

  it('rejects values that do not fit the schema', () => {
    expect(() => write(Schemas.INT32, 'x')).toThrow(/Invalid type for INT32/);
    expect(() => write(Schemas.INT8, 200)).toThrow(/out of range/);
    expect(() => write(Schemas.STRING, null)).toThrow(/null value for field that is required/);
    expect(() => write(structSchema, new Struct(SchemaBuilder.struct().build()))).toThrow(/Mismatching schema/);
    expect(() => write(Decimal.schema(3), { unscaled: 1n, scale: 2 })).toThrow(/mismatching scale/);
  });
});

describe('JsonConverter reads', () => {
  const read = (json: string, config?: Record<string, string>) => converter(config).toConnectData(TOPIC, bytes(json));

  it('reads envelopes written with spacing and any key order', () => {
    const r = read('{ "payload": { "field1": true, "field2": "s" }, "schema": { "type": "struct", "fields": [{ "field": "field1", "type": "boolean" }, { "type": "string", "field": "field2", "optional": true }] } }');
    const expected = SchemaBuilder.struct().field('field1', Schemas.BOOLEAN).field('field2', Schemas.OPTIONAL_STRING).build();
    expect(schemaEquals(r.schema, expected)).toBe(true);
    expect((r.value as Struct).equals(new Struct(expected).put('field1', true).put('field2', 's'))).toBe(true);
  });

  it('reads schema metadata', () => {
    const r = read('{"schema":{"type":"boolean","optional":false,"name":"bool","version":2,"doc":"d","parameters":{"foo":"bar"}},"payload":true}');
    expect(r.schema).toMatchObject({ type: 'boolean', name: 'bool', version: 2, doc: 'd', parameters: { foo: 'bar' } });
  });

  it('returns the schema default for a null payload', () => {
    const r = read('{"schema":{"type":"boolean","default":true},"payload":null}');
    expect(r.value).toBe(true);
    expect(read('{"schema":{"type":"int32","optional":true,"default":3},"payload":null}', { 'replace.null.with.default': 'false' }).value).toBeNull();
  });

  it('reads int64 beyond 2^53 exactly as bigint', () => {
    const r = read('{"schema":{"type":"int64","optional":false},"payload":9007199254740993}');
    expect(r.value).toBe(9007199254740993n);
    expect(read('{"schema":{"type":"int64"},"payload":-9223372036854775808}').value).toBe(-(2n ** 63n));
    expect(read('{"schema":{"type":"int64"},"payload":42}').value).toBe(42);
    expect(() => read('{"schema":{"type":"int64"},"payload":9223372036854775808}')).toThrow(/out of range/);
  });

  it('reads logical types from their wire forms', () => {
    expect(read('{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}').value).toEqual({ unscaled: 156n, scale: 2 });
    expect(read('{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"17"}},"payload":1.23456789123456789}').value).toEqual({ unscaled: 123456789123456789n, scale: 17 });
    expect(read('{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"4"}},"payload":1.56}').value).toEqual({ unscaled: 15600n, scale: 4 });
    expect((read('{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}').value as Date).toISOString()).toBe('1997-05-19T00:00:00.000Z');
    expect((read('{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":14400000}').value as Date).getTime()).toBe(14_400_000);
    expect((read('{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","default":42},"payload":null}').value as Date).getTime()).toBe(42);
  });

  it('reads maps with non-string keys from arrays of pairs', () => {
    const r = read('{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":[[1,"a"],[2,"b"]]}');
    expect(r.value).toEqual(new Map([[1, 'a'], [2, 'b']]));
    expect(() => read('{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":{"1":"a"}}')).toThrow(/array of tuples/);
  });

  it('reads schemaless JSON: integers as int64, other numbers as float64, objects as maps', () => {
    const off = { 'schemas.enable': 'false' };
    expect(read('{"field1":1,"field2":2.5,"n":null,"l":[1,"2",true],"big":18446744073709551616}', off)).toEqual({
      schema: null,
      value: new Map<string, unknown>([
        ['field1', 1],
        ['field2', 2.5],
        ['n', null],
        ['l', [1, '2', true]],
        ['big', 18446744073709551616n],
      ]),
    });
    expect(read('{"schema":null,"payload":12}').value).toBe(12);
    expect(read('{"schema":null,"payload":null}')).toEqual({ schema: null, value: null });
  });

  it('reads null and empty bytes as a null value', () => {
    expect(converter().toConnectData(TOPIC, null)).toEqual({ schema: null, value: null });
    expect(converter({ 'schemas.enable': 'false' }).toConnectData(TOPIC, new Uint8Array())).toEqual({ schema: null, value: null });
  });

  it('rejects anything but an exact {schema, payload} envelope and suggests schemas.enable=false', () => {
    for (const bad of ['{"a":1}', '{"schema":null,"payload":1,"extra":2}', '[1]', '42', 'null']) {
      expect(() => read(bad)).toThrow(/set schemas\.enable=false/);
    }
  });

  it('rejects invalid schemas and payloads with a DataError', () => {
    const cases = [
      '{"schema":{"optional":true},"payload":1}',
      '{"schema":{"type":"uuid"},"payload":1}',
      '{"schema":{"type":"array"},"payload":[]}',
      '{"schema":{"type":"struct","fields":[{"type":"int32"}]},"payload":{}}',
      '{"schema":{"type":"int32"},"payload":"1"}',
      '{"schema":{"type":"int32"},"payload":1.5}',
      '{"schema":{"type":"int8"},"payload":200}',
      '{"schema":{"type":"string"},"payload":null}',
      '{"schema":{"type":"bytes"},"payload":"not base64!"}',
      '{"schema":{"type":"boolean","parameters":{"a":1}},"payload":true}',
      '{"schema":{"type":"struct","fields":[{"field":"a","type":"int32"}]},"payload":{"a":"x"}}',
      '{"schema":',
    ];
    for (const c of cases) expect(() => read(c), c).toThrow(DataError);
  });

  it('rejects invalid UTF-8', () => {
    expect(() => converter().toConnectData(TOPIC, new Uint8Array([0x22, 0xff, 0x22]))).toThrow(/UTF-8/);
  });

  it('caches parsed schemas by their exact text', () => {
    const c = converter();
    const a = c.toConnectData(TOPIC, bytes('{"schema":{"type":"int32"},"payload":1}')).schema;
    const b = c.toConnectData(TOPIC, bytes('{"schema":{"type":"int32"},"payload":2}')).schema;
    expect(b).toBe(a);
    const uncached = converter({ 'schemas.cache.size': '0' });
    const x = uncached.toConnectData(TOPIC, bytes('{"schema":{"type":"int32"},"payload":1}')).schema;
    const y = uncached.toConnectData(TOPIC, bytes('{"schema":{"type":"int32"},"payload":1}')).schema;
    expect(x).not.toBe(y);
    expect(schemaEquals(x, y)).toBe(true);
  });
});

describe('JsonConverter configuration', () => {
  it('rejects invalid settings with a ConfigValidationError naming the key', () => {
    let caught: unknown;
    try {
      converter({ 'schemas.enable': 'maybe', 'decimal.format': 'HEX' });
    } catch (err) {
      caught = err;
    }
    expect(ConfigValidationError.is(caught)).toBe(true);
    expect((caught as ConfigValidationError).fields.map((f) => f.name).sort()).toEqual(['decimal.format', 'schemas.enable']);
  });

  it('works as a header converter with the same format', () => {
    const c = new JsonConverter();
    c.configure({});
    const b = c.fromConnectHeader(TOPIC, 'h', Schemas.INT32, 5);
    expect(text(b)).toBe('{"schema":{"type":"int32","optional":false},"payload":5}');
    expect(c.toConnectHeader(TOPIC, 'h', b).value).toBe(5);
  });

  it('exposes schema JSON in both directions', () => {
    const c = converter();
    const s = Decimal.builder(3).optional().build();
    const json = c.asJsonSchema(s);
    expect(json).toBe('{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"3"}}');
    expect(schemaEquals(c.asConnectSchema(json), s)).toBe(true);
  });
});
