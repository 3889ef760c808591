import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConnectError, isStruct } from '@sluice/core';
import { baseType, type ColumnDefinition } from '../types/pg-type.js';
import { CapturedTable } from './captured-table.js';
import { ColumnRules, javaSerializedString } from './column-rules.js';
import { parseSourceConfig, validateSourceConfig } from './postgres-source-config.js';
import { CaptureFilter } from './table-filter.js';

const BASE = { 'database.hostname': 'db', 'database.user': 'u', 'database.dbname': 'shop', 'topic.prefix': 'srv' };
const col = (name: string, type: string, typeModifier = -1, optional = true): ColumnDefinition => ({
  name,
  type: baseType(type),
  typeModifier,
  optional,
});
// varchar(n) and char(n) store n + 4 in atttypmod
const varchar = (name: string, n: number) => col(name, 'varchar', n + 4);
const NO_FILTER = new CaptureFilter({
  schemaInclude: [],
  schemaExclude: [],
  tableInclude: [],
  tableExclude: [],
  columnInclude: [],
  columnExclude: [],
});

function table(config: Record<string, string>, columns: ColumnDefinition[], keyColumns = ['id']): CapturedTable {
  const { rules, errors } = ColumnRules.parse(config);
  expect(errors).toEqual([]);
  return new CapturedTable('public', 'customers', columns, keyColumns, {
    topicPrefix: 'srv',
    filter: NO_FILTER,
    typeMapping: parseSourceConfig(BASE).typeMapping,
    unavailableValuePlaceholder: '__debezium_unavailable_value',
    columnRules: rules,
  });
}

describe('message.key.columns', () => {
  const columns = [col('id', 'int4', -1, false), col('email', 'text'), col('region', 'text')];

  it('keys matching tables by the listed columns, others by their primary key', () => {
    const t = table({ 'message.key.columns': 'inventory.x:a; public\\.cust.*:region,email' }, columns);
    expect(t.eventKeyColumns).toEqual(['region', 'email']);
    expect(t.keyColumns).toEqual(['id']);
    expect(t.keySchema?.fields.map((f) => f.name)).toEqual(['region', 'email']);
    expect(t.keySchema?.name).toBe('srv.public.customers.Key');
    const row = t.row(['7', 'a@example.com', 'eu']);
    expect(t.key(row)?.toJSON()).toEqual({ region: 'eu', email: 'a@example.com' });
    // the identity used to match incremental snapshot chunks stays the primary key
    expect(t.identity(row)).toBe('[7]');
    // a change of the custom key columns is a key change (delete + create), of the primary key alone is not
    expect(t.sameKey(row, t.row(['8', 'a@example.com', 'eu']))).toBe(true);
    expect(t.sameKey(row, t.row(['7', 'a@example.com', 'us']))).toBe(false);

    const other = table({ 'message.key.columns': 'public\\.orders:region' }, columns);
    expect(other.eventKeyColumns).toEqual(['id']);
  });

  it('keys a table without a primary key, keeping excluded key columns in the row', () => {
    const noPk = table(
      { 'message.key.columns': 'public.customers:email', 'column.exclude.list': 'public.customers.email' },
      columns,
      [],
    );
    expect(noPk.keyColumns).toEqual([]);
    expect(noPk.identity(noPk.row(['1', 'x@y', 'eu']))).toBeNull();
    expect(noPk.key(noPk.row(['1', 'x@y', 'eu']))?.toJSON()).toEqual({ email: 'x@y' });
  });

  it('fails with the table and its columns when a listed column does not exist', () => {
    expect(() => table({ 'message.key.columns': 'public.customers:mail' }, columns)).toThrow(ConnectError);
    expect(() => table({ 'message.key.columns': 'public.customers:mail' }, columns)).toThrow(
      /message\.key\.columns names "mail", not a column of public\.customers \(columns: id, email, region\)/,
    );
  });

  it('rejects malformed entries and bad expressions, naming the key', () => {
    const bad = (v: string) =>
      validateSourceConfig({ ...BASE, 'message.key.columns': v }).configs.find((c) => c.name === 'message.key.columns')
        ?.errors;
    expect(bad('public.customers')).toEqual([
      expect.stringMatching(/Invalid entry "public.customers" in message.key.columns/),
    ]);
    expect(bad('public.customers:')).toHaveLength(1);
    expect(bad('public.(x:id')).toEqual([expect.stringMatching(/Invalid table expression/)]);
    expect(bad('public.customers:id;public.orders:a,b')).toEqual([]);
  });
});

