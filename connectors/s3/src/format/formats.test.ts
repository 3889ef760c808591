import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import {
  DateLogical,
  Decimal,
  SchemaBuilder,
  Schemas,
  sinkRecord,
  Struct,
  Time,
  Timestamp,
  valueEquals,
  type Schema,
  type SinkRecord,
} from '@sluice/core';
import { ConnectJson } from './connect-json.js';
import { createEncoder, decodeObject, fileExtension, type WritableFormat } from './format-registry.js';
import type { CompressionType, DecodedRecord, FormatOptions } from './record-format.js';

const options = (over: Partial<FormatOptions> = {}): FormatOptions => ({
  envelope: false,
  json: new ConnectJson('BASE64'),
  bytesSeparator: new TextEncoder().encode('\n'),
  parquetCodec: 'snappy',
  parquetRowGroupRecords: 2,
  ...over,
});

async function encode(
  format: WritableFormat,
  records: readonly SinkRecord[],
  opts: FormatOptions,
  compression: CompressionType = 'none',
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let ended = 0;
  const encoder = createEncoder(
    format,
    compression,
    -1,
    { write: async (c) => void chunks.push(c), end: async () => void ended++ },
    opts,
  );
  for (const r of records) {
    expect(encoder.fits(r)).toBe(true);
    await encoder.append(r);
  }
  await encoder.finish();
  expect(ended).toBe(1);
  return Buffer.concat(chunks);
}

const order = SchemaBuilder.struct()
  .name('com.example.Order')
  .version(2)
  .doc('an order')
  .field('id', Schemas.INT64)
  .field('tiny', Schemas.INT8)
  .field('small', Schemas.OPTIONAL_INT16)
  .field('qty', Schemas.INT32)
  .field('ratio', Schemas.FLOAT32)
  .field('price', Decimal.builder(2).optional().build())
  .field('score', Schemas.FLOAT64)
  .field('paid', Schemas.BOOLEAN)
  .field('note', Schemas.OPTIONAL_STRING)
  .field('blob', Schemas.OPTIONAL_BYTES)
  .field('day', DateLogical.builder().optional().build())
  .field('at', Time.builder().optional().build())
  .field('created', Timestamp.schema())
  .field('address', SchemaBuilder.struct().name('Address').field('city', Schemas.STRING).optional().build())
  .field('tags', SchemaBuilder.array(Schemas.STRING).optional().build())
  .field('counts', SchemaBuilder.map(Schemas.INT32, Schemas.OPTIONAL_INT64).optional().build())
  .build();

function orderValue(id: number | bigint, note: string | null): Struct {
  return new Struct(order)
    .put('id', id)
    .put('tiny', -7)
    .put('small', 300)
    .put('qty', 3)
    .put('ratio', 0.5)
    .put('price', Decimal.fromString('1234567890123456.78'))
    .put('score', 1.25)
    .put('paid', true)
    .put('note', note)
    .put('blob', Uint8Array.of(0, 255, 10))
    .put('day', new Date(Date.UTC(2024, 1, 29)))
    .put('at', new Date(45_296_789))
    .put('created', new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)))
    .put('address', new Struct(order.field('address')!.schema).put('city', 'Bergen'))
    .put('tags', ['a', 'b,c'])
    .put(
      'counts',
      new Map([
        [1, 10n ** 15n],
        [2, null],
      ]),
    );
}

const keySchema = SchemaBuilder.struct().field('id', Schemas.INT64).build();

function orderRecords(): SinkRecord[] {
  return [
    sinkRecord({
      topic: 'orders',
      kafkaPartition: 2,
      kafkaOffset: 40,
      keySchema,
      key: new Struct(keySchema).put('id', 9_007_199_254_740_993n),
      valueSchema: order,
      value: orderValue(9_007_199_254_740_993n, 'first, "quoted"\nline'),
      timestamp: 1_700_000_000_000,
      headers: [
        { key: 'trace', schema: Schemas.STRING, value: 't-1' },
        { key: 'raw', schema: null, value: Uint8Array.of(1, 2, 3) },
        { key: 'n', schema: Schemas.INT32, value: 5 },
      ],
    }),
    sinkRecord({
      topic: 'orders',
      kafkaPartition: 2,
      kafkaOffset: 41,
      keySchema: Schemas.STRING,
      key: 'k2',
      valueSchema: order,
      value: orderValue(2, null),
      timestamp: null,
    }),
    sinkRecord({
      topic: 'orders',
      kafkaPartition: 2,
      kafkaOffset: 43,
      keySchema: Schemas.STRING,
      key: 'k3',
      valueSchema: order,
      value: orderValue(3, ''),
      timestamp: 1,
    }),
  ];
}

