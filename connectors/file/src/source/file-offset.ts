import { createHash } from 'node:crypto';
import { DataError, type SourceOffset, type SourcePartition } from '@sluice/core';

/** How many leading bytes of a file make up its fingerprint. */
export const FINGERPRINT_MAX_BYTES = 1024;

/**
 * What ties an offset to one particular file rather than to whatever is at the path now. The inode
 * catches rotation (rename + new file); the fingerprint of the first bytes catches inode reuse and
 * in-place rewrites. The device is recorded too but is not decisive on its own: device ids change
 * across remounts and container restarts while the file stays the same.
 */
export interface FileIdentity {
  readonly device: string;
  readonly inode: string;
  /** hash of the first `fingerprintBytes` bytes of the file */
  readonly fingerprint: string;
  readonly fingerprintBytes: number;
}

/**
 * A decoded source offset. Offsets written by Kafka Connect's FileStreamSource carry only
 * `position`, so the identity is optional.
 */
export interface FileOffset {
  /** byte position just after the last emitted line: where reading resumes */
  readonly position: number;
  readonly identity: FileIdentity | null;
}

/** The source partition for a file, exactly as Kafka Connect's FileStreamSource writes it. */
export function filePartition(filename: string): SourcePartition {
  return { filename };
}

/** Hash used for fingerprints (short: it only has to tell two file heads apart). */
export function fingerprintOf(head: Uint8Array): string {
  return createHash('sha256').update(head).digest('hex').slice(0, 16);
}

/** Encodes an offset: `position` as Kafka Connect does, plus the identity fields. */
export function encodeOffset(position: number, identity: FileIdentity): SourceOffset {
  return {
    position,
    device: identity.device,
    inode: identity.inode,
    fingerprint: identity.fingerprint,
    fingerprintBytes: identity.fingerprintBytes,
  };
}

/**
 * Decodes a stored offset. Throws DataError when it is not one this connector (or Kafka Connect's
 * FileStreamSource) could have written, naming the bad field.
 */
export function decodeOffset(offset: SourceOffset): FileOffset {
  const position = offset['position'];
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
    throw new DataError(`file source offset needs a non-negative integer "position", got ${JSON.stringify(position)}`);
  }
  const { device, inode, fingerprint, fingerprintBytes } = offset;
  if (device === undefined && inode === undefined && fingerprint === undefined && fingerprintBytes === undefined) {
    return { position, identity: null };
  }
  if (
    typeof device !== 'string' ||
    typeof inode !== 'string' ||
    typeof fingerprint !== 'string' ||
    typeof fingerprintBytes !== 'number' ||
    !Number.isSafeInteger(fingerprintBytes) ||
    fingerprintBytes < 0 ||
    fingerprintBytes > FINGERPRINT_MAX_BYTES
  ) {
    throw new DataError('file source offset has an incomplete identity (device, inode, fingerprint, fingerprintBytes)');
  }
  return { position, identity: { device, inode, fingerprint, fingerprintBytes } };
}

/** Outcome of checking a stored offset against the file now at the path. */
export type OffsetMatch =
  /** same file, position valid: resume there */
  | 'same'
  /** offset had no identity (Kafka Connect's format) and the file is long enough: trust the position */
  | 'unverified'
  /** a different file (inode changed): the old one was rotated away */
  | 'rotated'
  /** the file is shorter than the stored position */
  | 'truncated'
  /** same inode but the first bytes differ: rewritten in place or a reused inode */
  | 'rewritten';

/** What is known about the file currently at the path. */
export interface OpenFileFacts {
  readonly device: string;
  readonly inode: string;
  readonly sizeBytes: number;
  /** the file's first min(size, FINGERPRINT_MAX_BYTES) bytes */
  readonly head: Uint8Array;
}

/** Decides whether `offset` still describes the file described by `facts`. Pure. */
export function matchOffset(offset: FileOffset, facts: OpenFileFacts): OffsetMatch {
  const { identity } = offset;
  if (identity !== null && identity.inode !== facts.inode) return 'rotated';
  if (facts.sizeBytes < offset.position) return 'truncated';
  if (identity === null) return 'unverified';
  if (facts.head.length < identity.fingerprintBytes) return 'rewritten';
  const head = facts.head.subarray(0, identity.fingerprintBytes);
  return fingerprintOf(head) === identity.fingerprint ? 'same' : 'rewritten';
}