describe('column masks', () => {
  const columns = [
    col('id', 'int4', -1, false),
    col('email', 'text'),
    varchar('phone', 12),
    col('note', 'text'),
    col('age', 'int4'),
  ];

  it('replaces, truncates and hashes matching character columns and leaves the rest', () => {
    const t = table(
      {
        'column.mask.with.5.chars': 'public.customers.email',
        'column.truncate.to.3.chars': 'public\\.customers\\.no.*',
        'column.mask.hash.v2.SHA-256.with.salt.pepper': 'public.customers.phone, public.customers.age',
      },
      columns,
    );
    const row = t.row(['1', 'a@example.com', '+44 1234 5678', 'päivää', '42']).toJSON();
    expect(row['email']).toBe('*****');
    // truncation counts characters, not UTF-16 units or bytes
    expect(row['note']).toBe('päi');
    // v2: hex of SHA-256(salt ‖ UTF-8 value), cut to varchar(12)
    const hex = createHash('sha256').update('pepper').update('+44 1234 5678').digest('hex');
    expect(row['phone']).toBe(hex.slice(0, 12));
    expect(row['phone']).toHaveLength(12);
    // not a character type: passed through
    expect(row['age']).toBe(42);
    expect(row['id']).toBe(1);
  });

  it('hashes to the full digest for unbounded text, with the v2 key form and other algorithms', () => {
    const t = table({ 'column.mask.hash.v2.MD5.with.salt.s1': 'public.customers.note' }, columns);
    expect(t.row(['1', null, null, 'secret', null]).get('note')).toBe(
      createHash('md5').update('s1').update('secret').digest('hex'),
    );
    // SQL NULL stays null
    expect(t.row(['1', null, null, null, null]).get('note')).toBeNull();
  });

  it("gives Debezium's v1 digests (salt, then the Java-serialized string)", () => {
    // the published vectors of Debezium's MaskStringsTest for V1, SHA-256, salt "salt"
    const t = table({ 'column.mask.hash.SHA-256.with.salt.salt': 'public.customers.note' }, columns);
    expect(t.row(['1', null, null, 'hello', null]).get('note')).toBe(
      'af5843a0f0e728ab0332c8888b6e1190bfb79e584f0d40538de8f10df6ef29c6',
    );
    expect(t.row(['1', null, null, 'world', null]).get('note')).toBe(
      '4588e1f2dcdc7fefc1515d3acd5acb9033478eace68286f383c337b9ff4464a3',
    );
    // modified UTF-8: NUL as C0 80, an astral character as two 3-byte surrogates
    expect(javaSerializedString('a\u0000😀').toString('hex')).toBe('aced00057400096' + '1c080eda0bdedb880');
    const long = javaSerializedString('x'.repeat(70_000));
    expect(long.subarray(0, 13).toString('hex')).toBe('aced00057c0000000000011170');
  });

  it('masks the same value the same way in the key (a hashed key stays a usable key)', () => {
    const t = table(
      {
        'column.mask.hash.v2.SHA-1.with.salt.x': 'public.customers.email',
        'message.key.columns': 'public.customers:email',
      },
      columns,
    );
    const key = t.key(t.row(['1', 'a@b', null, null, null]));
    expect(isStruct(key) && key.get('email')).toBe(createHash('sha1').update('x').update('a@b').digest('hex'));
  });

  it('reports unknown algorithms and bad expressions on the pattern key itself (validate and create)', () => {
    const config = {
      ...BASE,
      'column.mask.hash.SHA-999.with.salt.x': 'public.a.b',
      'column.mask.with.4.chars': 'public.(a',
    };
    const errors = Object.fromEntries(
      validateSourceConfig(config)
        .configs.filter((c) => c.errors.length > 0)
        .map((c) => [c.name, c.errors]),
    );
    expect(errors['column.mask.hash.SHA-999.with.salt.x']).toEqual([
      expect.stringMatching(/unknown hash algorithm "SHA-999"/),
    ]);
    expect(errors['column.mask.with.4.chars']).toEqual([expect.stringMatching(/not a valid regular expression/)]);
    expect(() => parseSourceConfig(config)).toThrow(/SHA-999/);
    expect(errors['column.mask.with.4.chars']).toBeDefined();
    const empty = validateSourceConfig({ ...BASE, 'column.truncate.to.2.chars': ' ' }).configs.find(
      (c) => c.name === 'column.truncate.to.2.chars',
    );
    expect(empty?.errors).toEqual([expect.stringMatching(/needs a comma-separated list/)]);
  });

  it('is empty without rules', () => {
    expect(ColumnRules.parse(BASE).rules.empty).toBe(true);
    expect(parseSourceConfig(BASE).columnRules.empty).toBe(true);
  });
});
