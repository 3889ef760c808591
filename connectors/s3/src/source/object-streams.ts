import type { SourceOffset } from '@sluice/core';
import { parseObjectKey, type ObjectFileName } from '../sink/object-key.js';

/**
 * The source reads objects in *streams*: sequences whose keys only ever grow, so that one position
 * per stream (the last object read, and how far into it) is enough to resume. For the sink's
 * layout a stream is one topic partition's objects in one directory (`…/partition=0/orders+0+…`);
 * their start offsets grow. Any other object belongs to the stream of its directory, in key order.
 */
export interface StreamObject {
  readonly key: string;
  readonly stream: string;
  /** topic, partition and start offset when the name follows the sink's layout */
  readonly fileName: ObjectFileName | null;
}

export interface StreamLayout {
  readonly directoryDelim: string;
  readonly fileDelim: string;
  /** only objects named like the sink writes them (restore mode) */
  readonly sinkNamesOnly: boolean;
}

/** Places an object in its stream; null for objects to ignore (directory markers, foreign names in restore mode). */
export function describeObject(key: string, layout: StreamLayout): StreamObject | null {
  if (key.endsWith(layout.directoryDelim)) return null;
  const fileName = parseObjectKey(key, layout.fileDelim, layout.directoryDelim);
  if (fileName === null && layout.sinkNamesOnly) return null;
  const cut = key.lastIndexOf(layout.directoryDelim);
  const dir = cut < 0 ? '' : key.slice(0, cut + layout.directoryDelim.length);
  const stream = fileName === null ? dir : `${dir}${fileName.topic}${layout.fileDelim}${fileName.partition}`;
  return { key, stream, fileName };
}

/** Order within a stream: by start offset for the sink's names (robust to any zero padding), else by key bytes as S3 lists them. */
export function compareInStream(a: StreamObject, b: StreamObject): number {
  if (a.fileName !== null && b.fileName !== null && a.fileName.startOffset !== b.fileName.startOffset) {
    return a.fileName.startOffset - b.fileName.startOffset;
  }
  return Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));
}

/** Which task reads a stream: FNV-1a of the stream id modulo the task count, the same in every task. */
export function streamTask(stream: string, taskCount: number): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(stream)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % Math.max(1, taskCount);
}

/** How far a stream has been read: the last object started, records emitted from it, and whether it is finished. */
export interface StreamPosition {
  readonly object: string;
  readonly records: number;
  readonly done: boolean;
}

/** The source offset map of a position. */
export function positionOffset(p: StreamPosition): SourceOffset {
  return { object: p.object, records: p.records, done: p.done };
}

/** Reads a stored offset back; null when absent or not one of ours. */
export function offsetPosition(offset: SourceOffset | null): StreamPosition | null {
  if (offset === null) return null;
  const { object, records, done } = offset;
  if (typeof object !== 'string' || typeof records !== 'number' || typeof done !== 'boolean') return null;
  return { object, records, done };
}

/** An object still to read, and how many of its records were already emitted. */
export interface PendingObject {
  readonly object: StreamObject;
  readonly skip: number;
}

/**
 * The objects still to read, stream by stream in stream order: those after the stream's position,
 * plus the position's own object when it is unfinished (resuming after `records` records).
 */
export function pendingObjects(
  objects: readonly StreamObject[],
  positions: ReadonlyMap<string, StreamPosition | null>,
  layout: StreamLayout,
): PendingObject[] {
  const byStream = new Map<string, StreamObject[]>();
  for (const o of objects) {
    let list = byStream.get(o.stream);
    if (list === undefined) byStream.set(o.stream, (list = []));
    list.push(o);
  }
  const out: PendingObject[] = [];
  for (const stream of [...byStream.keys()].sort()) {
    const list = (byStream.get(stream) as StreamObject[]).sort(compareInStream);
    const position = positions.get(stream) ?? null;
    const at = position === null ? null : describeObject(position.object, { ...layout, sinkNamesOnly: false });
    for (const o of list) {
      if (position === null || at === null) {
        out.push({ object: o, skip: 0 });
        continue;
      }
      const c = compareInStream(o, at);
      if (c > 0) out.push({ object: o, skip: 0 });
      else if (o.key === position.object && !position.done) out.push({ object: o, skip: position.records });
    }
  }
  return out;
}
