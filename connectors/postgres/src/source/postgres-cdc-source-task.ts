import {
  ConnectError,
  RetriableError,
  noopLogger,
  type Logger,
  type RecordMetadata,
  type SourcePartition,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TaskConfig,
  isStruct,
  sourceRecord,
} from '@sluice/core';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { clientConfig, connectClient, describeEndpoint, quoteIdent, wrapPgError } from '../connection/pg-connection.js';
import { formatLsn, type Lsn } from '../replication/lsn.js';
import { ReplicationStream, type StreamItem } from '../replication/replication-stream.js';
import { VERSION } from '../version.js';
import { CapturedTable, type RawValue } from './captured-table.js';
import { envelopeStruct, sourceStruct } from './envelope-schemas.js';
import {
  ChunkBuffer,
  IncrementalSnapshotState,
  decodeState,
  encodeState,
  parseSignal,
  type IncrementalState,
} from './incremental-snapshot.js';
import { CatalogReader, replicaIdentityWarning, tableId, type TableInfo } from './catalog.js';
import { ChangeProcessor, type PositionedRecord } from './change-processor.js';
import { FlushPositionTracker } from './flush-position.js';
import { parseSourceConfig, type PostgresSourceSettings } from './postgres-source-config.js';
import { awaitUsableSlot, createSlot, dropSlot, ensurePublication } from './replication-setup.js';
import { slotLostError, snapshotEvents } from './snapshot-events.js';
import { planStart } from './start-plan.js';
import { SnapshotReader } from './snapshot-reader.js';
import { compileWholeMatch } from './table-filter.js';
import {
  comparePositions,
  decodeOffset,
  streamOffset,
  describePosition,
  sourcePartition,
  type BlockingSnapshot,
  type DecodedOffset,
  type SnapshotProgress,
  type StreamPosition,
} from './source-position.js';

/** Knobs for tests and embedders; the defaults suit production. */
export interface PostgresCdcSourceTaskOptions {
  /** How long `start` waits for a slot still held by a previous task's connection. Default 30 000. */
  readonly slotWaitTimeoutMs?: number;
}

interface SnapshotState {
  reader: SnapshotReader;
  /** the position every snapshot record carries; streaming continues from it */
  readonly position: StreamPosition;
  /** the captured tables as read when the snapshot began */
  readonly tables: readonly TableInfo[];
  /** progress after the last row handed out, for resuming after a lost connection */
  progress: SnapshotProgress | null;
  /** set for a blocking snapshot (signal); its records carry it so a restart resumes it */
  readonly blocking: BlockingSnapshot | null;
}

/**
 * Streams row changes of the captured tables from a pgoutput logical replication slot as
 * Debezium-compatible change events, after an optional initial snapshot.
 *
 * LSN confirmation happens only on the commit path: `commitRecord` marks records acknowledged,
 * `commit()` confirms to the server the position of the newest record that is both acknowledged
 * with every predecessor and known to be in the durable offsets (see `commit`). Received but
 * unacknowledged changes are never confirmed, so a crash loses nothing: the restart resumes from
 * the stored offset, skipping the part of a transaction already delivered.
 */
export class PostgresCdcSourceTask implements SourceTask {
  private logger: Logger = noopLogger;
  private context: SourceTaskContext | null = null;
  private settings: PostgresSourceSettings | null = null;
  private partition: SourcePartition | null = null;
  private metaClient: pg.Client | null = null;
  private replicationClient: pg.Client | null = null;
  private stream: ReplicationStream | null = null;
  private processor: ChangeProcessor | null = null;
  private snapshot: SnapshotState | null = null;
  /** a blocking-snapshot signal seen in the stream, started once the current batch is handed out */
  private pendingBlocking: { blocking: BlockingSnapshot; position: StreamPosition } | null = null;
  /** stream items taken but not processed because a blocking snapshot came first */
  private deferred: StreamItem[] = [];
  /** where streaming starts (and what it skips); null when the task only snapshots */
  private streamFrom: StreamPosition | null = null;
  private readonly flush = new FlushPositionTracker(async () =>
    this.context === null ? null : this.context.offsetStorageReader.offset(this.partition as SourcePartition),
  );
  /** the last LSN confirmed to the server (or known confirmed when streaming started) */
  private confirmedLsn: Lsn = 0n;
  /** how far the batches handed out reach (records and position between transactions): a reconnect resumes there */
  private resumeAfter: StreamPosition | null = null;
  private needsReconnect = false;
  private lastHeartbeatMs = Date.now();
  private stopping: Promise<void> | null = null;
  /** ad-hoc incremental snapshots (signal table); see incremental-snapshot.ts */
  private incremental = new IncrementalSnapshotState(null, noopLogger);
  /** the chunk read between watermarks, waiting for them in the stream */
  private chunk: { buffer: ChunkBuffer<RawValue[]>; table: CapturedTable } | null = null;

