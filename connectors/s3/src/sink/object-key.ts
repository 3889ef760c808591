/** How object keys are spelled; Confluent's `topics.dir`, `directory.delim`, `file.delim`, padding. */
export interface KeyLayout {
  /** `topics.dir`, without leading or trailing delimiters; empty puts topics at the bucket root */
  readonly topicsDir: string;
  readonly directoryDelim: string;
  readonly fileDelim: string;
  /** `filename.offset.zero.pad.width` */
  readonly zeroPadWidth: number;
  /** with its dot, e.g. `.json.gz` */
  readonly extension: string;
}

/**
 * The key of the object that starts at `startOffset`, Confluent style:
 * `<topics.dir>/<topic>/<encodedPartition>/<topic>+<partition>+<startOffset padded>.<ext>`, e.g.
 * `topics/orders/partition=0/orders+0+0000000042.json`. The same records always produce the same
 * key, which is what makes a replay overwrite rather than duplicate.
 */
export function objectKey(
  layout: KeyLayout,
  topic: string,
  encodedPartition: string,
  partition: number,
  startOffset: number,
): string {
  const d = layout.directoryDelim;
  const dir = [layout.topicsDir, topic, encodedPartition].filter((s) => s !== '').join(d);
  const f = layout.fileDelim;
  return `${dir}${d}${topic}${f}${partition}${f}${String(startOffset).padStart(layout.zeroPadWidth, '0')}${layout.extension}`;
}

/** What an object's file name says about its records. */
export interface ObjectFileName {
  readonly topic: string;
  readonly partition: number;
  readonly startOffset: number;
}

/**
 * Reads topic, partition and start offset back from a key written by `objectKey` (any directory,
 * any extension). Returns null for other names.
 */
export function parseObjectKey(key: string, fileDelim = '+', directoryDelim = '/'): ObjectFileName | null {
  const name = key.slice(key.lastIndexOf(directoryDelim) + 1);
  const f = escapeRegExp(fileDelim);
  const m = new RegExp(`^(.+?)${f}(\\d+)${f}(\\d+)(?:\\..*)?$`).exec(name);
  if (m === null) return null;
  const partition = Number(m[2]);
  const startOffset = Number(m[3]);
  if (!Number.isSafeInteger(partition) || !Number.isSafeInteger(startOffset)) return null;
  return { topic: m[1] as string, partition, startOffset };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