function expectSameRecord(decoded: DecodedRecord, original: SinkRecord): void {
  expect(decoded.topic).toBe(original.topic);
  expect(decoded.partition).toBe(original.kafkaPartition);
  expect(decoded.offset).toBe(original.kafkaOffset);
  expect(decoded.timestamp).toBe(original.timestamp);
  expect(valueEquals(decoded.key, original.key)).toBe(true);
  expect(decoded.keySchema?.type ?? null).toBe(original.keySchema?.type ?? null);
  expect(decoded.valueSchema?.name).toBe(original.valueSchema?.name);
  expect(decoded.valueSchema?.version).toBe(original.valueSchema?.version);
  expect(decoded.valueSchema?.doc).toBe(original.valueSchema?.doc);
  expect(valueEquals(decoded.value, original.value)).toBe(true);
  expect(decoded.headers.map((h) => h.key)).toEqual(original.headers.map((h) => h.key));
  decoded.headers.forEach((h, i) => expect(valueEquals(h.value, original.headers[i]?.value)).toBe(true));
}

describe('JSON lines', () => {
  it('writes each value as JsonConverter does without schemas, one per line', async () => {
    const schema = SchemaBuilder.struct().field('id', Schemas.INT64).field('name', Schemas.STRING).build();
    const records = [
      sinkRecord({
        topic: 't',
        kafkaPartition: 0,
        kafkaOffset: 0,
        valueSchema: schema,
        value: new Struct(schema).put('id', 1).put('name', 'a'),
      }),
      sinkRecord({
        topic: 't',
        kafkaPartition: 0,
        kafkaOffset: 1,
        valueSchema: schema,
        value: new Struct(schema).put('id', 2).put('name', 'b"'),
      }),
    ];
    const text = Buffer.from(await encode('json', records, options())).toString();
    expect(text).toBe('{"id":1,"name":"a"}\n{"id":2,"name":"b\\""}\n');
    const decoded = await decodeObject('json', new TextEncoder().encode(text), options());
    expect(decoded.map((d) => d.value)).toEqual([
      new Map<string, unknown>([
        ['id', 1],
        ['name', 'a'],
      ]),
      new Map<string, unknown>([
        ['id', 2],
        ['name', 'b"'],
      ]),
    ]);
  });

  it('restores every part of a record from envelope lines, big integers and schemas included', async () => {
    const records = orderRecords();
    const bytes = await encode('json', records, options({ envelope: true }));
    const decoded = await decodeObject('json', bytes, options({ envelope: true }));
    expect(decoded).toHaveLength(3);
    decoded.forEach((d, i) => expectSameRecord(d, records[i] as SinkRecord));
  });

  it('gzips the stream when asked and reads gzip back by its magic number', async () => {
    const records = orderRecords();
    const bytes = await encode('json', records, options({ envelope: true }), 'gzip');
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const decoded = await decodeObject('json', bytes, options({ envelope: true }));
    decoded.forEach((d, i) => expectSameRecord(d, records[i] as SinkRecord));
  });

  it('says a record with another schema does not fit the object', async () => {
    const encoder = createEncoder('json', 'none', -1, { write: async () => {}, end: async () => {} }, options());
    await encoder.append(
      sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 0, valueSchema: Schemas.STRING, value: 'a' }),
    );
    expect(
      encoder.fits(
        sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 1, valueSchema: Schemas.STRING, value: 'b' }),
      ),
    ).toBe(true);
    expect(
      encoder.fits(sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 2, valueSchema: Schemas.INT32, value: 1 })),
    ).toBe(false);
    // a tombstone carries no schema of its own, so it does not split objects
    expect(
      encoder.fits(sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 3, valueSchema: null, value: null })),
    ).toBe(true);
  });
});

