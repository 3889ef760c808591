import type Database from 'better-sqlite3';
import { ConfigValidationError, DataError, IllegalStateError, NotFoundError } from '@sluice/core';
import type { LogRecord, ProduceAck, ProduceRecord, TopicPartitionOffset } from '../../log/log.js';
import { RoundRobinCounter, defaultPartition } from '../../log/partitioner.js';
import { decodeHeaders, encodeHeaders } from './header-codec.js';
import type { CleanupSettings } from './log-cleaner.js';
import { LogCleaner, cleanupSettings, normalizeTopicConfigs } from './log-cleaner.js';
import type { SyncMode } from './log-database.js';
import { openLogDatabase } from './log-database.js';

/** A topic as the store keeps it in memory; the store is the only writer, so this is authoritative. */
export interface TopicState {
  readonly id: number;
  readonly name: string;
  readonly partitions: number;
  /** normalised configs, Kafka defaults filled in */
  readonly configs: Readonly<Record<string, string>>;
  readonly settings: CleanupSettings;
  /** next offset to assign, by partition; replaced (never mutated) after each committed append */
  nextOffsets: readonly number[];
  readonly counter: RoundRobinCounter;
}

interface RecordRow {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Buffer | null;
  timestamp: number;
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * The synchronous SQLite core of the embedded log: topics, records, high watermarks and group offsets.
 * Every method runs to completion on the calling thread (better-sqlite3 is synchronous), which is what
 * lets the async layer above register a long-poll waiter right after an empty read without racing an
 * append. Methods throw Sluice errors (NotFoundError, DataError, …) synchronously. Not thread-safe, and
 * never shared between processes (see DataDirLock).
 */
export class LogStore {
  private readonly db: Database.Database;
  private readonly cleaner: LogCleaner;
  private readonly topics = new Map<string, TopicState>();
  private isClosed = false;
  private readonly stmt;

  private constructor(db: Database.Database) {
    this.db = db;
    this.cleaner = new LogCleaner(db);
    this.stmt = {
      insertTopic: db.prepare<[string, number, string, number]>(
        'INSERT INTO topics (name, partitions, configs, created_at) VALUES (?, ?, ?, ?)',
      ),
      insertPartition: db.prepare<[number, number]>('INSERT INTO partitions (topic_id, partition, next_offset) VALUES (?, ?, 0)'),
      setNextOffset: db.prepare<[number, number, number]>('UPDATE partitions SET next_offset = ? WHERE topic_id = ? AND partition = ?'),
      insertRecord: db.prepare<[number, number, number, Buffer | null, Buffer | null, Buffer | null, number]>(
        'INSERT INTO records (topic_id, partition, "offset", key, value, headers, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      readRecords: db.prepare<[number, number, number, number], RecordRow>(
        `SELECT "offset" AS offset, key, value, headers, timestamp FROM records
          WHERE topic_id = ? AND partition = ? AND "offset" >= ? ORDER BY "offset" LIMIT ?`,
      ),
      firstOffset: db
        .prepare<[number, number], number | null>('SELECT MIN("offset") FROM records WHERE topic_id = ? AND partition = ?')
        .pluck(),
      deleteTopicRecords: db.prepare<[number]>('DELETE FROM records WHERE topic_id = ?'),
      deleteTopicPartitions: db.prepare<[number]>('DELETE FROM partitions WHERE topic_id = ?'),
      deleteTopic: db.prepare<[number]>('DELETE FROM topics WHERE id = ?'),
      deleteTopicGroupOffsets: db.prepare<[string]>('DELETE FROM group_offsets WHERE topic = ?'),
      groupOffsets: db.prepare<[string], { topic: string; partition: number; offset: number }>(
        'SELECT topic, partition, "offset" AS offset FROM group_offsets WHERE group_id = ? ORDER BY topic, partition',
      ),
      groupOffset: db
        .prepare<[string, string, number], number>(
          'SELECT "offset" FROM group_offsets WHERE group_id = ? AND topic = ? AND partition = ?',
        )
        .pluck(),
      upsertGroupOffset: db.prepare<[string, string, number, number, number]>(
        `INSERT INTO group_offsets (group_id, topic, partition, "offset", metadata, committed_at) VALUES (?, ?, ?, ?, NULL, ?)
           ON CONFLICT (group_id, topic, partition) DO UPDATE SET "offset" = excluded."offset", committed_at = excluded.committed_at`,
      ),
      deleteGroupOffset: db.prepare<[string, string, number]>(
        'DELETE FROM group_offsets WHERE group_id = ? AND topic = ? AND partition = ?',
      ),
      deleteGroup: db.prepare<[string]>('DELETE FROM group_offsets WHERE group_id = ?'),
    };
    this.loadTopics();
  }

