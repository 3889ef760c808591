import {
  Schemas,
  SchemaBuilder,
  Struct,
  sourceRecord,
  type Schema,
  type SourceOffset,
  type SourcePartition,
  type SourceRecord,
} from '@sluice/core';
import { BSON, type Document } from 'mongodb';
import { bsonTypeOf, isDocument } from '../bson/bson-value.js';
import { formatJson, type JsonFormatter } from '../bson/extended-json.js';
import { documentToStruct, inferDocumentSchema } from '../bson/infer-schema.js';
import type { MongoSourceSettings, OutputFormat } from './mongo-source-config.js';

const NAMESPACE_SCHEMA = SchemaBuilder.struct().name('ns').optional().field('db', Schemas.STRING).field('coll', Schemas.OPTIONAL_STRING).build();

/**
 * The fixed value schema for `output.format.value=schema` without inference: the official
 * connector's default change-event schema, nested documents carried as JSON text.
 */
export const CHANGE_EVENT_SCHEMA: Schema = SchemaBuilder.struct()
  .name('ChangeStream')
  .field('_id', Schemas.STRING)
  .field('operationType', Schemas.OPTIONAL_STRING)
  .field('fullDocumentBeforeChange', Schemas.OPTIONAL_STRING)
  .field('fullDocument', Schemas.OPTIONAL_STRING)
  .field('ns', NAMESPACE_SCHEMA)
  .field('to', SchemaBuilder.struct().name('to').optional().field('db', Schemas.STRING).field('coll', Schemas.OPTIONAL_STRING).build())
  .field('documentKey', Schemas.OPTIONAL_STRING)
  .field(
    'updateDescription',
    SchemaBuilder.struct()
      .name('updateDescription')
      .optional()
      .field('updatedFields', Schemas.OPTIONAL_STRING)
      .field('removedFields', SchemaBuilder.array(Schemas.STRING).optional().build())
      .field(
        'truncatedArrays',
        SchemaBuilder.array(SchemaBuilder.struct().name('truncatedArray').field('field', Schemas.STRING).field('newSize', Schemas.INT32).build())
          .optional()
          .build(),
      )
      .field('disambiguatedPaths', Schemas.OPTIONAL_STRING)
      .build(),
  )
  .field('clusterTime', Schemas.OPTIONAL_STRING)
  .field('wallTime', Schemas.OPTIONAL_INT64)
  .field('txnNumber', Schemas.OPTIONAL_INT64)
  .field('lsid', SchemaBuilder.struct().name('lsid').optional().field('id', Schemas.STRING).field('uid', Schemas.STRING).build())
  .build();

/** Why an event produced no record (for debug logs and tests). */
export type SkipReason = 'no-topic' | 'no-full-document';

/** A change event turned into a record, or the reason it was skipped. */
export type EventRecord = { readonly record: SourceRecord } | { readonly skipped: SkipReason };

/**
 * Turns one change event (or a copied document shaped as an insert event) into a record per the
 * output settings: topic from its namespace; key = `documentKey` (or `{_id: <resume token>}`);
 * value = the whole event, or only `fullDocument` with `publish.full.document.only` (deletes then
 * become tombstones when enabled, and are skipped otherwise). Pure: `event` is not modified.
 */
export function eventRecord(event: Document, offset: SourceOffset, partition: SourcePartition, settings: MongoSourceSettings): EventRecord {
  const ns = namespaceOf(event, settings);
  const topic = settings.topicMapper(ns.db, ns.coll);
  if (topic === '') return { skipped: 'no-topic' };

  let valueDoc: Document | null;
  if (settings.publishFullDocumentOnly) {
    valueDoc = isDocument(event['fullDocument']) ? event['fullDocument'] : null;
    if (valueDoc === null && !(settings.tombstoneOnDelete && event['operationType'] === 'delete')) return { skipped: 'no-full-document' };
  } else {
    valueDoc = event;
  }
  const keyDoc: Document = settings.documentKeyAsKey && isDocument(event['documentKey']) ? event['documentKey'] : { _id: event['_id'] };
  const key = encode(keyDoc, settings.keyFormat, settings.jsonFormatter, true, false);
  const value = valueDoc === null ? { schema: null, value: null } : encode(valueDoc, settings.valueFormat, settings.jsonFormatter, settings.inferValueSchema || settings.publishFullDocumentOnly, true);
  return {
    record: sourceRecord({
      sourcePartition: partition,
      sourceOffset: offset,
      topic,
      keySchema: key.schema,
      key: key.value,
      valueSchema: value.schema,
      value: value.value,
      timestamp: eventTime(event),
    }),
  };
}

