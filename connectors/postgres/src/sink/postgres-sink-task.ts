import {
  ConnectError,
  DataError,
  RetriableError,
  noopLogger,
  type Logger,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TaskConfig,
} from '@sluice/core';
import type pg from 'pg';
import {
  clientConfig,
  connectClient,
  describeEndpoint,
  isTransientPgError,
  wrapPgError,
} from '../connection/pg-connection.js';
import { VERSION } from '../version.js';
import { BatchWriter } from './batch-writer.js';
import { parseSinkConfig, type PostgresSinkSettings } from './postgres-sink-config.js';
import { toOperation, type SinkOperation, type TableRef } from './sink-operation.js';
import { TableManager } from './table-manager.js';

function describeRecord(r: SinkRecord): string {
  return `${r.topic}-${r.kafkaPartition}@${r.kafkaOffset}`;
}

/**
 * Writes records to PostgreSQL: each `put` is one transaction (so `flush` has nothing left to do),
 * rows are reduced per key and sent as multi-row statements. A record that cannot be written goes
 * to the errant-record reporter when the runtime provides one; otherwise the task fails naming it.
 * Connection and serialization failures are retriable: the transaction is rolled back and the
 * runtime redelivers the batch.
 */
export class PostgresSinkTask implements SinkTask {
  private logger: Logger = noopLogger;
  private context: SinkTaskContext | null = null;
  private settings: PostgresSinkSettings | null = null;
  private client: pg.Client | null = null;
  private broken = false;
  private tables: TableManager | null = null;
  private writer: BatchWriter | null = null;
  private readonly lastTableByTopic = new Map<string, TableRef>();

  version(): string {
    return VERSION;
  }

  initialize(context: SinkTaskContext): void {
    this.context = context;
    this.logger = context.logger;
  }

  async start(config: TaskConfig): Promise<void> {
    const settings = parseSinkConfig(config);
    this.settings = settings;
    this.tables = new TableManager({ autoCreate: settings.autoCreate, autoEvolve: settings.autoEvolve }, this.logger);
    this.writer = new BatchWriter(this.tables, settings.insertMode, settings.batchSize);
    await this.connection();
    this.logger.info('PostgreSQL sink task started', {
      server: describeEndpoint(settings.endpoint),
      insertMode: settings.insertMode,
      primaryKeyMode: settings.primaryKeyMode,
    });
  }

  private async connection(): Promise<pg.Client> {
    if (this.client !== null && !this.broken) return this.client;
    await this.client?.end().catch(() => {});
    const client = await connectClient(
      clientConfig((this.settings as PostgresSinkSettings).endpoint, { applicationName: 'sluice-sink' }),
      'sink',
    );
    client.on('error', (err) => {
      this.broken = true;
      this.logger.warn('sink connection failed', { error: err.message });
    });
    this.client = client;
    this.broken = false;
    return client;
  }

  /** Writes the batch in one transaction; see the class comment for error handling. */
  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const settings = this.settings;
    if (settings === null) throw new ConnectError('put() before start()');
    const ops: SinkOperation[] = [];
    for (const record of records) {
      try {
        ops.push(toOperation(record, settings, this.lastTableByTopic));
      } catch (err) {
        if (!DataError.is(err)) throw err;
        await this.reject(record, err);
      }
    }
    const client = await this.connection();
    try {
      await this.transaction(client, async () => (this.writer as BatchWriter).write(client, ops));
    } catch (err) {
      if (this.isRetriable(err)) throw this.retriable(err);
      if (ops.filter((o) => o.kind !== 'skip').length <= 1 && this.context?.errantRecordReporter == null)
        throw this.failure(err, ops[0]?.record);
      await this.isolate(client, ops, err);
    }
  }

  /** Nothing is buffered: every `put` committed its transaction. */
  flush(): void {}

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async transaction(client: pg.Client, body: () => Promise<void>): Promise<void> {
    await client.query('BEGIN');
    try {
      await body();
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      // DDL done in the failed transaction is gone too
      this.tables?.forget();
      throw err;
    }
  }

  // Re-runs the batch one operation at a time, each under a savepoint, to find the records that
  // fail; the others are committed and the failing ones reported. Without a reporter nothing is
  // committed and the task fails naming the first bad record.
  private async isolate(client: pg.Client, ops: readonly SinkOperation[], batchError: unknown): Promise<void> {
    this.logger.warn('batch write failed; retrying record by record to isolate the failing records', {
      error: errorMessage(batchError),
    });
    const writer = this.writer as BatchWriter;
    const failures: { record: SinkRecord; error: unknown }[] = [];
    const reporter = this.context?.errantRecordReporter ?? null;
    await this.transaction(client, async () => {
      for (const op of ops) {
        if (op.kind === 'skip') continue;
        await client.query('SAVEPOINT sluice_record');
        try {
          await writer.write(client, [op]);
          await client.query('RELEASE SAVEPOINT sluice_record');
        } catch (err) {
          await client.query('ROLLBACK TO SAVEPOINT sluice_record');
          this.tables?.forget();
          if (this.isRetriable(err)) throw this.retriable(err);
          if (reporter === null) throw this.failure(err, op.record);
          failures.push({ record: op.record, error: err });
        }
      }
    }).catch((err: unknown) => {
      throw this.isRetriable(err) ? this.retriable(err) : err;
    });
    for (const f of failures) await this.reject(f.record, this.failure(f.error, f.record));
  }

  private async reject(record: SinkRecord, error: Error): Promise<void> {
    const reporter = this.context?.errantRecordReporter ?? null;
    if (reporter === null) throw this.failure(error, record);
    this.logger.warn('reporting a record that cannot be written', {
      record: describeRecord(record),
      error: error.message,
    });
    await reporter(record, error);
  }

  private isRetriable(err: unknown): boolean {
    if (RetriableError.is(err)) return true;
    if (isTransientPgError(err)) {
      this.broken = this.broken || !/^(40001|40P01|55P03)$/.test(String((err as { code?: unknown }).code));
      return true;
    }
    return false;
  }

  private retriable(err: unknown): RetriableError {
    const wrapped: Error = wrapPgError(err, 'Writing to PostgreSQL failed transiently; the batch will be redelivered');
    return RetriableError.is(wrapped) ? wrapped : new RetriableError(wrapped.message, { cause: err });
  }

  private failure(err: unknown, record: SinkRecord | undefined): ConnectError {
    if (ConnectError.is(err) && record === undefined) return err;
    const where = record === undefined ? '' : ` record ${describeRecord(record)}`;
    const context =
      record === undefined ? {} : { topic: record.topic, partition: record.kafkaPartition, offset: record.kafkaOffset };
    const message = `Cannot write${where} to PostgreSQL: ${errorMessage(err)}`;
    return DataError.is(err)
      ? new DataError(message, { cause: err, context })
      : new ConnectError(message, { cause: err, context });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
