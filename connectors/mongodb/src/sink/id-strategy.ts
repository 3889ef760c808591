import { randomUUID } from 'node:crypto';
import { DataError, type SinkRecord } from '@sluice/core';
import { ObjectId, UUID, type Document } from 'mongodb';
import { isDocument } from '../bson/bson-value.js';
import type { ProjectionType, SinkTopicSettings } from './mongo-sink-config.js';
import type { SinkDocument } from './sink-document.js';

/**
 * The `_id` the configured `document.id.strategy` gives a record (the official strategies' meaning).
 * Pure except for the random ids of BsonOid and Uuid.
 * @throws DataError when the strategy's source is missing (e.g. ProvidedInValue and no `_id`).
 */
export function generateId(doc: SinkDocument, record: SinkRecord, settings: SinkTopicSettings): unknown {
  switch (settings.idStrategy) {
    case 'BsonOid':
      return new ObjectId();
    case 'Uuid':
      return settings.uuidFormat === 'binary' ? new UUID() : randomUUID();
    case 'FullKey':
      return doc.keyDoc ?? doc.keyValue ?? {};
    case 'PartialKey':
      return project(requireDoc(doc.keyDoc, 'key', 'PartialKeyStrategy'), settings.partialKeyProjection.type, settings.partialKeyProjection.fields);
    case 'PartialValue':
      return project(requireDoc(doc.valueDoc, 'value', 'PartialValueStrategy'), settings.partialValueProjection.type, settings.partialValueProjection.fields);
    case 'ProvidedInKey':
      return provided(doc.keyDoc !== null ? doc.keyDoc['_id'] : doc.keyValue, 'key');
    case 'ProvidedInValue':
      return provided(doc.valueDoc?.['_id'], 'value');
    case 'KafkaMetaData':
      return `${record.topic}#${record.kafkaPartition}#${record.kafkaOffset}`;
    case 'UuidProvidedInKey':
      return asUuid(provided(doc.keyDoc !== null ? doc.keyDoc['_id'] : doc.keyValue, 'key'));
    case 'UuidProvidedInValue':
      return asUuid(provided(doc.valueDoc?.['_id'], 'value'));
  }
}

/**
 * The official DocumentIdAdder: a copy of the value document with `_id` set from the id strategy,
 * unless it already has one and `document.id.strategy.overwrite.existing` is false.
 */
export function withDocumentId(doc: SinkDocument, record: SinkRecord, settings: SinkTopicSettings): Document {
  const value = doc.valueDoc as Document;
  if (value['_id'] !== undefined && !settings.overwriteExistingId) return value;
  return { ...value, _id: generateId(doc, record, settings) };
}

function requireDoc(d: Document | null, what: string, strategy: string): Document {
  if (d === null) throw new DataError(`${strategy} needs the record ${what} to be a document`);
  return d;
}

function provided(id: unknown, where: 'key' | 'value'): unknown {
  if (id === undefined || id === null) {
    throw new DataError(`the id strategy takes _id from the record ${where}, but the ${where} has no _id (or it is null)`);
  }
  return id;
}

function asUuid(id: unknown): UUID {
  if (typeof id === 'string') {
    try {
      return new UUID(id);
    } catch (err) {
      throw new DataError(`the provided _id "${id}" is not a UUID`, { cause: err });
    }
  }
  throw new DataError('the provided _id must be a UUID string for the Uuid-provided id strategies');
}

/**
 * Keeps (allowlist) or removes (blocklist) the given dotted field paths of a document; returns a
 * new document. `none` returns a copy.
 */
export function project(doc: Document, type: ProjectionType, fields: readonly string[]): Document {
  if (type === 'allowlist') {
    const out: Document = {};
    for (const path of fields) {
      const parts = path.split('.');
      let src: unknown = doc;
      for (const p of parts) src = isDocument(src) ? src[p] : undefined;
      if (src === undefined) continue;
      let dst = out;
      for (const p of parts.slice(0, -1)) {
        if (!isDocument(dst[p])) dst[p] = {};
        dst = dst[p] as Document;
      }
      dst[parts.at(-1) as string] = src;
    }
    return out;
  }
  const out = structuredCloneDocument(doc);
  if (type === 'blocklist') {
    for (const path of fields) {
      const parts = path.split('.');
      let parent: unknown = out;
      for (const p of parts.slice(0, -1)) parent = isDocument(parent) ? parent[p] : undefined;
      if (isDocument(parent)) delete parent[parts.at(-1) as string];
    }
  }
  return out;
}

// Copies plain sub-documents so a projection never edits the record's value; BSON values are shared.
function structuredCloneDocument(doc: Document): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) out[k] = isDocument(v) ? structuredCloneDocument(v) : v;
  return out;
}

/** Flattens nested documents to dotted keys (`{a: {b: 1}}` → `{"a.b": 1}`) for business-key filters. */
export function flattenKeys(doc: Document, prefix = ''): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) {
    if (isDocument(v)) Object.assign(out, flattenKeys(v, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}
