import {
  DataError,
  IllegalStateError,
  Struct,
  sourceRecord,
  type Logger,
  type SourcePartition,
  type SourceRecord,
} from '@sluice/core';
import { lsnToNumber, maxLsn, type Lsn } from '../replication/lsn.js';
import type { PgOutputMessage, RelationMessage, Tuple } from '../replication/pgoutput-decoder.js';
import type { StreamItem } from '../replication/replication-stream.js';
import type { ColumnDefinition } from '../types/pg-type.js';
import { CapturedTable, UNCHANGED, type RawValue } from './captured-table.js';
import { replicaIdentityWarning, type CatalogReader } from './catalog.js';
import {
  HEARTBEAT_KEY_SCHEMA,
  HEARTBEAT_VALUE_SCHEMA,
  TRANSACTION_KEY_SCHEMA,
  TRANSACTION_VALUE_SCHEMA,
  envelopeStruct,
  sourceStruct,
  transactionBlock,
  transactionValue,
  type EnvelopeOp,
} from './envelope-schemas.js';
import type { PostgresSourceSettings } from './postgres-source-config.js';
import { comparePositions, isDelivered, streamOffset, type StreamPosition } from './source-position.js';

/** A record with the stream position it completes. */
export interface PositionedRecord {
  readonly record: SourceRecord;
  readonly position: StreamPosition;
}

/** Records per raw row event: delete + tombstone + create for a key change at most. */
const SLOTS_PER_EVENT = 4;

interface OpenTransaction {
  readonly xid: number;
  readonly commitLsn: Lsn;
  readonly commitTimeMicros: bigint;
  readonly id: string;
  /** raw row events seen so far (each truncated relation counts as one) */
  rawEvents: number;
  /** captured events so far, total and per `schema.table` (transaction metadata) */
  captured: number;
  readonly perTable: Map<string, number>;
}

/**
 * Turns the decoded replication stream into Debezium-shaped records, in stream order, skipping
 * everything at or before the resume position (see `StreamPosition`). Tracks the position reached
 * between transactions so heartbeats can carry it. Processes one item at a time; not reentrant.
 */
/** A row inserted into the signal table, by column name, with the stream position of the insert. */
export type SignalHandler = (row: Readonly<Record<string, string | null>>, position: StreamPosition) => PositionedRecord[];

export class ChangeProcessor {
  private readonly relations = new Map<number, CapturedTable | null>();
  /** relation id → column names, for relations that are the signal table */
  private readonly signalRelations = new Map<number, readonly string[]>();
  /** receives signal-table inserts (incremental snapshots); their rows are never emitted as data */
  onSignal: SignalHandler | null = null;
  private readonly warnedKeyTables = new Set<string>();
  private readonly warnedTables = new Set<string>();
  private tx: OpenTransaction | null = null;
  private processed: StreamPosition;
  private lastCommitLsn: Lsn | null = null;

  constructor(
    private readonly settings: PostgresSourceSettings,
    private readonly catalog: CatalogReader,
    private readonly partition: SourcePartition,
    private readonly resumeFrom: StreamPosition,
    private readonly logger: Logger,
  ) {
    this.processed = resumeFrom;
  }

  /** The position everything before which has been turned into records (advances between transactions). */
  get position(): StreamPosition {
    return this.processed;
  }

  /** True while a transaction's messages are being received. */
  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** Processes one stream item and returns the records it produces (often none). */
  async process(item: StreamItem): Promise<PositionedRecord[]> {
    if (item.kind === 'keepalive') {
      if (this.tx === null) this.advance({ commitLsn: item.walEnd, eventIndex: -1 });
      return [];
    }
    return this.message(item.lsn, item.message);
  }

  /** A heartbeat record carrying the current position. */
  heartbeat(nowMs: number): PositionedRecord {
    const position = this.processed;
    const record = sourceRecord({
      sourcePartition: this.partition,
      sourceOffset: streamOffset({
        position,
        lsn: position.commitLsn,
        txId: null,
        commitTimeMicros: BigInt(nowMs) * 1000n,
      }),
      topic: this.settings.heartbeatTopic,
      keySchema: HEARTBEAT_KEY_SCHEMA,
      key: new Struct(HEARTBEAT_KEY_SCHEMA).put('serverName', this.settings.topicPrefix),
      valueSchema: HEARTBEAT_VALUE_SCHEMA,
      value: new Struct(HEARTBEAT_VALUE_SCHEMA).put('ts_ms', nowMs),
    });
    return { record, position };
  }

