import { DataError, type SinkRecord } from '@sluice/core';
import type { Document } from 'mongodb';
import { isDocument } from '../bson/bson-value.js';
import { debeziumWrite } from './cdc/debezium-handler.js';
import { changeStreamWrite } from './cdc/change-stream-handler.js';
import { identityOf, type PlannedWrite } from './planned-write.js';
import { flattenKeys, generateId, withDocumentId } from './id-strategy.js';
import type { SinkTopicSettings } from './mongo-sink-config.js';
import type { SinkDocument } from './sink-document.js';


/**
 * The write a record turns into under its topic's settings, or null when the record is skipped (a
 * tombstone without `delete.on.null.values`, or a CDC event that changes nothing, e.g. a Debezium
 * compaction tombstone). `doc` is the record converted by `toSinkDocument`. Pure apart from
 * generated ids; never modifies the record.
 * @throws DataError when the record cannot be written (not a document, a missing `_id`, …).
 */
export function planWrite(record: SinkRecord, doc: SinkDocument, settings: SinkTopicSettings): PlannedWrite | null {
  if (settings.cdcHandler === 'debezium-rdbms') return debeziumWrite(doc);
  if (settings.cdcHandler === 'mongodb-change-stream') return changeStreamWrite(doc);
  if (doc.valueDoc === null) return settings.deleteOnNullValues ? deleteWrite(doc, record, settings) : null;
  return valueWrite(doc, record, settings);
}

function valueWrite(doc: SinkDocument, record: SinkRecord, settings: SinkTopicSettings): PlannedWrite {
  const value = withDocumentId(doc, record, settings);
  const id = value['_id'];
  const timestamps = (): Document => {
    const now = new Date();
    return { set: { _modifiedTS: now }, onInsert: { _insertedTS: now } };
  };
  switch (settings.writeModel) {
    case 'InsertOneDefault':
      return { op: { insertOne: { document: value } }, identity: id === undefined ? null : identityOf({ _id: id }) };
    case 'ReplaceOneDefault': {
      const filter: Document = { _id: requireId(id) };
      return { op: { replaceOne: { filter, replacement: value, upsert: true } }, identity: identityOf(filter) };
    }
    case 'UpdateOneDefault': {
      const filter: Document = { _id: requireId(id) };
      const { _id: _ignored, ...fields } = value;
      return { op: { updateOne: { filter, update: { $set: fields }, upsert: true } }, identity: identityOf(filter) };
    }
    case 'UpdateOneTimestamps': {
      const filter: Document = { _id: requireId(id) };
      const ts = timestamps();
      // _id comes from the filter on insert; leaving it out of $set keeps the update valid everywhere
      const { _id: _ignored, ...fields } = value;
      return { op: { updateOne: { filter, update: { $set: { ...fields, ...ts['set'] }, $setOnInsert: ts['onInsert'] }, upsert: true } }, identity: identityOf(filter) };
    }
    case 'ReplaceOneBusinessKey': {
      const { filter, rest } = businessKey(value, settings);
      return { op: { replaceOne: { filter, replacement: rest, upsert: true } }, identity: identityOf(filter) };
    }
    case 'UpdateOneBusinessKeyTimestamp': {
      const { filter, rest } = businessKey(value, settings);
      const ts = timestamps();
      return { op: { updateOne: { filter, update: { $set: { ...rest, ...ts['set'] }, $setOnInsert: ts['onInsert'] }, upsert: true } }, identity: identityOf(filter) };
    }
    case 'DeleteOneBusinessKey': {
      const { filter } = businessKey(value, settings);
      return { op: { deleteOne: { filter } }, identity: identityOf(filter) };
    }
  }
}

function deleteWrite(doc: SinkDocument, record: SinkRecord, settings: SinkTopicSettings): PlannedWrite {
  if (doc.keyDoc === null && doc.keyValue === null) throw new DataError('a tombstone without a key cannot be deleted: there is nothing to find the document by');
  let filter: Document;
  if (settings.deleteModel === 'DeleteOneTombstoneBusinessKey') {
    const key = generateId(doc, record, settings);
    if (!isDocument(key)) throw new DataError('DeleteOneTombstoneBusinessKeyStrategy needs the key projection to produce a document');
    filter = flattenKeys(key);
  } else {
    filter = { _id: generateId(doc, record, settings) };
  }
  return { op: { deleteOne: { filter } }, identity: identityOf(filter) };
}

function requireId(id: unknown): unknown {
  if (id === undefined || id === null) throw new DataError('the value has no _id to write by');
  return id;
}

// Business-key strategies: the id strategy put the key fields into _id as a document.
function businessKey(value: Document, settings: SinkTopicSettings): { filter: Document; rest: Document } {
  const id = value['_id'];
  if (!isDocument(id)) {
    throw new DataError(
      'the business-key write strategies need _id to be a document of business-key fields (use PartialValueStrategy or PartialKeyStrategy; with an existing _id set document.id.strategy.overwrite.existing=true)',
    );
  }
  const { _id: _ignored, ...rest } = value;
  const partial = settings.idStrategy === 'PartialKey' || settings.idStrategy === 'PartialValue';
  return { filter: partial ? flattenKeys(id) : id, rest };
}