/** The event's namespace; events without `ns` (some servers, or a pipeline that removed it) fall back to the watched one. */
export function namespaceOf(event: Document, settings: MongoSourceSettings): { db: string; coll: string } {
  const ns = event['ns'];
  if (isDocument(ns) && typeof ns['db'] === 'string') return { db: ns['db'], coll: typeof ns['coll'] === 'string' ? ns['coll'] : '' };
  const scope = settings.scope;
  if (scope.kind === 'collection') return { db: scope.database, coll: scope.collection };
  return { db: '', coll: '' };
}

function encode(doc: Document, format: OutputFormat, formatter: JsonFormatter, infer: boolean, isValue: boolean): { schema: Schema; value: unknown } {
  switch (format) {
    case 'json':
      return { schema: isValue ? Schemas.OPTIONAL_STRING : Schemas.STRING, value: formatJson(doc, formatter) };
    case 'bson':
      return { schema: isValue ? Schemas.OPTIONAL_BYTES : Schemas.BYTES, value: BSON.serialize(doc) };
    case 'schema': {
      if (!infer) return { schema: CHANGE_EVENT_SCHEMA, value: changeEventStruct(doc, formatter) };
      const schema = inferDocumentSchema(doc);
      return { schema, value: documentToStruct(schema, doc) };
    }
  }
}

function changeEventStruct(event: Document, formatter: JsonFormatter): Struct {
  const json = (v: unknown): string | null => (v === undefined || v === null ? null : formatJson(v, formatter));
  const s = new Struct(CHANGE_EVENT_SCHEMA);
  s.put('_id', formatJson(event['_id'] ?? null, formatter));
  s.put('operationType', typeof event['operationType'] === 'string' ? event['operationType'] : null);
  s.put('fullDocumentBeforeChange', json(event['fullDocumentBeforeChange']));
  s.put('fullDocument', json(event['fullDocument']));
  for (const field of ['ns', 'to'] as const) {
    const ns = event[field];
    if (isDocument(ns) && typeof ns['db'] === 'string') {
      const schema = CHANGE_EVENT_SCHEMA.field(field)!.schema;
      s.put(field, new Struct(schema).put('db', ns['db']).put('coll', typeof ns['coll'] === 'string' ? ns['coll'] : null));
    }
  }
  s.put('documentKey', json(event['documentKey']));
  const ud = event['updateDescription'];
  if (isDocument(ud)) {
    const schema = CHANGE_EVENT_SCHEMA.field('updateDescription')!.schema;
    const truncated = Array.isArray(ud['truncatedArrays'])
      ? ud['truncatedArrays'].filter(isDocument).map((t) =>
          new Struct(schema.field('truncatedArrays')!.schema.valueSchema as Schema).put('field', String(t['field'])).put('newSize', Number(t['newSize'])),
        )
      : null;
    s.put(
      'updateDescription',
      new Struct(schema)
        .put('updatedFields', json(ud['updatedFields']))
        .put('removedFields', Array.isArray(ud['removedFields']) ? ud['removedFields'].map(String) : null)
        .put('truncatedArrays', truncated)
        .put('disambiguatedPaths', json(ud['disambiguatedPaths'])),
    );
  }
  s.put('clusterTime', json(event['clusterTime']));
  const wall = event['wallTime'];
  s.put('wallTime', wall instanceof Date ? wall.getTime() : null);
  s.put('txnNumber', toSafeNumber(event['txnNumber']));
  const lsid = event['lsid'];
  if (isDocument(lsid)) {
    const schema = CHANGE_EVENT_SCHEMA.field('lsid')!.schema;
    s.put('lsid', new Struct(schema).put('id', formatJson(lsid['id'] ?? null, formatter)).put('uid', formatJson(lsid['uid'] ?? null, formatter)));
  }
  return s;
}

function toSafeNumber(v: unknown): number | bigint | null {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  const t = bsonTypeOf(v);
  if (t === 'Long') return (v as { toBigInt(): bigint }).toBigInt();
  if (t === 'Int32' || t === 'Double') return Number((v as { valueOf(): unknown }).valueOf());
  return null;
}

/** The time of the change: `wallTime` (MongoDB 6.0+), else the cluster time's seconds; null for copies. */
export function eventTime(event: Document): number | null {
  const wall = event['wallTime'];
  if (wall instanceof Date && !Number.isNaN(wall.getTime())) return wall.getTime();
  const ct = event['clusterTime'];
  if (bsonTypeOf(ct) === 'Timestamp') return (ct as { t: number }).t * 1000;
  return null;
}
