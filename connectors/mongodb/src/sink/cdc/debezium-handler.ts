import { DataError } from '@sluice/core';
import { ObjectId, type Document } from 'mongodb';
import { isDocument } from '../../bson/bson-value.js';
import type { SinkDocument } from '../sink-document.js';
import { identityOf, type PlannedWrite } from '../planned-write.js';

/**
 * Applies a Debezium-style relational change event (`{before, after, op, source, ts_ms}`, e.g. from
 * Sluice's Postgres CDC source or Debezium itself) as the official connector's RdbmsHandler does:
 * `_id` is the record key document (the primary-key columns, e.g. `{_id: {id: 42}}`); `c`/`r`/`u`
 * replace the document with `after` minus the key columns (upsert), `d` deletes it. Without key
 * columns, creates get a new ObjectId and updates/deletes match on every `before` column. Null
 * values (Debezium's compaction tombstones) and `t` (truncate) / `m` (message) events are skipped.
 * @throws DataError for events without `op`, or without the `after`/`before` an operation needs.
 */
export function debeziumWrite(doc: SinkDocument): PlannedWrite | null {
  const event = doc.valueDoc;
  if (event === null) return null;
  const op = event['op'];
  if (typeof op !== 'string') throw new DataError('not a Debezium change event: the value has no "op" field');
  if (op === 't' || op === 'm') return null;
  const key = doc.keyDoc ?? (doc.keyValue === null ? {} : { id: doc.keyValue });
  switch (op) {
    case 'c':
    case 'r':
    case 'u': {
      const filter = filterFor(key, event, op === 'u' ? 'update' : 'create');
      const after = event['after'];
      if (!isDocument(after) || Object.keys(after).length === 0) {
        throw new DataError(`Debezium "${op}" event needs a non-empty "after" document`);
      }
      const replacement: Document = {};
      if (filter['_id'] !== undefined) replacement['_id'] = filter['_id'];
      for (const [field, value] of Object.entries(after)) if (!(field in key)) replacement[field] = value;
      return { op: { replaceOne: { filter, replacement, upsert: true } }, identity: identityOf(filter) };
    }
    case 'd': {
      const filter = filterFor(key, event, 'delete');
      return { op: { deleteOne: { filter } }, identity: identityOf(filter) };
    }
    default:
      throw new DataError(`unknown Debezium operation "${op}" (expected c, r, u, d, t or m)`);
  }
}

function filterFor(key: Document, event: Document, kind: 'create' | 'update' | 'delete'): Document {
  if (Object.keys(key).length > 0) return { _id: { ...key } };
  if (kind === 'create') return { _id: new ObjectId() };
  const before = event['before'];
  if (!isDocument(before) || Object.keys(before).length === 0) {
    throw new DataError(`a Debezium ${kind} without key columns needs a non-empty "before" document to find the row`);
  }
  return before;
}