describe('CSV', () => {
  it('writes a header of struct fields and one row per record, nested values as JsonConverter JSON', async () => {
    const records = orderRecords();
    const text = Buffer.from(await encode('csv', records.slice(0, 2), options())).toString();
    const lines = text.split('\n');
    expect(lines[0]).toBe('id,tiny,small,qty,ratio,price,score,paid,note,blob,day,at,created,address,tags,counts');
    expect(text).toContain(
      '9007199254740993,-7,300,3,0.5,1234567890123456.78,1.25,true,"first, ""quoted""\nline",AP8K,2024-02-29,12:34:56.789,2024-02-29T12:34:56.789Z,"{""city"":""Bergen""}","[""a"",""b,c""]","[[1,1000000000000000],[2,null]]"\n',
    );
    const decoded = await decodeObject('csv', new TextEncoder().encode(text), options());
    expect(decoded.map((d) => (d.value as Struct).get('note'))).toEqual(['first, "quoted"\nline', null]);
    expect(decoded[0]?.valueSchema?.fields.map((f) => f.name)).toEqual(order.fields.map((f) => f.name));
  });

  it('writes map keys as columns, primitive values as one value column', async () => {
    const maps = [
      sinkRecord({
        topic: 't',
        kafkaPartition: 0,
        kafkaOffset: 0,
        value: new Map<string, unknown>([
          ['a', 1],
          ['b', 'x'],
        ]),
      }),
    ];
    expect(Buffer.from(await encode('csv', maps, options())).toString()).toBe('a,b\n1,x\n');
    const strings = [
      sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 0, valueSchema: Schemas.STRING, value: 'v' }),
    ];
    expect(Buffer.from(await encode('csv', strings, options())).toString()).toBe('value\nv\n');
  });

  it('asks for a new object when schemaless keys change', async () => {
    const encoder = createEncoder('csv', 'none', -1, { write: async () => {}, end: async () => {} }, options());
    await encoder.append(sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 0, value: { a: 1, b: 2 } }));
    expect(encoder.fits(sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 1, value: { b: 3, a: 4 } }))).toBe(
      true,
    );
    expect(encoder.fits(sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 2, value: { a: 1, c: 2 } }))).toBe(
      false,
    );
  });

  it('restores records from envelope columns', async () => {
    const records = orderRecords();
    const bytes = await encode('csv', records, options({ envelope: true }));
    expect(Buffer.from(bytes).toString().split('\n')[0]).toBe(
      'topic,partition,offset,timestamp,timestampType,key,headers,value',
    );
    const decoded = await decodeObject('csv', bytes, options({ envelope: true }));
    decoded.forEach((d, i) => expectSameRecord(d, records[i] as SinkRecord));
  });
});

