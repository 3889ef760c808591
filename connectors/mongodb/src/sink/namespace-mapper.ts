import { DataError, type SinkRecord } from '@sluice/core';
import type { Document } from 'mongodb';
import { isDocument } from '../bson/bson-value.js';
import type { SinkTopicSettings } from './mongo-sink-config.js';
import type { SinkDocument } from './sink-document.js';

/** A target database and collection. */
export interface SinkNamespace {
  readonly db: string;
  readonly coll: string;
}

/**
 * Where a record is written. Default mapper: `database` and `collection` (or the record's topic when
 * `collection` is empty). FieldPathNamespaceMapper: the database and/or collection come from the
 * configured key or value fields; a missing or non-string field falls back to the default (or is a
 * DataError with `namespace.mapper.error.if.invalid`).
 */
export function namespaceFor(record: SinkRecord, doc: SinkDocument, settings: SinkTopicSettings): SinkNamespace {
  const fallback = { db: settings.database, coll: settings.collection === '' ? record.topic : settings.collection };
  if (settings.namespaceMapper === 'default') return fallback;
  const f = settings.namespaceFields;
  const pick = (keyField: string, valueField: string, dflt: string, what: string): string => {
    const [source, path] = keyField !== '' ? [doc.keyDoc, keyField] : valueField !== '' ? [doc.valueDoc, valueField] : [null, ''];
    if (path === '') return dflt;
    const v = lookup(source, path);
    if (typeof v === 'string' && v !== '') return v;
    if (settings.namespaceErrorIfInvalid) {
      throw new DataError(`the ${keyField !== '' ? 'key' : 'value'} field "${path}" that names the ${what} is missing or not a non-empty string`);
    }
    return dflt;
  };
  return {
    db: pick(f.keyDatabase, f.valueDatabase, fallback.db, 'database'),
    coll: pick(f.keyCollection, f.valueCollection, fallback.coll, 'collection'),
  };
}

function lookup(doc: Document | null, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) v = isDocument(v) ? v[part] : undefined;
  return v;
}
