import type Database from 'better-sqlite3';
import { ConfigValidationError } from '@sluice/core';
import type { CleanupPolicy } from '../../log/log.js';

/** Kafka's defaults for the topic configs the embedded log honours. */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  'cleanup.policy': 'delete',
  'retention.ms': String(7 * 24 * 60 * 60 * 1000),
  'retention.bytes': '-1',
  'delete.retention.ms': String(24 * 60 * 60 * 1000),
  'min.compaction.lag.ms': '0',
});

/** The parsed cleanup-related configs of one topic. */
export interface CleanupSettings {
  readonly policy: CleanupPolicy;
  readonly compact: boolean;
  readonly delete: boolean;
  /** -1 = keep forever */
  readonly retentionMs: number;
  /** per partition; -1 = unbounded */
  readonly retentionBytes: number;
  /** how long a tombstone stays readable after it was written */
  readonly deleteRetentionMs: number;
  /** a superseded record stays at least this long */
  readonly minCompactionLagMs: number;
}

/**
 * Normalises and validates a topic's configs: fills Kafka's defaults for the keys above, normalises
 * `cleanup.policy` (`delete,compact` → `compact,delete`) and keeps unknown keys untouched. Throws a
 * ConfigValidationError naming every bad key. Does not mutate its input.
 */
export function normalizeTopicConfigs(configs: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const merged: Record<string, string> = { ...TOPIC_CONFIG_DEFAULTS, ...(configs ?? {}) };
  const fields: { name: string; errors: string[] }[] = [];
  const parts = new Set(
    merged['cleanup.policy']!
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== ''),
  );
  if (parts.size === 0 || [...parts].some((p) => p !== 'delete' && p !== 'compact')) {
    fields.push({ name: 'cleanup.policy', errors: ['must be "delete", "compact" or "compact,delete"'] });
  } else {
    merged['cleanup.policy'] = parts.size === 2 ? 'compact,delete' : [...parts][0]!;
  }
  for (const [key, min] of [
    ['retention.ms', -1],
    ['retention.bytes', -1],
    ['delete.retention.ms', 0],
    ['min.compaction.lag.ms', 0],
  ] as const) {
    const text = merged[key]!.trim();
    const value = Number(text);
    if (text === '' || !Number.isSafeInteger(value) || value < min) {
      fields.push({ name: key, errors: [`must be an integer >= ${min}`] });
    } else {
      merged[key] = String(value);
    }
  }
  if (fields.length > 0) {
    throw new ConfigValidationError(`Invalid topic configs: ${fields.map((f) => f.name).join(', ')}`, fields);
  }
  return merged;
}

