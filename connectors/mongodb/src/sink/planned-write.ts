import { BSON, type AnyBulkWriteOperation, type Document } from 'mongodb';

/** One write planned for a record. `identity` names the document it touches (null: a new document). */
export interface PlannedWrite {
  readonly op: AnyBulkWriteOperation<Document>;
  readonly identity: string | null;
}

/** Canonical text of a filter, so two writes to the same document can be recognised. */
export function identityOf(filter: Document): string {
  return BSON.EJSON.stringify(filter, { relaxed: false });
}
