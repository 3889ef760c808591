import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Decimal,
  RetriableError,
  SchemaBuilder,
  Schemas,
  Struct,
  sinkRecord,
  type Schema,
  type SinkRecord,
} from '@sluice/core';
import { SinkTaskHarness } from '@sluice/testkit';
import { PostgresSinkTask } from '../src/index.js';
import { createTestDatabase, postgresTestGate, type TestDatabase } from './support/postgres.js';

const gate = postgresTestGate();

const KEY: Schema = SchemaBuilder.struct().name('k').field('id', Schemas.INT32).build();
const ROW: Schema = SchemaBuilder.struct()
  .name('row')
  .field('id', Schemas.INT32)
  .field('name', Schemas.STRING)
  .field('price', Decimal.builder(2).optional().parameter('connect.decimal.precision', '10').build())
  .field('tags', SchemaBuilder.array(Schemas.OPTIONAL_STRING).optional().build())
  .build();

function row(id: number, name: string, price: string | null = null, tags: string[] | null = null): Struct {
  return new Struct(ROW)
    .put('id', id)
    .put('name', name)
    .put('price', price === null ? null : Decimal.rescale(Decimal.fromString(price), 2))
    .put('tags', tags);
}

describe.skipIf(gate.skip)('PostgresSink against PostgreSQL', () => {
  let db: TestDatabase;
  const harnesses: SinkTaskHarness[] = [];
  let topicCounter = 0;
  let offset = 0;

  beforeAll(async () => {
    db = await createTestDatabase('sink');
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  });
  afterAll(async () => {
    await db?.drop();
  });

  function topic(label: string): string {
    return `app.${label}.t${++topicCounter}`;
  }

  function record(
    t: string,
    key: unknown,
    value: unknown,
    valueSchema: Schema | null = ROW,
    keySchema: Schema | null = KEY,
  ): SinkRecord {
    return sinkRecord({ topic: t, kafkaPartition: 0, kafkaOffset: offset++, keySchema, key, valueSchema, value });
  }

  async function start(t: string, extra: Record<string, string> = {}, reporter = true) {
    const harness = await SinkTaskHarness.start(new PostgresSinkTask(), {
      config: { 'connection.url': db.jdbcUrl, 'connection.username': 'postgres', ...extra },
      errantRecordReporter: reporter,
      partitions: [{ topic: t, partition: 0 }],
    });
    harnesses.push(harness);
    return harness;
  }

  const key = (id: number) => new Struct(KEY).put('id', id);
  const tableOf = (t: string) => t.replace(/\./g, '_');

  async function rows(table: string, orderBy = 'id'): Promise<Record<string, unknown>[]> {
    return (await db.client.query(`SELECT * FROM "${table}" ORDER BY ${orderBy}`)).rows;
  }

  it('creates the table from the record schema and upserts rows by record key', async () => {
    const t = topic('upsert');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'schema.evolution': 'basic',
    });
    await harness.put([record(t, key(1), row(1, 'ada', '10.50', ['a', 'b'])), record(t, key(2), row(2, 'grace'))]);
    await harness.put([record(t, key(1), row(1, 'ada lovelace', '11.00', null))]);
    expect(await rows(tableOf(t))).toEqual([
      { id: 1, name: 'ada lovelace', price: '11.00', tags: null },
      { id: 2, name: 'grace', price: null, tags: null },
    ]);
    const columns = await db.client.query(
      `SELECT column_name, data_type, is_nullable, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
      [tableOf(t)],
    );
    expect(columns.rows.map((c) => [c.column_name, c.data_type, c.is_nullable])).toEqual([
      ['id', 'integer', 'NO'],
      ['name', 'text', 'NO'],
      ['price', 'numeric', 'YES'],
      ['tags', 'ARRAY', 'YES'],
    ]);
    expect(columns.rows[2]).toMatchObject({ numeric_precision: 10, numeric_scale: 2 });
    const pk = await db.client.query(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary`,
      [`"${tableOf(t)}"`],
    );
    expect(pk.rows.map((r) => r.attname)).toEqual(['id']);
  });

  it('deletes rows for tombstones and Debezium delete events when delete.enabled', async () => {
    const t = topic('delete');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'delete.enabled': 'true',
      'schema.evolution': 'basic',
    });
    await harness.put([1, 2, 3].map((id) => record(t, key(id), row(id, `n${id}`))));
    const envelopeSchema = SchemaBuilder.struct()
      .name('x.Envelope')
      .field('before', SchemaBuilder.struct().name('x.Value').optional().field('id', Schemas.INT32).build())
      .field('after', SchemaBuilder.struct().name('x.Value').optional().field('id', Schemas.INT32).build())
      .field('op', Schemas.STRING)
      .build();
    const deleteEvent = new Struct(envelopeSchema)
      .put('before', new Struct(envelopeSchema.field('before')!.schema).put('id', 2))
      .put('op', 'd');
    await harness.put([record(t, key(1), null, null), record(t, key(2), deleteEvent, envelopeSchema)]);
    expect((await rows(tableOf(t))).map((r) => r['id'])).toEqual([3]);
  });

  it('ignores deletes when delete.enabled is false', async () => {
    const t = topic('nodelete');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'schema.evolution': 'basic',
    });
    await harness.put([record(t, key(1), row(1, 'kept')), record(t, key(1), null, null)]);
    expect((await rows(tableOf(t))).map((r) => r['name'])).toEqual(['kept']);
  });

  it('adds a column when the value schema gains a field and schema.evolution is basic', async () => {
    const t = topic('evolve');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'schema.evolution': 'basic',
    });
    await harness.put([record(t, key(1), row(1, 'v1'))]);
    const wider = SchemaBuilder.struct()
      .name('row2')
      .field('id', Schemas.INT32)
      .field('name', Schemas.STRING)
      .field('email', Schemas.OPTIONAL_STRING)
      .field('age', Schemas.OPTIONAL_INT64)
      .build();
    await harness.put([
      record(t, key(2), new Struct(wider).put('id', 2).put('name', 'v2').put('email', 'e@x').put('age', 7), wider),
    ]);
    expect(await rows(tableOf(t))).toEqual([
      { id: 1, name: 'v1', price: null, tags: null, email: null, age: null },
      { id: 2, name: 'v2', price: null, tags: null, email: 'e@x', age: '7' },
    ]);
  });

  it('refuses to invent tables or columns when schema evolution is off, naming the setting that would allow it', async () => {
    const t = topic('strict');
    const harness = await start(t, { 'insert.mode': 'upsert', 'primary.key.mode': 'record_key' }, false);
    await expect(harness.put([record(t, key(1), row(1, 'x'))])).rejects.toThrow(
      /does not exist.*schema\.evolution=basic/,
    );
    await db.client.query(`CREATE TABLE "${tableOf(t)}" (id int PRIMARY KEY, name text)`);
    await expect(harness.put([record(t, key(1), row(1, 'x'))])).rejects.toThrow(
      /no column\(s\) "price", "tags".*schema\.evolution=basic/,
    );
  });

  it('accepts the Confluent JDBC sink spellings pk.mode, pk.fields, auto.create and auto.evolve', async () => {
    const t = topic('confluent');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'auto.create': 'true',
      'auto.evolve': 'true',
    });
    await harness.put([record(t, null, row(5, 'a'), ROW, null), record(t, null, row(5, 'b'), ROW, null)]);
    expect((await rows(tableOf(t))).map((r) => [r['id'], r['name']])).toEqual([[5, 'b']]);
  });

  it('keys rows by topic, partition and offset in kafka mode', async () => {
    const t = topic('kafka');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'primary.key.mode': 'kafka',
      'schema.evolution': 'basic',
    });
    const first = record(t, null, row(1, 'a'), ROW, null);
    await harness.put([first]);
    await harness.put([first]); // redelivery after a crash: idempotent
    const stored = await rows(tableOf(t), '__connect_offset');
    expect(stored).toEqual([
      {
        __connect_topic: t,
        __connect_partition: 0,
        __connect_offset: String(first.kafkaOffset),
        id: 1,
        name: 'a',
        price: null,
        tags: null,
      },
    ]);
  });

  it('reduces several changes to one key within a batch to the final state', async () => {
    const t = topic('reduce');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'delete.enabled': 'true',
      'schema.evolution': 'basic',
    });
    await harness.put([
      record(t, key(1), row(1, 'first')),
      record(t, key(1), row(1, 'second')),
      record(t, key(2), row(2, 'gone')),
      record(t, key(2), null, null),
      record(t, key(3), null, null),
      record(t, key(3), row(3, 'reborn')),
    ]);
    expect((await rows(tableOf(t))).map((r) => [r['id'], r['name']])).toEqual([
      [1, 'second'],
      [3, 'reborn'],
    ]);
  });

  it('reports records the database rejects to the errant record reporter and writes the rest', async () => {
    const t = topic('errant');
    await db.client.query(
      `CREATE TABLE "${tableOf(t)}" (id int PRIMARY KEY, name text CHECK (name <> 'bad'), price numeric(10,2), tags text[])`,
    );
    const harness = await start(t, { 'insert.mode': 'upsert', 'primary.key.mode': 'record_key' });
    const bad = record(t, key(2), row(2, 'bad'));
    await harness.put([record(t, key(1), row(1, 'good')), bad, record(t, key(3), row(3, 'fine'))]);
    expect((await rows(tableOf(t))).map((r) => r['id'])).toEqual([1, 3]);
    expect(harness.errantRecords.map((e) => e.record)).toEqual([bad]);
    expect(harness.errantRecords[0]!.error.message).toMatch(
      new RegExp(`record ${t.replace(/\./g, '\\.')}-0@${bad.kafkaOffset}.*check constraint`),
    );
  });

  it('reports a record without a usable key instead of failing the batch', async () => {
    const t = topic('nokey');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'schema.evolution': 'basic',
    });
    const keyless = record(t, null, row(9, 'x'), ROW, null);
    await harness.put([keyless, record(t, key(1), row(1, 'ok'))]);
    expect((await rows(tableOf(t))).map((r) => r['id'])).toEqual([1]);
    expect(harness.errantRecords.map((e) => e.error.message)).toEqual([expect.stringMatching(/has no key/)]);
  });

  it('fails the task, naming the record, when there is no errant record reporter', async () => {
    const t = topic('fail');
    await db.client.query(
      `CREATE TABLE "${tableOf(t)}" (id int PRIMARY KEY, name text CHECK (name <> 'bad'), price numeric(10,2), tags text[])`,
    );
    const harness = await start(t, { 'insert.mode': 'upsert', 'primary.key.mode': 'record_key' }, false);
    const bad = record(t, key(2), row(2, 'bad'));
    await expect(harness.put([record(t, key(1), row(1, 'good')), bad])).rejects.toThrow(
      `record ${t}-0@${bad.kafkaOffset}`,
    );
    // nothing of the failed batch was committed
    expect(await rows(tableOf(t))).toEqual([]);
  });

  it('keeps existing values for columns a Debezium update marks as unavailable (unchanged TOAST)', async () => {
    const t = topic('toast');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'schema.evolution': 'basic',
    });
    await harness.put([record(t, key(1), row(1, 'long original text', '1.00'))]);
    await harness.put([record(t, key(1), row(1, '__debezium_unavailable_value', '2.00'))]);
    expect((await rows(tableOf(t))).map((r) => [r['name'], r['price']])).toEqual([['long original text', '2.00']]);
  });

  it('recovers when the server drops its connection: the batch is retriable and the redelivery is written', async () => {
    const t = topic('reconnect');
    const harness = await start(t, {
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'schema.evolution': 'basic',
    });
    await harness.put([record(t, key(1), row(1, 'before'))]);
    const killed = await db.client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sluice-sink' AND datname = $1`,
      [db.name],
    );
    expect(killed.rowCount).toBe(1);
    const batch = [record(t, key(2), row(2, 'after'))];
    // what the runtime does: a RetriableError redelivers the same batch after a backoff
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        await harness.put(batch);
        break;
      } catch (err) {
        expect(RetriableError.is(err)).toBe(true);
        if (attempts >= 3) throw err;
      }
    }
    expect((await rows(tableOf(t))).map((r) => r['id'])).toEqual([1, 2]);
  });

  it('writes into the table named by table.name.format, creating its schema', async () => {
    const t = topic('format');
    const harness = await start(t, {
      'insert.mode': 'insert',
      'schema.evolution': 'basic',
      'table.name.format': 'archive.copy_${topic}',
    });
    await harness.put([record(t, null, row(1, 'a'), ROW, null)]);
    const { rows: stored } = await db.client.query(`SELECT id, name FROM archive."copy_${tableOf(t)}"`);
    expect(stored).toEqual([{ id: 1, name: 'a' }]);
  });
});