  private advance(p: StreamPosition): void {
    if (comparePositions(p, this.processed) > 0) this.processed = p;
  }

  private async message(lsn: Lsn, m: PgOutputMessage): Promise<PositionedRecord[]> {
    switch (m.tag) {
      case 'begin':
        this.tx = {
          xid: m.xid,
          commitLsn: m.finalLsn,
          commitTimeMicros: m.commitTimeMicros,
          id: `${m.xid}:${lsnToNumber(m.finalLsn)}`,
          rawEvents: 0,
          captured: 0,
          perTable: new Map(),
        };
        return [];
      case 'commit':
        return this.commit(m.commitLsn, m.endLsn);
      case 'relation':
        if (this.settings.signalTable !== null && `${m.schema}.${m.name}` === this.settings.signalTable) {
          this.signalRelations.set(m.relationId, m.columns.map((c) => c.name));
          this.relations.set(m.relationId, null);
        } else {
          this.signalRelations.delete(m.relationId);
          this.relations.set(m.relationId, await this.capturedTable(m));
        }
        return [];
      case 'type':
      case 'origin':
      case 'message':
        return [];
      case 'insert':
        return this.rowEvent(lsn, m.relationId, 'c', null, null, m.newTuple);
      case 'update':
        return this.rowEvent(lsn, m.relationId, 'u', m.oldKind, m.oldTuple, m.newTuple);
      case 'delete':
        return this.rowEvent(lsn, m.relationId, 'd', m.oldKind, m.oldTuple, null);
      case 'truncate': {
        const out: PositionedRecord[] = [];
        for (const relationId of m.relationIds) out.push(...this.truncate(lsn, relationId));
        return out;
      }
    }
  }

  private openTx(): OpenTransaction {
    if (this.tx === null)
      throw new IllegalStateError('Received a row change outside a transaction (missing Begin message)');
    return this.tx;
  }

  private commit(commitLsn: Lsn, endLsn: Lsn): PositionedRecord[] {
    const tx = this.openTx();
    this.tx = null;
    const out: PositionedRecord[] = [];
    if (this.settings.provideTransactionMetadata && tx.captured > 0) {
      const position = { commitLsn: tx.commitLsn, eventIndex: (tx.rawEvents + 1) * SLOTS_PER_EVENT };
      if (!isDelivered(position, this.resumeFrom)) out.push(this.transactionRecord('END', tx, position, tx.perTable));
    }
    this.lastCommitLsn = commitLsn;
    this.advance({ commitLsn: maxLsn(endLsn, commitLsn), eventIndex: -1 });
    return out;
  }

  private transactionRecord(
    status: 'BEGIN' | 'END',
    tx: OpenTransaction,
    position: StreamPosition,
    perTable: ReadonlyMap<string, number> | null,
  ): PositionedRecord {
    const tsMs = Number(tx.commitTimeMicros / 1000n);
    const record = sourceRecord({
      sourcePartition: this.partition,
      sourceOffset: streamOffset({ position, lsn: tx.commitLsn, txId: tx.xid, commitTimeMicros: tx.commitTimeMicros }),
      topic: this.settings.transactionTopic,
      keySchema: TRANSACTION_KEY_SCHEMA,
      key: new Struct(TRANSACTION_KEY_SCHEMA).put('id', tx.id),
      valueSchema: TRANSACTION_VALUE_SCHEMA,
      value: transactionValue(status, tx.id, tsMs, perTable === null ? null : new Map(perTable)),
    });
    return { record, position };
  }

  /** Counts a captured event for transaction metadata; emits BEGIN before the first one. */
  private noteCaptured(tx: OpenTransaction, table: CapturedTable, out: PositionedRecord[]): Struct | null {
    if (!this.settings.provideTransactionMetadata) return null;
    if (tx.captured === 0) {
      const position = { commitLsn: tx.commitLsn, eventIndex: 0 };
      if (!isDelivered(position, this.resumeFrom)) out.push(this.transactionRecord('BEGIN', tx, position, null));
    }
    tx.captured++;
    const perTable = (tx.perTable.get(table.id) ?? 0) + 1;
    tx.perTable.set(table.id, perTable);
    return transactionBlock(tx.id, tx.captured, perTable);
  }

