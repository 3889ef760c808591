import { describe, expect, it } from 'vitest';
import { noopLogger, sinkRecord } from '@sluice/core';
import type pg from 'pg';
import { BatchWriter } from './batch-writer.js';
import { UNAVAILABLE, type SinkOperation } from './sink-operation.js';
import { TableManager } from './table-manager.js';

// Records the SQL it is given; answers catalog lookups as if every table exists with every column.
function recordingClient() {
  const statements: { text: string; values: unknown[] }[] = [];
  const client = {
    query(text: string | { text: string; end(data: string): void; emit(event: string): void }, values: unknown[] = []) {
      if (typeof text === 'object') {
        // a COPY … FROM STDIN stream: record the statement and the data written to it
        const stream = text;
        stream.end = (data: string) => {
          statements.push({ text: stream.text, values: [data] });
          process.nextTick(() => stream.emit('finish'));
        };
        return stream;
      }
      return this.run(text, values);
    },
    async run(text: string, values: unknown[]) {
      if (text.includes('pg_attribute'))
        return { rows: ['id', 'name', 'note'].map((column_name) => ({ column_name })) };
      statements.push({ text, values });
      return { rows: [] };
    },
  };
  return { client: client as unknown as pg.ClientBase, statements: statements };
}

const record = sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 0 });
const table = { schema: null, name: 'items' };
const cols = [
  { name: 'id', sqlType: 'integer', optional: false },
  { name: 'name', sqlType: 'text', optional: true },
];
const upsert = (id: number, name: unknown): SinkOperation => ({
  kind: 'upsert',
  table,
  columns: cols,
  values: [id, name],
  keyColumns: ['id'],
  record,
});
const del = (id: number): SinkOperation => ({ kind: 'delete', table, keyColumns: [cols[0]!], keyValues: [id], record });

function writer(mode: 'insert' | 'upsert' | 'update' = 'upsert', batchSize = 500) {
  return new BatchWriter(new TableManager({ autoCreate: true, autoEvolve: true }, noopLogger), mode, batchSize);
}

describe('BatchWriter', () => {
  it('writes one multi-row upsert per table and column set', async () => {
    const { client, statements } = recordingClient();
    await writer().write(client, [upsert(1, 'a'), upsert(2, 'b')]);
    expect(statements).toEqual([
      {
        text: 'INSERT INTO "items" ("id", "name") VALUES ($1, $2), ($3, $4) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name"',
        values: [1, 'a', 2, 'b'],
      },
    ]);
  });

  it('reduces changes to one key to the final state, deleting first when a delete precedes a write', async () => {
    const { client, statements } = recordingClient();
    await writer().write(client, [upsert(1, 'a'), upsert(1, 'b'), upsert(2, 'x'), del(2), del(3), upsert(3, 'again')]);
    expect(statements.map((s) => [s.text, s.values])).toEqual([
      ['DELETE FROM "items" WHERE ("id") IN (($1), ($2))', [2, 3]],
      [
        'INSERT INTO "items" ("id", "name") VALUES ($1, $2), ($3, $4) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name"',
        [1, 'b', 3, 'again'],
      ],
    ]);
  });

  it('merges a partial row into an earlier full row of the same key, and updates only present columns otherwise', async () => {
    const merged = recordingClient();
    await writer().write(merged.client, [upsert(1, 'full'), upsert(1, UNAVAILABLE)]);
    expect(merged.statements.map((s) => s.values)).toEqual([[1, 'full']]);
    const partial = recordingClient();
    const op: SinkOperation = {
      kind: 'upsert',
      table,
      columns: [...cols, { name: 'note', sqlType: 'text', optional: true }],
      values: [1, UNAVAILABLE, 'n'],
      keyColumns: ['id'],
      record,
    };
    await writer().write(partial.client, [op]);
    expect(partial.statements).toEqual([{ text: 'UPDATE "items" SET "note" = $2 WHERE "id" = $1', values: [1, 'n'] }]);
  });

  it('keeps writes before and after a truncate in order', async () => {
    const { client, statements } = recordingClient();
    await writer().write(client, [upsert(1, 'a'), { kind: 'truncate', table, record }, upsert(2, 'b')]);
    expect(statements.map((s) => s.text.split(' ').slice(0, 3).join(' '))).toEqual([
      'INSERT INTO "items"',
      'TRUNCATE TABLE "items"',
      'INSERT INTO "items"',
    ]);
  });

  it('splits statements at batch.size rows and uses plain INSERT or UPDATE per insert.mode', async () => {
    const chunks = recordingClient();
    await writer('insert', 2).write(chunks.client, [upsert(1, 'a'), upsert(2, 'b'), upsert(3, 'c')]);
    // several rows take the COPY fast path; a single row is a plain INSERT
    expect(chunks.statements).toEqual([
      { text: 'COPY "items" ("id", "name") FROM STDIN', values: ['1\ta\n2\tb\n'] },
      { text: 'INSERT INTO "items" ("id", "name") VALUES ($1, $2)', values: [3, 'c'] },
    ]);
    const updates = recordingClient();
    await writer('update').write(updates.client, [upsert(1, 'a')]);
    expect(updates.statements).toEqual([{ text: 'UPDATE "items" SET "name" = $2 WHERE "id" = $1', values: [1, 'a'] }]);
  });

  it('keeps rows without a key in order and does not reduce them', async () => {
    const { client, statements } = recordingClient();
    const keyless = (name: string): SinkOperation => ({
      kind: 'upsert',
      table,
      columns: [cols[1]!],
      values: [name],
      keyColumns: [],
      record,
    });
    await writer().write(client, [keyless('a'), keyless('a'), keyless('b')]);
    expect(statements).toEqual([
      { text: 'INSERT INTO "items" ("name") VALUES ($1), ($2), ($3)', values: ['a', 'a', 'b'] },
    ]);
  });
});

describe('COPY text format', () => {
  it('escapes what COPY treats specially and writes NULL and bytea as COPY reads them', async () => {
    const { copyText } = await import('./batch-writer.js');
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('\\N')).toBe('\\\\N'); // the text "\N", not a NULL
    expect(copyText(Buffer.from([0x5c, 0x00, 0xff]))).toBe('\\\\x5c00ff');
    expect(copyText(9007199254740993n)).toBe('9007199254740993');
    expect(copyText(['x', null, 'a,b'])).toBe('{"x",NULL,"a,b"}');
    expect(copyText({ k: 'v\t' })).toBe('{"k":"v\\\\t"}');
  });
});