/** Reads the cleanup settings from configs already passed through `normalizeTopicConfigs`. */
export function cleanupSettings(configs: Readonly<Record<string, string>>): CleanupSettings {
  const policy = (configs['cleanup.policy'] ?? 'delete') as CleanupPolicy;
  const num = (key: string): number => Number(configs[key] ?? TOPIC_CONFIG_DEFAULTS[key]);
  return {
    policy,
    compact: policy.includes('compact'),
    delete: policy.includes('delete'),
    retentionMs: num('retention.ms'),
    retentionBytes: num('retention.bytes'),
    deleteRetentionMs: num('delete.retention.ms'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
  };
}

interface PartitionParams {
  t: number;
  p: number;
}

/**
 * Compaction and retention as SQL over one partition at a time. Only deletes rows: the offsets of the
 * records that stay never change, and the partition's next offset (kept elsewhere) is never touched,
 * so offsets are not reused even when the whole tail is removed. Callers run each method inside a
 * transaction of their own; every method is synchronous and returns the number of records removed.
 */
export class LogCleaner {
  // Non-correlated subqueries: SQLite builds each key's latest offset once per statement with a
  // sort over the partition (O(n log n)), so no index on `key` is needed on the append path.
  private readonly dropSuperseded: Database.Statement<[PartitionParams]>;
  private readonly dropSupersededAfterLag: Database.Statement<[PartitionParams & { lagCutoff: number }]>;
  private readonly dropTombstones: Database.Statement<[PartitionParams & { tombstoneCutoff: number }]>;
  private readonly countTombstones: Database.Statement<[PartitionParams], number>;
  private readonly firstRetained: Database.Statement<[PartitionParams & { cutoff: number }], number>;
  private readonly lastOverSize: Database.Statement<[PartitionParams & { limit: number }], number | null>;
  private readonly dropBelow: Database.Statement<[PartitionParams & { below: number }]>;

  constructor(db: Database.Database) {
    const latestPerKey = `SELECT MAX("offset") FROM records
       WHERE topic_id = @t AND partition = @p AND key IS NOT NULL GROUP BY key`;
    this.dropSuperseded = db.prepare(
      `DELETE FROM records WHERE topic_id = @t AND partition = @p AND key IS NOT NULL
         AND "offset" NOT IN (${latestPerKey})`,
    );
    this.dropSupersededAfterLag = db.prepare(
      `DELETE FROM records WHERE topic_id = @t AND partition = @p AND key IS NOT NULL AND timestamp <= @lagCutoff
         AND "offset" NOT IN (${latestPerKey})`,
    );
    // Only a tombstone that is the sole remaining record of its key may go; otherwise an older value
    // still held back by min.compaction.lag.ms would come back to life.
    this.dropTombstones = db.prepare(
      `DELETE FROM records WHERE topic_id = @t AND partition = @p AND key IS NOT NULL AND value IS NULL
         AND timestamp < @tombstoneCutoff
         AND "offset" IN (${latestPerKey} HAVING COUNT(*) = 1)`,
    );
    this.countTombstones = db
      .prepare<[PartitionParams], number>(
        `SELECT COUNT(*) FROM records WHERE topic_id = @t AND partition = @p AND key IS NOT NULL AND value IS NULL`,
      )
      .pluck();
    // Time retention removes a prefix up to the first record still inside the window, like Kafka
    // dropping whole old segments, so a delete-policy partition never has holes.
    this.firstRetained = db
      .prepare<[PartitionParams & { cutoff: number }], number>(
        `SELECT "offset" FROM records WHERE topic_id = @t AND partition = @p AND timestamp >= @cutoff
           ORDER BY "offset" LIMIT 1`,
      )
      .pluck();
    this.lastOverSize = db
      .prepare<[PartitionParams & { limit: number }], number | null>(
        `SELECT MAX("offset") FROM (
           SELECT "offset", SUM(IFNULL(LENGTH(key), 0) + IFNULL(LENGTH(value), 0) + IFNULL(LENGTH(headers), 0))
                  OVER (ORDER BY "offset" DESC ROWS UNBOUNDED PRECEDING) AS newer_bytes
             FROM records WHERE topic_id = @t AND partition = @p)
         WHERE newer_bytes > @limit`,
      )
      .pluck();
    this.dropBelow = db.prepare(`DELETE FROM records WHERE topic_id = @t AND partition = @p AND "offset" < @below`);
  }

  /**
   * Keeps the latest record per key (records with a null key are kept), then drops tombstones
   * older than `delete.retention.ms`. Returns the number of records removed and how many tombstones
   * remain (which a later run may still have to drop as time passes).
   */
  compact(topicId: number, partition: number, settings: CleanupSettings, nowMs: number): { removed: number; tombstones: number } {
    const params = { t: topicId, p: partition };
    let removed =
      settings.minCompactionLagMs > 0
        ? this.dropSupersededAfterLag.run({ ...params, lagCutoff: nowMs - settings.minCompactionLagMs }).changes
        : this.dropSuperseded.run(params).changes;
    removed += this.dropTombstones.run({ ...params, tombstoneCutoff: nowMs - settings.deleteRetentionMs }).changes;
    return { removed, tombstones: this.countTombstones.get(params) ?? 0 };
  }

  /**
   * Applies `retention.ms` (records older than the window, as a prefix) and `retention.bytes` (oldest
   * records until the partition's key + value + header bytes fit). `nextOffset` is the partition's
   * next offset: when every record is expired, everything below it goes.
   */
  enforceRetention(topicId: number, partition: number, settings: CleanupSettings, nowMs: number, nextOffset: number): number {
    const params = { t: topicId, p: partition };
    let removed = 0;
    if (settings.retentionMs >= 0) {
      const keepFrom = this.firstRetained.get({ ...params, cutoff: nowMs - settings.retentionMs }) ?? nextOffset;
      removed += this.dropBelow.run({ ...params, below: keepFrom }).changes;
    }
    if (settings.retentionBytes >= 0) {
      const last = this.lastOverSize.get({ ...params, limit: settings.retentionBytes });
      if (last !== null && last !== undefined) removed += this.dropBelow.run({ ...params, below: last + 1 }).changes;
    }
    return removed;
  }
}