describe('Parquet', () => {
  it('writes typed columns from the value schema and reads the exact values back', async () => {
    const records = orderRecords();
    const bytes = await encode('parquet', records, options());
    const meta = parquetMetadata(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    expect(Number(meta.num_rows)).toBe(3);
    expect(meta.row_groups).toHaveLength(2);
    const types = Object.fromEntries(
      meta.schema.slice(1).map((e) => [e.name, [e.type ?? 'group', e.converted_type ?? null, e.repetition_type]]),
    );
    expect(types['id']).toEqual(['INT64', null, 'REQUIRED']);
    expect(types['tiny']).toEqual(['INT32', 'INT_8', 'REQUIRED']);
    expect(types['price']).toEqual(['BYTE_ARRAY', 'DECIMAL', 'OPTIONAL']);
    expect(types['day']).toEqual(['INT32', 'DATE', 'OPTIONAL']);
    expect(types['at']).toEqual(['INT32', 'TIME_MILLIS', 'OPTIONAL']);
    expect(types['created']).toEqual(['INT64', 'TIMESTAMP_MILLIS', 'REQUIRED']);
    expect(types['note']).toEqual(['BYTE_ARRAY', 'UTF8', 'OPTIONAL']);
    expect(types['tags']).toEqual(['group', 'LIST', 'OPTIONAL']);
    expect(types['counts']).toEqual(['group', 'MAP', 'OPTIONAL']);
    const decoded = await decodeObject('parquet', bytes, options());
    expect(decoded).toHaveLength(3);
    decoded.forEach((d, i) => {
      expect(d.valueSchema?.name).toBe('com.example.Order');
      expect(valueEquals(d.value, records[i]?.value)).toBe(true);
    });
  });

  it('restores whole records from envelope columns', async () => {
    const records = orderRecords();
    for (const codec of ['none', 'gzip', 'snappy'] as const) {
      const bytes = await encode('parquet', records, options({ envelope: true, parquetCodec: codec }));
      const decoded = await decodeObject('parquet', bytes, options({ envelope: true }));
      decoded.forEach((d, i) => expectSameRecord(d, records[i] as SinkRecord));
    }
  });

  it('stores a non-struct value in one value column', async () => {
    const records = [1, 2].map((n) =>
      sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: n, valueSchema: Schemas.INT64, value: n * 10 }),
    );
    const decoded = await decodeObject('parquet', await encode('parquet', records, options()), options());
    expect(decoded.map((d) => [d.valueSchema?.type, d.value])).toEqual([
      ['int64', 10],
      ['int64', 20],
    ]);
  });

  it('refuses values without a schema as data errors', async () => {
    const encoder = createEncoder('parquet', 'none', -1, { write: async () => {}, end: async () => {} }, options());
    await expect(
      encoder.append(sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 0, value: { a: 1 } })),
    ).rejects.toMatchObject({ code: 'DATA_ERROR' });
  });

  it('reads Parquet written by other tools with a schema derived from its columns', async () => {
    const file = parquetWriteBuffer({
      columnData: [
        { name: 'name', data: ['a', 'b'], type: 'STRING' },
        { name: 'n', data: [1, null], type: 'INT32' },
        { name: 'at', data: [new Date(5), new Date(6)], type: 'TIMESTAMP' },
      ],
    });
    const decoded = await decodeObject('parquet', new Uint8Array(file), options());
    const schema = decoded[0]?.valueSchema as Schema;
    expect(schema.fields.map((f) => [f.name, f.schema.type, f.schema.name ?? null])).toEqual([
      ['name', 'string', null],
      ['n', 'int32', null],
      ['at', 'int64', Timestamp.LOGICAL_NAME],
    ]);
    expect(decoded.map((d) => (d.value as Struct).toJSON())).toEqual([
      { name: 'a', n: 1, at: '1970-01-01T00:00:00.005Z' },
      { name: 'b', n: null, at: '1970-01-01T00:00:00.006Z' },
    ]);
  });
});

describe('raw bytes', () => {
  it('writes each value followed by the separator and splits on it when reading', async () => {
    const records = [Uint8Array.of(1, 2), 'text', Uint8Array.of()].map((v, i) =>
      sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: i, value: v }),
    );
    const sep = new TextEncoder().encode('||');
    const bytes = await encode('bytes', records, options({ bytesSeparator: sep }));
    expect(Buffer.from(bytes)).toEqual(Buffer.from([1, 2, 0x7c, 0x7c, 0x74, 0x65, 0x78, 0x74, 0x7c, 0x7c, 0x7c, 0x7c]));
    const decoded = await decodeObject('bytes', bytes, options({ bytesSeparator: sep }));
    expect(decoded.map((d) => Buffer.from(d.value as Uint8Array).toString('latin1'))).toEqual([
      '\u0001\u0002',
      'text',
      '',
    ]);
  });

  it('refuses structured values', async () => {
    const encoder = createEncoder('bytes', 'none', -1, { write: async () => {}, end: async () => {} }, options());
    await expect(
      encoder.append(sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 0, value: { a: 1 } })),
    ).rejects.toMatchObject({ code: 'DATA_ERROR' });
  });
});

describe('file extensions', () => {
  it("follow Confluent's names", () => {
    const n = { compression: 'none', parquetCodec: 'snappy', bytesExtension: '.bin' } as const;
    expect(fileExtension({ ...n, format: 'json' })).toBe('.json');
    expect(fileExtension({ ...n, format: 'json', compression: 'gzip' })).toBe('.json.gz');
    expect(fileExtension({ ...n, format: 'csv', compression: 'gzip' })).toBe('.csv.gz');
    expect(fileExtension({ ...n, format: 'bytes' })).toBe('.bin');
    expect(fileExtension({ ...n, format: 'parquet' })).toBe('.snappy.parquet');
    expect(fileExtension({ ...n, format: 'parquet', parquetCodec: 'gzip' })).toBe('.gz.parquet');
    expect(fileExtension({ ...n, format: 'parquet', parquetCodec: 'none' })).toBe('.parquet');
  });
});