  constructor(private readonly options: PostgresCdcSourceTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  initialize(context: SourceTaskContext): void {
    this.context = context;
    this.logger = context.logger;
  }

  /**
   * Connects, checks or creates the publication and the slot, decides between snapshot and
   * streaming from the stored offset, and opens the snapshot transaction when one is needed.
   * @throws ConfigValidationError for a bad config; ConnectError when the stored position can no
   *   longer be served by the slot (with recovery instructions); RetriableError for transient failures.
   */
  async start(config: TaskConfig): Promise<void> {
    const settings = parseSourceConfig(config);
    this.settings = settings;
    this.partition = sourcePartition(settings.topicPrefix);
    try {
      await this.open(settings);
    } catch (err) {
      await this.release();
      throw err;
    }
  }

  private async open(settings: PostgresSourceSettings): Promise<void> {
    const storedRaw =
      this.context === null ? null : await this.context.offsetStorageReader.offset(this.partition as SourcePartition);
    const stored = storedRaw === null ? null : decodeOffset(storedRaw);
    this.incremental = new IncrementalSnapshotState(storedRaw === null ? null : decodeState(storedRaw['incremental_snapshot']), this.logger);
    if (this.incremental.state !== null)
      this.logger.info('resuming an incremental snapshot', { tables: this.incremental.state.tables.map((t) => t.table) });
    this.metaClient = await this.openMetaClient(settings);
    if (settings.snapshotMode !== 'initial_only') await this.checkReplicationPrivilege(settings);
    let catalog = new CatalogReader(this.metaClient);
    const partitioned = (id: string) =>
      this.logger.warn(
        `${id} is a partitioned table: its changes arrive as those of its partitions, captured only when the filters include them (each to its own topic). Set publish.via.partition.root=true to capture it as one table.`,
        { table: id },
      );
    const listTables = (c: CatalogReader, warn: (id: string) => void) => c.capturedTables(settings.filter, settings.publishViaPartitionRoot, warn);
    let tables = await listTables(catalog, partitioned);
    if (settings.replicaIdentityAutoset.length > 0 && (await this.autosetReplicaIdentities(settings, tables))) {
      catalog = new CatalogReader(this.metaClient);
      tables = await listTables(catalog, () => undefined);
    }
    for (const t of tables) {
      const warning = replicaIdentityWarning(tableId(t.schema, t.table), t.replicaIdentity, t.hasPrimaryKey);
      if (warning !== null) this.logger.warn(warning, { table: tableId(t.schema, t.table) });
    }
    this.logger.info('starting PostgreSQL CDC source task', {
      server: describeEndpoint(settings.endpoint),
      slot: settings.slotName,
      tables: tables.length,
      snapshotMode: settings.snapshotMode,
      storedPosition: stored === null ? null : describePosition(stored.position),
    });

    if (settings.snapshotMode === 'initial_only') {
      // No slot: nothing will be streamed, and an unused slot would hold WAL forever.
      const plan = planStart(settings.snapshotMode, settings.slotName, stored, null);
      if (plan.kind === 'snapshot-only' && plan.snapshot !== null)
        await this.beginSnapshot(tables, null, plan.snapshot.resume, plan.position);
      return;
    }
    const published = [...tables];
    if (settings.signalTable !== null) {
      const signal = await this.tableInfo(catalog, settings.signalTable);
      if (signal === null)
        throw new ConnectError(
          `The signal table "${settings.signalTable}" (signal.data.collection) does not exist: create it with columns id text PRIMARY KEY, type text NOT NULL, data text`,
        );
      if (!published.some((t) => t.oid === signal.oid)) published.push(signal);
    }
    await ensurePublication(
      this.metaClient,
      settings.publicationName,
      settings.publicationAutocreateMode,
      published,
      this.logger,
      settings.publishViaPartitionRoot,
    );
    const slotWaitMs = this.options.slotWaitTimeoutMs ?? 30_000;
    const slot = await awaitUsableSlot(this.metaClient, settings.slotName, settings.endpoint.database, slotWaitMs);
    const plan = planStart(settings.snapshotMode, settings.slotName, stored, slot);
    this.logger.info('start plan', {
      plan: plan.kind,
      ...(plan.kind === 'use-slot' ? { reason: plan.reason, from: describePosition(plan.streamFrom) } : {}),
    });
    switch (plan.kind) {
      case 'fail':
      case 'snapshot-only':
        throw plan.kind === 'fail' ? plan.error : new ConnectError('unexpected snapshot-only plan');
      case 'create-slot': {
        if (plan.dropLostSlot) {
          this.logger.warn(
            'replication slot lost required WAL; recreating it and re-snapshotting (snapshot.mode=when_needed)',
            { slot: settings.slotName },
          );
          await dropSlot(this.metaClient, settings.slotName);
        }
        this.replicationClient = await this.openReplication(settings);
        const created = await createSlot(this.replicationClient, settings.slotName, plan.snapshot);
        this.logger.info('created replication slot', {
          slot: settings.slotName,
          consistentPoint: formatLsn(created.consistentPoint),
        });
        this.streamFrom = { commitLsn: created.consistentPoint, eventIndex: -1 };
        this.confirmedLsn = created.consistentPoint;
        // the exported snapshot stays valid while the replication connection runs no other command
        if (plan.snapshot) await this.beginSnapshot(tables, created.snapshotName, null, this.streamFrom);
        return;
      }
      case 'use-slot':
        this.replicationClient = await this.openReplication(settings);
        this.streamFrom = plan.streamFrom;
        // durable: it is the stored offset (or the slot's own position when there is none)
        this.confirmedLsn = plan.streamFrom.commitLsn;
        if (plan.snapshot !== null) {
          // an interrupted blocking snapshot resumes as one; any other as the connector's snapshot
          const blocking = plan.snapshot.resume !== null ? (stored?.blocking ?? null) : null;
          if (blocking !== null) this.logger.info('resuming an interrupted blocking snapshot', { signal: blocking.id });
          await this.beginSnapshot(tables, null, plan.snapshot.resume, plan.streamFrom, blocking);
        }
        return;
    }
  }

  /** A catalog/snapshot connection, with database.initial.statements run on it. */
  private async openMetaClient(settings: PostgresSourceSettings): Promise<pg.Client> {
    const client = await connectClient(clientConfig(settings.endpoint, { applicationName: 'sluice-cdc' }), 'catalog');
    for (const statement of settings.initialStatements) {
      try {
        await client.query(statement);
      } catch (err) {
        await client.end().catch(() => undefined);
        throw wrapPgError(err, `Could not run "${statement}" from database.initial.statements`);
      }
    }
    return client;
  }

  /**
   * replica.identity.autoset.values: sets the replica identity of matching captured tables.
   * @returns whether any table was altered (its catalog entry is then stale)
   */
  private async autosetReplicaIdentities(settings: PostgresSourceSettings, tables: readonly TableInfo[]): Promise<boolean> {
    let altered = false;
    for (const t of tables) {
      const id = tableId(t.schema, t.table);
      const rule = settings.replicaIdentityAutoset.find((r) => compileWholeMatch(r.table).test(id));
      if (rule === undefined) continue;
      const current = { f: 'FULL', d: 'DEFAULT', n: 'NOTHING', i: 'INDEX' }[t.replicaIdentity as string];
      if (current === rule.identity) continue;
      const sql = `ALTER TABLE ${quoteIdent(t.schema)}.${quoteIdent(t.table)} REPLICA IDENTITY ${rule.identity}`;
      try {
        await (this.metaClient as pg.Client).query(sql);
      } catch (err) {
        const cause = err instanceof Error ? err.message : String(err);
        throw new ConnectError(
          `replica.identity.autoset.values: could not set the replica identity of ${id} (${cause}). The connector user must own the table; or run "${sql}" as its owner and remove the entry.`,
        );
      }
      this.logger.info('set the replica identity (replica.identity.autoset.values)', { table: id, identity: rule.identity });
      altered = true;
    }
    return altered;
  }

  private openReplication(settings: PostgresSourceSettings): Promise<pg.Client> {
    return connectClient(
      clientConfig(settings.endpoint, { replication: true, applicationName: 'sluice-cdc-replication' }),
      'replication',
    );
  }

  private async beginSnapshot(
    allTables: readonly TableInfo[],
    exported: string | null,
    resume: DecodedOffset['snapshot'],
    position: StreamPosition,
    blocking: BlockingSnapshot | null = null,
  ): Promise<void> {
    const settings = this.settings as PostgresSourceSettings;
    // a blocking snapshot reads the tables its signal names (in id order: resuming relies on it)
    const include = blocking === null ? settings.snapshotInclude.map(compileWholeMatch) : [];
    const filters = new Map((blocking?.tables ?? []).map((t) => [t.table, t.filter]));
    const tables = blocking === null ? allTables : allTables.filter((t) => filters.has(tableId(t.schema, t.table)));
    const snapshotTables = tables
      .filter((t) => include.length === 0 || include.some((r) => r.test(`${t.schema}.${t.table}`)))
      .sort((a, b) => (tableId(a.schema, a.table) < tableId(b.schema, b.table) ? -1 : 1))
      .map((t) => {
        const captured = new CapturedTable(t.schema, t.table, t.columns, t.keyColumns, settings);
        const filter = filters.get(captured.id) ?? null;
        const selectOverride =
          filter !== null
            ? `SELECT * FROM ${quoteIdent(captured.schema)}.${quoteIdent(captured.table)} WHERE ${filter}`
            : settings.snapshotSelectOverrides.get(captured.id);
        return { captured, keyColumns: captured.keyColumns, ...(selectOverride !== undefined ? { selectOverride } : {}) };
      });
    for (const id of settings.snapshotSelectOverrides.keys())
      if (!snapshotTables.some((t) => t.captured.id === id))
        this.logger.warn('snapshot.select.statement.overrides names a table that is not snapshotted; ignored', { table: id });
    const reader = new SnapshotReader(
      this.metaClient as pg.Client,
      snapshotTables,
      settings.snapshotFetchSize,
      exported,
      resume,
    );
    await reader.begin();
    this.snapshot = { reader, position, tables, progress: resume, blocking };
    this.logger.info(blocking === null ? 'snapshot started' : 'blocking snapshot started; streaming waits until it completes', {
      tables: snapshotTables.map((t) => t.captured.id),
      exportedSnapshot: exported !== null,
      resumed: resume !== null,
      ...(blocking !== null ? { signal: blocking.id } : {}),
    });
  }

  /**
   * Returns the next snapshot chunk or the changes streamed since the last poll (waiting up to
   * `poll.interval.ms`), plus a heartbeat when one is due. Returns promptly when `signal` aborts.
   */
  async poll(signal: AbortSignal): Promise<SourceRecord[] | null> {
    const settings = this.settings;
    if (settings === null) throw new ConnectError('poll() before start()');
    try {
      if (this.needsReconnect) await this.reconnect(settings);
      return await this.pollOnce(settings, signal);
    } catch (err) {
      // A lost connection is retried by the runtime: drop both connections now, reopen on the next poll.
      if (RetriableError.is(err) && this.stopping === null) {
        this.logger.warn('lost a PostgreSQL connection; reconnecting on the next poll', { error: err.message });
        this.needsReconnect = true;
        await this.closeConnections();
      }
      throw err;
    }
  }

  private async pollOnce(settings: PostgresSourceSettings, signal: AbortSignal): Promise<SourceRecord[] | null> {
    if (this.snapshot !== null) return this.pollSnapshot(this.snapshot);
    if (this.streamFrom === null) {
      await idle(settings.pollIntervalMs, signal);
      return null;
    }
    const stream = await this.ensureStreaming(settings, this.streamFrom);
    const processor = this.processor as ChangeProcessor;
    const waitMs =
      settings.heartbeatIntervalMs > 0
        ? Math.min(settings.pollIntervalMs, settings.heartbeatIntervalMs)
        : settings.pollIntervalMs;
    if (this.incremental.state !== null && !this.incremental.paused && this.chunk === null) await this.readChunk(settings);
    if (this.deferred.length === 0) await stream.waitForData(waitMs, signal);
    // Records are tracked and positions remembered only once the batch is complete: a batch lost to
    // an error is re-read after the reconnect instead of being acknowledged by nobody.
    const out: PositionedRecord[] = [];
    batch: while (out.length < settings.maxBatchSize && !signal.aborted && (this.deferred.length > 0 || stream.size > 0)) {
      const items = this.deferred.length > 0 ? this.deferred.splice(0) : stream.take(settings.maxBatchSize - out.length);
      for (let i = 0; i < items.length; i++) {
        if (this.pendingBlocking !== null) {
          // the blocking snapshot runs before anything after its signal
          this.deferred = items.slice(i);
          break batch;
        }
        const item = items[i] as StreamItem;
        for (const r of await processor.process(item)) {
          const chunk = this.chunk;
          if (chunk !== null && chunk.buffer.open && r.record.topic === chunk.table.topic) {
            const identity = streamedIdentity(chunk.table, r.record.value);
            if (identity !== null) chunk.buffer.streamed(chunk.table.id, identity);
          }
          // the state as of this record (a close watermark advances it before its reads are returned)
          out.push(this.withIncrementalState(r));
        }
      }
    }
    if (out.length === 0) stream.throwIfFailed();
    const now = Date.now();
    if (
      settings.heartbeatIntervalMs > 0 &&
      now - this.lastHeartbeatMs >= settings.heartbeatIntervalMs &&
      !processor.inTransaction
    ) {
      this.lastHeartbeatMs = now;
      out.push(this.withIncrementalState(processor.heartbeat(now)));
      if (settings.heartbeatActionQuery !== null) {
        // its WAL arrives later through the stream; a failure must not stop the connector
        await (this.metaClient as pg.Client)
          .query(settings.heartbeatActionQuery)
          .catch((err: unknown) => this.logger.warn('heartbeat.action.query failed', { error: err instanceof Error ? err.message : String(err) }));
      }
      // a keepalive reply tells us how far the server has read, so quiet periods still move the position
      stream.requestKeepalive();
    }
    for (const { record, position } of out) this.flush.track(record, position);
    this.resumeAfter = maxPosition(
      this.resumeAfter,
      maxPosition(out[out.length - 1]?.position ?? null, processor.position),
    );
    const pending = this.pendingBlocking;
    if (pending !== null) {
      this.pendingBlocking = null;
      await this.beginBlockingSnapshot(pending.blocking, pending.position);
    }
    return out.map((o) => o.record);
  }

  /**
   * Starts a blocking snapshot asked for by a signal at `position`: its records carry that position
   * (so the signal counts as delivered) and the snapshot's progress, so a restart resumes the
   * snapshot and then streams on after the signal. Tables that are not captured are skipped.
   */
  private async beginBlockingSnapshot(blocking: BlockingSnapshot, position: StreamPosition): Promise<void> {
    const settings = this.settings as PostgresSourceSettings;
    const catalog = new CatalogReader(this.metaClient as pg.Client);
    const infos: TableInfo[] = [];
    for (const { table } of blocking.tables) {
      const [schema, ...rest] = table.split('.');
      const info = settings.filter.includesTable(schema ?? '', rest.join('.')) ? await this.tableInfo(catalog, table) : null;
      if (info === null) this.logger.warn('blocking snapshot: skipping a table that does not exist or is not captured', { signal: blocking.id, table });
      else infos.push(info);
    }
    // a reconnect while the snapshot runs streams on from after the signal, not into it again
    this.resumeAfter = maxPosition(this.resumeAfter, position);
    // an incremental snapshot chunk read before the blocking snapshot could be older than its reads:
    // drop it; the incremental snapshot reads it again afterwards (its progress did not move)
    this.chunk = null;
    if (infos.length === 0) return;
    await this.beginSnapshot(infos, null, null, position, blocking);
  }

  private async pollSnapshot(state: SnapshotState): Promise<SourceRecord[]> {
    const chunk = await state.reader.next();
    if (chunk === null) {
      this.snapshot = null;
      this.logger.info('snapshot completed');
      return [];
    }
    const events = snapshotEvents(
      chunk,
      state.position,
      this.settings as PostgresSourceSettings,
      this.partition as SourcePartition,
    );
    if (chunk.snapshotDone) {
      await state.reader.finish();
      this.snapshot = null;
      this.logger.info(state.blocking === null ? 'snapshot completed' : 'blocking snapshot completed; streaming resumes', {
        ...(state.blocking !== null ? { signal: state.blocking.id } : {}),
      });
    }
    const records = events.map((e): SourceRecord => {
      if (state.blocking === null) return e.record;
      // a blocking snapshot's unfinished records say so, and keep a running incremental snapshot's state
      const extra: Record<string, string> = {};
      if (e.record.sourceOffset['last_snapshot_record'] !== true) extra['blocking_snapshot'] = JSON.stringify(state.blocking);
      if (this.incremental.state !== null) extra['incremental_snapshot'] = encodeState(this.incremental.state);
      return Object.freeze({ ...e.record, sourceOffset: Object.freeze({ ...e.record.sourceOffset, ...extra }) });
    });
    for (const r of records) this.flush.track(r, state.position);
    const last = events[events.length - 1];
    if (last !== undefined) state.progress = last.progress;
    return records;
  }

  // Reopens what a lost connection took down: the snapshot continues after the last row handed out
  // (in a new transaction: the exported snapshot died with its connection), streaming continues after
  // the last record handed out.
  private async reconnect(settings: PostgresSourceSettings): Promise<void> {
    this.metaClient = await this.openMetaClient(settings);
    const snapshot = this.snapshot;
    if (snapshot !== null) {
      const resume = snapshot.progress ?? { table: '', lastKey: null };
      await this.beginSnapshot(snapshot.tables, null, resume, snapshot.position, snapshot.blocking);
    }
    if (this.streamFrom !== null) {
      const slot = await awaitUsableSlot(
        this.metaClient,
        settings.slotName,
        settings.endpoint.database,
        this.options.slotWaitTimeoutMs ?? 30_000,
      );
      if (slot === null)
        throw new ConnectError(
          `Replication slot "${settings.slotName}" disappeared while the connector was using it; changes may have been lost. Recover with snapshot.mode=when_needed.`,
        );
      if (slot.walStatus === 'lost') throw slotLostError(settings.slotName);
      this.streamFrom = maxPosition(this.streamFrom, this.resumeAfter) as StreamPosition;
      this.processor = null;
      this.replicationClient = await this.openReplication(settings);
    }
    this.needsReconnect = false;
    this.logger.info('reconnected', {
      streamFrom: this.streamFrom === null ? null : describePosition(this.streamFrom),
    });
  }

  private async ensureStreaming(settings: PostgresSourceSettings, from: StreamPosition): Promise<ReplicationStream> {
    if (this.stream !== null) return this.stream;
    const catalog = new CatalogReader(this.metaClient as pg.Client);
    this.processor = new ChangeProcessor(settings, catalog, this.partition as SourcePartition, from, this.logger);
    this.processor.onSignal = (row, position) => this.signal(row, position);
    // a window whose watermarks went by on a lost connection is read again, and so is what was deferred
    this.chunk = null;
    this.deferred = [];
    this.stream = ReplicationStream.start(this.replicationClient as pg.Client, {
      slotName: settings.slotName,
      publicationName: settings.publicationName,
      startLsn: from.commitLsn,
      // never `from`: after a reconnect it may be past what the offsets hold
      initialFlushLsn: this.confirmedLsn,
      maxQueueSize: settings.maxQueueSize,
      statusIntervalMs: settings.statusUpdateIntervalMs,
      logger: this.logger,
    });
    this.lastHeartbeatMs = Date.now();
    return this.stream;
  }

  /** Logical replication needs the REPLICATION attribute (or superuser): say so before anything else fails obscurely. */
  private async checkReplicationPrivilege(settings: PostgresSourceSettings): Promise<void> {
    const result = await (this.metaClient as pg.Client)
      .query<{ ok: boolean }>('SELECT (rolreplication OR rolsuper) AS ok FROM pg_roles WHERE rolname = current_user')
      .catch((err: unknown) => {
        throw wrapPgError(err, 'Could not read the privileges of the connector user');
      });
    if (result.rows[0]?.ok !== true) {
      const user = settings.endpoint.user;
      throw new ConnectError(
        `The PostgreSQL user "${user}" (database.user) may not use logical replication: it lacks the REPLICATION attribute. ` +
          `Grant it with ALTER ROLE ${quoteIdent(user)} REPLICATION, and SELECT on the captured tables (for snapshots).`,
      );
    }
  }

  /** Resolves `schema.table` to its catalog entry, or null when it does not exist. */
  private async tableInfo(catalog: CatalogReader, name: string): Promise<TableInfo | null> {
    const [schema, ...rest] = name.split('.');
    const table = rest.join('.');
    const found = await (this.metaClient as pg.Client)
      .query<{ oid: number }>('SELECT c.oid::int AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2', [schema, table])
      .catch((err: unknown) => {
        throw wrapPgError(err, `Could not look up table ${name}`);
      });
    const oid = found.rows[0]?.oid;
    return oid === undefined ? null : catalog.table(oid);
  }

  /** A signal-table insert seen in the stream, at `position`. */
  private signal(row: Readonly<Record<string, string | null>>, position: StreamPosition): PositionedRecord[] {
    const action = parseSignal(row['id'] ?? null, row['type'] ?? null, row['data'] ?? null);
    const settings = this.settings as PostgresSourceSettings;
    switch (action.kind) {
      case 'ignore':
        this.logger.warn('ignoring a signal', { reason: action.reason });
        return [];
      case 'blocking':
        if (this.snapshot !== null || this.pendingBlocking !== null) {
          this.logger.warn('ignoring a blocking snapshot signal while a snapshot is running', { signal: action.id });
          return [];
        }
        this.logger.info('blocking snapshot requested', { signal: action.id, tables: action.tables.map((t) => t.table) });
        this.pendingBlocking = { blocking: { id: action.id, tables: action.tables }, position };
        return [];
      case 'window-open':
        if (this.chunk !== null && this.chunk.buffer.chunkId === action.chunkId) this.chunk.buffer.open = true;
        return [];
      case 'window-close': {
        const chunk = this.chunk;
        if (chunk === null || chunk.buffer.chunkId !== action.chunkId || !chunk.buffer.open) return [];
        this.chunk = null;
        const records = chunk.buffer.remaining().map((values) => this.incrementalRead(chunk.table, values, position));
        this.incremental.chunkDone(chunk.buffer.lastKey, chunk.buffer.tableDone);
        return records;
      }
      default: {
        this.incremental.apply(action, (table) => {
          const [schema, ...rest] = table.split('.');
          return settings.filter.includesTable(schema ?? '', rest.join('.')) ? null : 'not a captured table (table.include.list / table.exclude.list)';
        });
        if (this.chunk !== null && this.incremental.state?.tables[0]?.table !== this.chunk.table.id) this.chunk = null;
        return [];
      }
    }
  }

  /** An `op: r` record of an incremental snapshot chunk, positioned at its close watermark. */
  private incrementalRead(table: CapturedTable, values: RawValue[], position: StreamPosition): PositionedRecord {
    const settings = this.settings as PostgresSourceSettings;
    const nowMs = Date.now();
    const nowMicros = BigInt(nowMs) * 1000n;
    const after = table.row(values);
    const source = sourceStruct({
      serverName: settings.topicPrefix,
      database: settings.endpoint.database,
      schema: table.schema,
      table: table.table,
      timestampMicros: nowMicros,
      snapshot: 'incremental',
      txId: null,
      lsn: Number(position.commitLsn),
      sequence: null,
    });
    const record = sourceRecord({
      sourcePartition: this.partition as SourcePartition,
      sourceOffset: streamOffset({ position, lsn: position.commitLsn, txId: null, commitTimeMicros: nowMicros }),
      topic: table.topic,
      keySchema: table.keySchema,
      key: table.key(after),
      valueSchema: table.envelopeSchema,
      value: envelopeStruct(table.envelopeSchema, { before: null, after, source, op: 'r', transaction: null, nowMs }),
    });
    return { record, position };
  }

  /** Adds the running incremental snapshot's state to a record's offset, so a restart resumes it. */
  private withIncrementalState(r: PositionedRecord): PositionedRecord {
    const state = this.incremental.state;
    if (state === null) return r;
    const record = Object.freeze({ ...r.record, sourceOffset: Object.freeze({ ...r.record.sourceOffset, incremental_snapshot: encodeState(state) }) });
    return { record, position: r.position };
  }

  /**
   * Reads the next chunk of the table at the head of the incremental snapshot between two watermark
   * rows in the signal table; the chunk is emitted when the close watermark comes through the stream.
   */
  private async readChunk(settings: PostgresSourceSettings): Promise<void> {
    const state = this.incremental.state as IncrementalState;
    const head = state.tables[0];
    const client = this.metaClient as pg.Client;
    if (head === undefined || settings.signalTable === null) return;
    const catalog = new CatalogReader(client);
    const info = await this.tableInfo(catalog, head.table);
    if (info === null || info.keyColumns.length === 0) {
      this.logger.warn('incremental snapshot: skipping a table', {
        table: head.table,
        reason: info === null ? 'the table does not exist' : 'the table has no primary key or replica identity index to read it in chunks by',
      });
      this.incremental.chunkDone(null, true);
      return;
    }
    const table = new CapturedTable(info.schema, info.table, info.columns, info.keyColumns, settings);
    const keys = table.keyColumns.map(quoteIdent).join(', ');
    const from = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
    const condition = head.filter === null ? '' : ` AND (${head.filter})`;
    const query = async (text: string, values: unknown[], what: string) => {
      try {
        return await client.query<RawValue[]>({ text, values, rowMode: 'array', types: TEXT_TYPES });
      } catch (err) {
        throw wrapPgError(err, `Could not ${what} for the incremental snapshot of ${head.table}`);
      }
    };
    let maxKey = state.maxKey;
    if (maxKey === null) {
      const max = await query(`SELECT ${keys} FROM ${from} WHERE true${condition} ORDER BY ${table.keyColumns.map((k) => `${quoteIdent(k)} DESC`).join(', ')} LIMIT 1`, [], 'read the largest key');
      const row = max.rows[0];
      if (row === undefined) {
        this.logger.info('incremental snapshot: nothing to read', { table: head.table });
        this.incremental.chunkDone(null, true);
        return;
      }
      maxKey = row.map((v) => String(v));
      this.incremental.state = { ...state, maxKey };
    }
    const n = table.keyColumns.length;
    const placeholders = (offset: number) => table.keyColumns.map((_, i) => `$${offset + i + 1}`).join(', ');
    const after = state.lastKey === null ? '' : ` AND (${keys}) > (${placeholders(n)})`;
    const columns = table.columns.map((c) => quoteIdent(c.name)).join(', ');
    const chunkId = `${state.id}-${randomUUID()}`;
    const signalTable = settings.signalTable.split('.').map(quoteIdent).join('.');
    await query(`INSERT INTO ${signalTable} (id, type, data) VALUES ($1, 'snapshot-window-open', NULL)`, [`${chunkId}-open`], 'write the open watermark');
    const rows = await query(
      `SELECT ${columns} FROM ${from} WHERE (${keys}) <= (${placeholders(0)})${after}${condition} ORDER BY ${keys} LIMIT ${settings.incrementalChunkSize}`,
      [...maxKey, ...(state.lastKey ?? [])],
      'read a chunk',
    );
    await query(`INSERT INTO ${signalTable} (id, type, data) VALUES ($1, 'snapshot-window-close', NULL)`, [`${chunkId}-close`], 'write the close watermark');
    const keyPositions = table.keyColumns.map((k) => table.columns.findIndex((c) => c.name === k));
    const entries: [string, RawValue[]][] = rows.rows.map((values) => [table.identity(table.row(values)) ?? '', values]);
    const lastRow = rows.rows[rows.rows.length - 1];
    const lastKey = lastRow === undefined ? state.lastKey : keyPositions.map((p) => String(lastRow[p]));
    const tableDone = rows.rows.length < settings.incrementalChunkSize || (lastKey !== null && lastKey.every((v, i) => v === maxKey[i]));
    this.chunk = { buffer: new ChunkBuffer(chunkId, table.id, entries, lastKey, tableDone), table };
  }

  /** Marks a record acknowledged by the log (or dropped by a transform: `metadata` null). */
  commitRecord(record: SourceRecord, _metadata: RecordMetadata | null): void {
    this.flush.ack(record);
  }

  /** Confirms to the server the newest position known to be acknowledged and durable (see `FlushPositionTracker`). */
  async commit(): Promise<void> {
    const target = await this.flush.onCommit();
    if (target === null || target.commitLsn <= this.confirmedLsn) return;
    this.confirmedLsn = target.commitLsn;
    this.logger.debug('confirming flushed LSN', { lsn: formatLsn(target.commitLsn) });
    this.stream?.confirm(target.commitLsn);
  }

  /** Closes the snapshot transaction and both connections. Idempotent; every step runs. */
  stop(): Promise<void> {
    this.stopping ??= this.release().then(() => this.dropSlotIfAsked());
    return this.stopping;
  }

  // slot.drop.on.stop (development only): the slot goes with a graceful stop, on a fresh connection.
  private async dropSlotIfAsked(): Promise<void> {
    const settings = this.settings;
    if (settings === null || !settings.slotDropOnStop || settings.snapshotMode === 'initial_only') return;
    let client: pg.Client | null = null;
    try {
      client = await this.openMetaClient(settings);
      const slot = await awaitUsableSlot(client, settings.slotName, settings.endpoint.database, this.options.slotWaitTimeoutMs ?? 30_000);
      if (slot !== null) {
        await dropSlot(client, settings.slotName);
        this.logger.warn('dropped the replication slot on stop (slot.drop.on.stop=true)', { slot: settings.slotName });
      }
    } catch (err) {
      this.logger.warn('could not drop the replication slot on stop', { slot: settings.slotName, error: err instanceof Error ? err.message : String(err) });
    } finally {
      await client?.end().catch(() => {});
    }
  }

  private async release(): Promise<void> {
    const snapshot = this.snapshot;
    this.snapshot = null;
    await snapshot?.reader.finish().catch(() => {});
    await this.closeConnections();
  }

  private async closeConnections(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    await stream?.close().catch(() => {});
    if (stream === null) await this.replicationClient?.end().catch(() => {});
    this.replicationClient = null;
    await this.metaClient?.end().catch(() => {});
    this.metaClient = null;
  }
}

function maxPosition(a: StreamPosition | null, b: StreamPosition | null): StreamPosition | null {
  if (a === null) return b;
  if (b === null) return a;
  return comparePositions(a, b) >= 0 ? a : b;
}

function idle(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

// Every value as the type's text output: the same conversion path as pgoutput's tuples.
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/**
 * The row identity (primary key / replica identity values) of a streamed change, matched against the
 * rows of an open incremental snapshot chunk. Not the record key: `message.key.columns` may key events
 * by columns that are not unique.
 */
function streamedIdentity(table: CapturedTable, value: unknown): string | null {
  if (!isStruct(value)) return null;
  const row = value.get('after') ?? value.get('before');
  if (!isStruct(row)) return null;
  try {
    return table.identity(row);
  } catch {
    return null; // a schema change removed a key column: nothing in the chunk can match
  }
}