  /** Opens the database file (see `openLogDatabase` for locking and durability). */
  static open(file: string, sync: SyncMode): LogStore {
    return new LogStore(openLogDatabase(file, sync));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The topic, or undefined when it does not exist. */
  topic(name: string): TopicState | undefined {
    this.ensureOpen();
    return this.topics.get(name);
  }

  /** The topic; throws NotFoundError when it does not exist. */
  requireTopic(name: string): TopicState {
    const topic = this.topic(name);
    if (!topic) throw new NotFoundError(`Topic ${name} does not exist`, { context: { topic: name } });
    return topic;
  }

  /** Throws a DataError unless `partition` is a partition index of `topic`. */
  requirePartition(topic: TopicState, partition: number): void {
    if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitions) {
      throw new DataError(`Partition ${partition} is out of range for topic ${topic.name} (${topic.partitions} partitions)`, {
        context: { topic: topic.name, partition },
      });
    }
  }

  /** Topic names, sorted. */
  topicNames(): string[] {
    this.ensureOpen();
    return [...this.topics.keys()].sort();
  }

  /** Creates a topic; false when one with that name exists. Throws ConfigValidationError on a bad spec. */
  createTopic(name: string, partitions: number, configs: Readonly<Record<string, string>> | undefined): boolean {
    this.ensureOpen();
    const fields: { name: string; errors: string[] }[] = [];
    if (!LEGAL_TOPIC.test(name) || name === '.' || name === '..') {
      fields.push({ name: 'name', errors: ['must be 1-249 characters of [a-zA-Z0-9._-], not "." or ".."'] });
    }
    if (!Number.isInteger(partitions) || partitions < 1) fields.push({ name: 'partitions', errors: ['must be >= 1 (or -1 for the default)'] });
    if (fields.length > 0) throw new ConfigValidationError(`Invalid topic ${name}`, fields);
    const normalized = normalizeTopicConfigs(configs);
    if (this.topics.has(name)) return false;
    const id = this.db.transaction(() => {
      const topicId = Number(this.stmt.insertTopic.run(name, partitions, JSON.stringify(normalized), Date.now()).lastInsertRowid);
      for (let p = 0; p < partitions; p++) this.stmt.insertPartition.run(topicId, p);
      return topicId;
    })();
    this.topics.set(name, this.topicState(id, name, partitions, normalized, new Array<number>(partitions).fill(0)));
    return true;
  }

  /** Deletes a topic, its records and every group's committed offsets for it. Throws NotFoundError. */
  deleteTopic(name: string): void {
    const topic = this.requireTopic(name);
    this.db.transaction(() => {
      this.stmt.deleteTopicRecords.run(topic.id);
      this.stmt.deleteTopicPartitions.run(topic.id);
      this.stmt.deleteTopic.run(topic.id);
      this.stmt.deleteTopicGroupOffsets.run(name);
    })();
    this.topics.delete(name);
  }

  /**
   * Appends `records` in one transaction and returns one ack per record in input order. Offsets are
   * contiguous per partition. The new offsets become visible (in memory and on disk) only once the
   * transaction committed; on any error nothing is written.
   */
  append(topicName: string, records: readonly ProduceRecord[], nowMs: number): ProduceAck[] {
    const topic = this.requireTopic(topicName);
    if (records.length === 0) return [];
    const next = topic.nextOffsets.slice();
    const planned = records.map((record) => {
      let partition = record.partition;
      if (partition === undefined) partition = defaultPartition(record.key, topic.partitions, topic.counter);
      else this.requirePartition(topic, partition);
      const timestamp = record.timestamp ?? nowMs;
      if (!Number.isSafeInteger(timestamp)) {
        throw new DataError(`Record timestamp must be an integer (epoch ms), got ${timestamp}`, { context: { topic: topicName } });
      }
      const offset = next[partition]!;
      next[partition] = offset + 1;
      return { record, partition, offset, timestamp };
    });
    this.db.transaction(() => {
      for (const { record, partition, offset, timestamp } of planned) {
        this.stmt.insertRecord.run(topic.id, partition, offset, record.key, record.value, encodeHeaders(record.headers), timestamp);
      }
      for (let p = 0; p < next.length; p++) {
        if (next[p] !== topic.nextOffsets[p]) this.stmt.setNextOffset.run(next[p]!, topic.id, p);
      }
    })();
    topic.nextOffsets = next;
    return planned.map(({ partition, offset, timestamp }) => ({ topic: topicName, partition, offset, timestamp }));
  }

  /** Up to `maxRecords` records of a partition with offset >= `offset`, ascending (compacted holes skipped). */
  read(topicName: string, partition: number, offset: number, maxRecords: number): LogRecord[] {
    const topic = this.requireTopic(topicName);
    this.requirePartition(topic, partition);
    if (offset >= (topic.nextOffsets[partition] ?? 0)) return [];
    return this.stmt.readRecords.all(topic.id, partition, offset, maxRecords).map((row) => ({
      topic: topicName,
      partition,
      offset: row.offset,
      key: row.key,
      value: row.value,
      headers: decodeHeaders(row.headers),
      timestamp: row.timestamp,
    }));
  }