  private rowEvent(
    lsn: Lsn,
    relationId: number,
    op: 'c' | 'u' | 'd',
    oldKind: 'key' | 'old' | null,
    oldTuple: Tuple | null,
    newTuple: Tuple | null,
  ): PositionedRecord[] {
    const tx = this.openTx();
    tx.rawEvents++;
    const signalColumns = this.signalRelations.get(relationId);
    if (signalColumns !== undefined) {
      if (op !== 'c' || newTuple === null || this.onSignal === null) return [];
      const position = { commitLsn: tx.commitLsn, eventIndex: tx.rawEvents * SLOTS_PER_EVENT };
      if (isDelivered(position, this.resumeFrom)) return [];
      const values = rawValues(newTuple);
      const row: Record<string, string | null> = {};
      signalColumns.forEach((name, i) => {
        const v = values[i];
        row[name] = typeof v === 'string' ? v : null;
      });
      return this.onSignal(row, position);
    }
    const table = this.relation(relationId);
    if (table === null || this.settings.skippedOperations.has(op)) return [];
    const out: PositionedRecord[] = [];
    const block = this.noteCaptured(tx, table, out);
    const base = tx.rawEvents * SLOTS_PER_EVENT;
    const before = oldTuple === null ? null : table.row(rawValues(oldTuple), oldKind === 'key');
    const after = newTuple === null ? null : table.row(rawValues(newTuple));
    const emit = (slot: number, build: (position: StreamPosition) => SourceRecord): void => {
      const position = { commitLsn: tx.commitLsn, eventIndex: base + slot };
      if (!isDelivered(position, this.resumeFrom)) out.push({ record: build(position), position });
    };
    const envelope = (
      position: StreamPosition,
      envOp: EnvelopeOp,
      b: Struct | null,
      a: Struct | null,
      keyRow: Struct,
    ) => this.changeRecord(table, tx, lsn, position, envOp, b, a, keyRow, block);
    if (op === 'c' && after !== null) {
      emit(0, (p) => envelope(p, 'c', null, after, after));
    } else if (op === 'u' && after !== null) {
      // skip.messages.without.change: with a full old row, an update that changed no captured column
      if (this.settings.skipMessagesWithoutChange && oldKind === 'old' && before !== null && before.equals(after)) return out;
      if (before !== null && table.keySchema !== null && !table.sameKey(before, after)) {
        // a primary key change: Debezium emits a delete (+ tombstone) for the old key and a create for the new one
        emit(0, (p) => envelope(p, 'd', before, null, before));
        if (this.settings.tombstonesOnDelete) emit(1, (p) => this.tombstone(table, tx, lsn, p, before));
        emit(2, (p) => envelope(p, 'c', null, after, after));
      } else {
        emit(0, (p) => envelope(p, 'u', before, after, after));
      }
    } else if (op === 'd' && before !== null) {
      emit(0, (p) => envelope(p, 'd', before, null, before));
      if (this.settings.tombstonesOnDelete && table.keySchema !== null)
        emit(1, (p) => this.tombstone(table, tx, lsn, p, before));
    }
    return out;
  }

  private truncate(lsn: Lsn, relationId: number): PositionedRecord[] {
    const tx = this.openTx();
    tx.rawEvents++;
    const table = this.relation(relationId);
    if (table === null || this.settings.skippedOperations.has('t')) return [];
    const out: PositionedRecord[] = [];
    const block = this.noteCaptured(tx, table, out);
    const position = { commitLsn: tx.commitLsn, eventIndex: tx.rawEvents * SLOTS_PER_EVENT };
    if (isDelivered(position, this.resumeFrom)) return out;
    const record = sourceRecord({
      sourcePartition: this.partition,
      sourceOffset: streamOffset({ position, lsn, txId: tx.xid, commitTimeMicros: tx.commitTimeMicros }),
      topic: table.topic,
      valueSchema: table.envelopeSchema,
      value: envelopeStruct(table.envelopeSchema, {
        before: null,
        after: null,
        source: this.source(table, tx, lsn),
        op: 't',
        transaction: block,
        nowMs: Date.now(),
      }),
    });
    out.push({ record, position });
    return out;
  }

