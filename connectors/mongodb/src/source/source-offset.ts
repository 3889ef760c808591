import { DataError, type SourceOffset, type SourcePartition } from '@sluice/core';
import { BSON, type Document } from 'mongodb';

const { EJSON } = BSON;
import { uriIdentity } from '../connection/mongo-connection.js';
import type { WatchScope } from './mongo-source-config.js';

/** A change stream resume token (an opaque document, `{_data: "82…"}` on MongoDB 4.2+). */
export type ResumeToken = Document;

/**
 * Where a stored offset says to continue:
 * - `resume`: open the stream after `token` (a change event's or a heartbeat's token);
 * - `copy`: a copy of existing data was in progress and must start over (then stream from the start
 *   of that new copy).
 */
export type StoredPosition = { readonly kind: 'resume'; readonly token: ResumeToken; readonly heartbeat: boolean } | { readonly kind: 'copy' };

// The official connector's offset layout, so offsets written through the REST API in its format work.
const TOKEN_KEY = '_id';
const COPY_KEY = 'copy';
const HEARTBEAT_KEY = 'HEARTBEAT';

/**
 * The source partition every record of a connector carries: `{ns: <name>}`, where the name is
 * `offset.partition.name` or, by default, `<scheme>://<hosts>/<db>[.<coll>]` (no credentials), as
 * the official connector derives it. Changing the name starts over from `startup.mode`.
 */
export function sourcePartition(connectionUri: string, scope: WatchScope, partitionName: string): SourcePartition {
  if (partitionName !== '') return Object.freeze({ ns: partitionName });
  const { scheme, hosts } = uriIdentity(connectionUri);
  const namespace = scope.kind === 'deployment' ? '' : scope.kind === 'database' ? scope.database : `${scope.database}.${scope.collection}`;
  return Object.freeze({ ns: `${scheme}://${hosts}/${namespace}` });
}

/** The resume token as offset text (canonical Extended JSON, exactly reversible). */
export function tokenText(token: ResumeToken): string {
  return EJSON.stringify(token, { relaxed: false });
}

/** Offset of a record from the change stream: the event's resume token. */
export function streamOffset(token: ResumeToken): SourceOffset {
  return Object.freeze({ [TOKEN_KEY]: tokenText(token) });
}

/** Offset of a heartbeat record: the post-batch resume token, flagged as a heartbeat. */
export function heartbeatOffset(token: ResumeToken): SourceOffset {
  return Object.freeze({ [TOKEN_KEY]: tokenText(token), [HEARTBEAT_KEY]: 'true' });
}

/**
 * Offset of a copied document. While the copy runs the offset says "copy in progress" (a restart
 * copies again); the last copied record may carry the stream's start token instead, which ends the
 * copy for good.
 */
export function copyOffset(startToken: ResumeToken | null): SourceOffset {
  return startToken === null
    ? Object.freeze({ [COPY_KEY]: 'true' })
    : Object.freeze({ [TOKEN_KEY]: tokenText(startToken), [COPY_KEY]: 'true' });
}

/**
 * Reads a stored offset. Accepts this connector's offsets and the official connector's (string
 * `_id` holding the token as JSON, optional `copy`/`HEARTBEAT` flags).
 * @throws DataError when the offset is neither a copy marker nor holds a parseable token.
 */
export function decodeOffset(offset: SourceOffset): StoredPosition {
  if (isTrue(offset[COPY_KEY])) return { kind: 'copy' };
  const text = offset[TOKEN_KEY];
  if (typeof text !== 'string' || text === '') {
    throw new DataError(`MongoDB source offsets need a "${TOKEN_KEY}" resume token (JSON text), got ${JSON.stringify(offset)}`);
  }
  let token: unknown;
  try {
    token = EJSON.parse(text, { relaxed: false });
  } catch (err) {
    throw new DataError(`the stored resume token is not valid JSON: ${text}`, { cause: err });
  }
  if (typeof token !== 'object' || token === null || Array.isArray(token)) {
    throw new DataError(`the stored resume token must be a JSON document, got ${text}`);
  }
  return { kind: 'resume', token: token as ResumeToken, heartbeat: isTrue(offset[HEARTBEAT_KEY]) };
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}