  /** First offset still stored in a partition; its next offset when the partition is empty. */
  startOffset(topic: TopicState, partition: number): number {
    this.ensureOpen();
    return this.stmt.firstOffset.get(topic.id, partition) ?? topic.nextOffsets[partition] ?? 0;
  }

  /** Committed offsets of a group (next offset to read), sorted by topic and partition. */
  groupOffsets(groupId: string): TopicPartitionOffset[] {
    this.ensureOpen();
    return this.stmt.groupOffsets.all(groupId).map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset }));
  }

  /** One committed offset, or undefined when the group never committed that partition. */
  groupOffset(groupId: string, topic: string, partition: number): number | undefined {
    this.ensureOpen();
    return this.stmt.groupOffset.get(groupId, topic, partition);
  }

  /** Commits offsets atomically. Throws NotFoundError for a missing topic, DataError for a bad partition or offset. */
  commitGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[], nowMs: number): void {
    for (const o of offsets) {
      this.requirePartition(this.requireTopic(o.topic), o.partition);
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new DataError(`Offset ${o.offset} for ${o.topic}-${o.partition} must be a non-negative integer`, {
          context: { topic: o.topic, partition: o.partition },
        });
      }
    }
    this.db.transaction(() => {
      for (const o of offsets) this.stmt.upsertGroupOffset.run(groupId, o.topic, o.partition, o.offset, nowMs);
    })();
  }

  /** Deletes a group's offsets: all of them, or those of the given partitions. */
  deleteGroupOffsets(groupId: string, partitions?: readonly { topic: string; partition: number }[]): void {
    this.ensureOpen();
    this.db.transaction(() => {
      if (partitions === undefined) this.stmt.deleteGroup.run(groupId);
      else for (const tp of partitions) this.stmt.deleteGroupOffset.run(groupId, tp.topic, tp.partition);
    })();
  }

  /** Compacts one partition in its own transaction (see LogCleaner.compact). */
  compactPartition(topic: TopicState, partition: number, nowMs: number): { removed: number; tombstones: number } {
    this.ensureOpen();
    return this.db.transaction(() => this.cleaner.compact(topic.id, partition, topic.settings, nowMs))();
  }

  /** Applies retention to one partition in its own transaction (see LogCleaner.enforceRetention). */
  enforceRetention(topic: TopicState, partition: number, nowMs: number): number {
    this.ensureOpen();
    return this.db.transaction(() =>
      this.cleaner.enforceRetention(topic.id, partition, topic.settings, nowMs, topic.nextOffsets[partition] ?? 0),
    )();
  }

  /** Closes the database (a clean close checkpoints the WAL). Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.topics.clear();
    this.db.close();
  }

  private ensureOpen(): void {
    if (this.isClosed) throw new IllegalStateError('The embedded log is closed');
  }

  private loadTopics(): void {
    const topics = this.db
      .prepare<[], { id: number; name: string; partitions: number; configs: string }>('SELECT id, name, partitions, configs FROM topics')
      .all();
    const watermarks = new Map<number, { partition: number; next_offset: number }[]>();
    const rows = this.db
      .prepare<[], { topic_id: number; partition: number; next_offset: number }>('SELECT topic_id, partition, next_offset FROM partitions')
      .all();
    for (const row of rows) watermarks.set(row.topic_id, [...(watermarks.get(row.topic_id) ?? []), row]);
    const lastOffset = this.db
      .prepare<[number, number], number | null>('SELECT MAX("offset") FROM records WHERE topic_id = ? AND partition = ?')
      .pluck();
    for (const t of topics) {
      const next = new Array<number>(t.partitions).fill(0);
      for (const w of watermarks.get(t.id) ?? []) if (w.partition < t.partitions) next[w.partition] = w.next_offset;
      // Both are written in the same transaction, so they agree; the check costs one index probe per
      // partition and guarantees an offset is never handed out twice even if they somehow did not.
      for (let p = 0; p < t.partitions; p++) next[p] = Math.max(next[p]!, (lastOffset.get(t.id, p) ?? -1) + 1);
      this.topics.set(t.name, this.topicState(t.id, t.name, t.partitions, JSON.parse(t.configs) as Record<string, string>, next));
    }
  }

  private topicState(id: number, name: string, partitions: number, configs: Record<string, string>, next: number[]): TopicState {
    return {
      id,
      name,
      partitions,
      configs: Object.freeze({ ...configs }),
      settings: cleanupSettings(configs),
      nextOffsets: next,
      counter: new RoundRobinCounter(),
    };
  }
}