  private changeRecord(
    table: CapturedTable,
    tx: OpenTransaction,
    lsn: Lsn,
    position: StreamPosition,
    op: EnvelopeOp,
    before: Struct | null,
    after: Struct | null,
    keyRow: Struct,
    block: Struct | null,
  ): SourceRecord {
    return sourceRecord({
      sourcePartition: this.partition,
      sourceOffset: streamOffset({ position, lsn, txId: tx.xid, commitTimeMicros: tx.commitTimeMicros }),
      topic: table.topic,
      keySchema: table.keySchema,
      key: table.key(keyRow),
      valueSchema: table.envelopeSchema,
      value: envelopeStruct(table.envelopeSchema, {
        before,
        after,
        source: this.source(table, tx, lsn),
        op,
        transaction: block,
        nowMs: Date.now(),
      }),
    });
  }

  private tombstone(
    table: CapturedTable,
    tx: OpenTransaction,
    lsn: Lsn,
    position: StreamPosition,
    keyRow: Struct,
  ): SourceRecord {
    return sourceRecord({
      sourcePartition: this.partition,
      sourceOffset: streamOffset({ position, lsn, txId: tx.xid, commitTimeMicros: tx.commitTimeMicros }),
      topic: table.topic,
      keySchema: table.keySchema,
      key: table.key(keyRow),
    });
  }

  private source(table: CapturedTable, tx: OpenTransaction, lsn: Lsn): Struct {
    return sourceStruct({
      serverName: this.settings.topicPrefix,
      database: this.settings.endpoint.database,
      schema: table.schema,
      table: table.table,
      timestampMicros: tx.commitTimeMicros,
      snapshot: 'false',
      txId: tx.xid,
      lsn: lsnToNumber(lsn),
      sequence: JSON.stringify([
        this.lastCommitLsn === null ? null : String(lsnToNumber(this.lastCommitLsn)),
        String(lsnToNumber(lsn)),
      ]),
    });
  }

  private relation(relationId: number): CapturedTable | null {
    const table = this.relations.get(relationId);
    if (table === undefined)
      throw new DataError(`Row change for relation ${relationId} arrived before its Relation message`);
    return table;
  }

  // Builds the event shape from the Relation message (authoritative for the columns as of this point
  // in the WAL), enriched from the catalog with nullability, key columns and type details.
  private async capturedTable(m: RelationMessage): Promise<CapturedTable | null> {
    if (!this.settings.filter.includesTable(m.schema, m.name)) return null;
    const info = await this.catalog.table(m.relationId);
    const catalogColumns = new Map((info?.columns ?? []).map((c) => [c.name, c]));
    const columns: ColumnDefinition[] = [];
    for (const c of m.columns) {
      const known = catalogColumns.get(c.name);
      columns.push(await this.catalog.column(c.name, c.typeOid, c.typeModifier, known?.optional ?? true));
    }
    const names = new Set(m.columns.map((c) => c.name));
    let keyColumns = (info?.keyColumns ?? []).filter((k) => names.has(k));
    if (keyColumns.length === 0 && (m.replicaIdentity === 'd' || m.replicaIdentity === 'i')) {
      keyColumns = m.columns.filter((c) => c.isKey).map((c) => c.name);
    }
    const id = `${m.schema}.${m.name}`;
    const warning = replicaIdentityWarning(id, m.replicaIdentity, info?.hasPrimaryKey === true);
    if (warning !== null && !this.warnedTables.has(id)) {
      this.warnedTables.add(id);
      this.logger.warn(warning, { table: id });
    }
    const table = new CapturedTable(m.schema, m.name, columns, keyColumns, this.settings);
    const outside = table.eventKeyColumns.filter((k) => !table.keyColumns.includes(k));
    if (outside.length > 0 && m.replicaIdentity !== 'f' && !this.warnedKeyTables.has(id)) {
      this.warnedKeyTables.add(id);
      this.logger.warn(
        `message.key.columns keys ${id} by ${outside.join(', ')}, outside its replica identity: delete events will carry no old values for them (key fields null or zero). Run ALTER TABLE ${id} REPLICA IDENTITY FULL to get them.`,
        { table: id },
      );
    }
    return table;
  }
}

function rawValues(tuple: Tuple): RawValue[] {
  return tuple.map((v) => {
    switch (v.kind) {
      case 'null':
        return null;
      case 'unchanged':
        return UNCHANGED;
      case 'text':
        return v.text;
      case 'binary':
        throw new DataError('Binary tuple data is not supported (the binary option is never requested)');
    }
  });
}
