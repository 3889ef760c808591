import { ConnectError, RetriableError } from '@sluice/core';
import { errorMessage } from '../connection/mongo-connection.js';

/** Server error codes after which the stored resume token can never be used again. */
export const RESUME_POINT_LOST_CODES: Readonly<Record<number, string>> = Object.freeze({
  286: 'ChangeStreamHistoryLost',
  260: 'InvalidResumeToken',
  280: 'ChangeStreamFatalError',
  // an event larger than 16 MiB cannot be returned, so the stream cannot move past it
  10334: 'BSONObjectTooLarge',
});

// Codes and labels the driver or the server use for transient conditions (network, elections,
// shutdowns, interrupted operations): reopening the stream from the last token is safe.
const RETRIABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 63, 150, 133, 234, 43]);
const RETRIABLE_LABELS = ['ResumableChangeStreamError', 'RetryableWriteError', 'NetworkError'];

interface MongoLikeError {
  code?: unknown;
  codeName?: unknown;
  errorLabels?: unknown;
  hasErrorLabel?: (label: string) => boolean;
  name?: unknown;
}

/** The numeric server error code of a driver error, if any. */
export function errorCode(err: unknown): number | undefined {
  const code = (err as MongoLikeError | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function hasLabel(err: MongoLikeError, label: string): boolean {
  if (typeof err.hasErrorLabel === 'function') return err.hasErrorLabel(label);
  return Array.isArray(err.errorLabels) && err.errorLabels.includes(label);
}

/** True for errors worth retrying with the same resume point (network, failover, shutdown). */
export function isTransientMongoError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as MongoLikeError;
  const name = typeof e.name === 'string' ? e.name : '';
  if (name === 'MongoNetworkError' || name === 'MongoNetworkTimeoutError' || name === 'MongoServerSelectionError' || name === 'MongoTopologyClosedError') {
    return true;
  }
  const code = errorCode(err);
  return (code !== undefined && RETRIABLE_CODES.has(code)) || RETRIABLE_LABELS.some((l) => hasLabel(e, l));
}

/**
 * Turns an error from opening or reading the change stream into what the task throws:
 * - the resume point is gone (286 ChangeStreamHistoryLost, 260, 280, 10334): a non-retriable
 *   ConnectError whose message names the code and spells out the recovery steps — the task fails
 *   and never silently restarts from "now", which would skip every change in between;
 * - transient (network, election, shutdown): RetriableError, after which the stream reopens from
 *   the last token handed to the runtime;
 * - anything else: a non-retriable ConnectError.
 */
export function classifyStreamError(err: unknown, context: { connector: string; partitionName: string; resuming: boolean }): ConnectError {
  const code = errorCode(err);
  const lostName = code === undefined ? undefined : RESUME_POINT_LOST_CODES[code];
  if (lostName !== undefined) {
    return new ConnectError(resumePointLostMessage(code as number, lostName, err, context), {
      cause: err,
      context: { connector: context.connector, mongoErrorCode: code, mongoCodeName: lostName },
    });
  }
  if (isTransientMongoError(err)) {
    return new RetriableError(`the MongoDB change stream failed transiently and will be reopened from the last resume token: ${errorMessage(err)}`, {
      cause: err,
      context: { connector: context.connector, ...(code === undefined ? {} : { mongoErrorCode: code }) },
    });
  }
  if (ConnectError.is(err)) return err;
  return new ConnectError(`the MongoDB change stream failed: ${errorMessage(err)}${code === undefined ? '' : ` (code ${code})`}`, {
    cause: err,
    context: { connector: context.connector, ...(code === undefined ? {} : { mongoErrorCode: code }) },
  });
}

/** The failure message for a lost resume point: what happened, why it matters, and how to recover. */
export function resumePointLostMessage(code: number, codeName: string, err: unknown, context: { connector: string; partitionName: string; resuming: boolean }): string {
  const what =
    code === 10334
      ? 'a change event is larger than the 16 MiB BSON limit, so the change stream cannot return it or move past it'
      : context.resuming
        ? "the stored resume token is no longer in the server's oplog (the connector was stopped, or the collection was quiet, for longer than the oplog window)"
        : 'the change stream can no longer continue from its resume point';
  const name = context.connector;
  return [
    `MongoDB change stream cannot resume: error ${code} ${codeName}: ${what}. Server message: ${errorMessage(err)}.`,
    'The task has failed instead of restarting from the current time, because that would silently skip every change made since the last stored offset.',
    'To recover (choose one):',
    `  1. Re-snapshot: PUT /connectors/${name}/stop, then DELETE /connectors/${name}/offsets, set "startup.mode": "copy_existing", then PUT /connectors/${name}/resume. Every document is published again (consumers must tolerate duplicates).`,
    `  2. Accept the gap: reset the offsets the same way with "startup.mode": "latest" (changes since the last stored offset are lost), or "timestamp" with "startup.mode.timestamp.start.at.operation.time" at a time still inside the oplog window.`,
    `  3. Start over under a new offset partition: set "offset.partition.name" to a new value (the current partition is "${context.partitionName}").`,
    'To prevent it: enlarge the oplog (replSetResizeOplog) so it covers the longest expected downtime, and set "heartbeat.interval.ms" so quiet or filtered collections keep storing fresh resume tokens.',
  ].join('\n');
}
