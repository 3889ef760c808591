import { DataError } from '@sluice/core';
import type { Document } from 'mongodb';
import { isDocument } from '../../bson/bson-value.js';
import type { SinkDocument } from '../sink-document.js';
import { identityOf, type PlannedWrite } from '../planned-write.js';

/**
 * Applies a MongoDB change event (from MongoSource with JSON or BSON output, or the official source
 * connector) to the target collection: `insert`/`replace` replace the document found by
 * `documentKey` with `fullDocument` (upsert); `update` does the same when the event carries a full
 * document (updateLookup), otherwise applies `updateDescription` ($set / $unset); `delete` deletes
 * by `documentKey`. Other events (drop, rename, invalidate, DDL) and tombstones are skipped.
 * @throws DataError when an event lacks the fields its operation needs.
 */
export function changeStreamWrite(doc: SinkDocument): PlannedWrite | null {
  const event = doc.valueDoc;
  if (event === null) return null;
  const type = event['operationType'];
  if (typeof type !== 'string') throw new DataError('not a MongoDB change event: the value has no "operationType" field');
  if (type !== 'insert' && type !== 'replace' && type !== 'update' && type !== 'delete') return null;
  const filter = event['documentKey'];
  if (!isDocument(filter) || filter['_id'] === undefined) throw new DataError(`a MongoDB "${type}" event needs a documentKey with _id`);
  const identity = identityOf({ _id: filter['_id'] });
  if (type === 'delete') return { op: { deleteOne: { filter } }, identity };
  const full = event['fullDocument'];
  if (isDocument(full)) return { op: { replaceOne: { filter, replacement: full, upsert: true } }, identity };
  if (type !== 'update') throw new DataError(`a MongoDB "${type}" event needs a fullDocument`);
  const description = event['updateDescription'];
  if (!isDocument(description)) throw new DataError('a MongoDB update event needs fullDocument or updateDescription');
  const update: Document = {};
  if (isDocument(description['updatedFields']) && Object.keys(description['updatedFields']).length > 0) update['$set'] = description['updatedFields'];
  const removed = Array.isArray(description['removedFields']) ? description['removedFields'] : [];
  if (removed.length > 0) update['$unset'] = Object.fromEntries(removed.map((f) => [String(f), '']));
  if (Object.keys(update).length === 0) return null;
  return { op: { updateOne: { filter, update } }, identity };
}
