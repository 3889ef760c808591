import {
  ConnectError,
  IllegalStateError,
  Schemas,
  noopLogger,
  sourceRecord,
  type Logger,
  type SourcePartition,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TaskConfig,
} from '@sluice/core';
import type { Document } from 'mongodb';
import { isDocument } from '../bson/bson-value.js';
import { errorMessage, redactUri } from '../connection/mongo-connection.js';
import { VERSION } from '../version.js';
import { classifyStreamError } from './change-stream-errors.js';
import { CopyReader } from './copy-reader.js';
import { eventRecord } from './event-records.js';
import { parseSourceConfig, type MongoSourceSettings } from './mongo-source-config.js';
import { driverSourcePort, type ChangeStreamCursor, type ChangeStreamStart, type MongoSourcePort, type MongoSourcePortFactory } from './mongo-source-port.js';
import { copyOffset, decodeOffset, heartbeatOffset, sourcePartition, streamOffset, tokenText, type ResumeToken, type StoredPosition } from './source-offset.js';

/** Test seams and tuning; the runtime uses the defaults. */
export interface MongoSourceTaskOptions {
  /** How the task reaches MongoDB. Default: the official driver. */
  readonly portFactory?: MongoSourcePortFactory;
  /** Pause between empty reads of the stream when the server returns at once. Default 100. */
  readonly idleBackoffMs?: number;
  /** Clock for heartbeats. Default `Date.now`. */
  readonly now?: () => number;
}

type Phase = 'new' | 'copying' | 'streaming' | 'stopped';

/**
 * Publishes the changes of a MongoDB collection, database or deployment from a change stream.
 *
 * Offsets are resume tokens (`{_id: "<token JSON>"}`, the official connector's layout) under the
 * source partition `{ns}`; a restart reads the committed offset and reopens the stream with
 * `startAfter`, so nothing the runtime did not make durable is skipped. Without an offset,
 * `startup.mode` decides: `latest`, `timestamp`, or `copy_existing`, which opens the stream first,
 * then publishes every existing document as an insert event, then the stream, so no change is
 * missed (a document changed during the copy may appear twice; see README). A resume point that
 * the server no longer has (error 286 and friends) fails the task with recovery steps; it never
 * restarts from "now". Heartbeats publish the stream's post-batch resume token when it moved past
 * the last published record, so quiet or filtered streams stay resumable.
 */
export class MongoSourceTask implements SourceTask {
  private logger: Logger = noopLogger;
  private context: SourceTaskContext | null = null;
  private settings: MongoSourceSettings | null = null;
  private partition: SourcePartition = {};
  private port: MongoSourcePort | null = null;
  private phase: Phase = 'new';
  private stream: ChangeStreamCursor | null = null;
  private pendingNext: Promise<Document | null> | null = null;
  /** an event read while opening the stream, published before anything else from the stream */
  private bufferedEvent: Document | null = null;
  private copy: CopyReader | null = null;
  /** the stream's resume point when the copy began (null when the server reported none) */
  private copyStartToken: ResumeToken | null = null;
  /** where the stream started when no event has been read yet */
  private initialStart: ChangeStreamStart = {};
  /** token of the last event read from the stream (published or not): where a reopened stream continues */
  private lastToken: ResumeToken | null = null;
  private lastPublishedToken: string | null = null;
  private lastHeartbeatAt = 0;
  /** an error met after part of a batch was read: thrown by the next poll, once that batch is out */
  private deferredError: ConnectError | null = null;
  private readonly warnedTopics = new Set<string>();
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: MongoSourceTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  initialize(context: SourceTaskContext): void {
    this.context = context;
    this.logger = context.logger;
  }

  /**
   * Connects, reads the committed offset and opens the change stream (and, for a copy, prepares it).
   * Throws ConfigValidationError for a bad config, a ConnectError for an unreadable stored offset or
   * a lost resume point, RetriableError when MongoDB cannot be reached.
   */
  async start(config: TaskConfig): Promise<void> {
    const settings = parseSourceConfig(config);
    this.settings = settings;
    this.partition = sourcePartition(settings.connectionUri, settings.scope, settings.offsetPartitionName);
    const stored = await this.storedPosition();
    const appName = `sluice-${this.context?.connectorName ?? 'mongo-source'}-${this.context?.taskId ?? 0}`;
    this.port = await (this.options.portFactory ?? driverSourcePort)(settings, appName);
    try {
      await this.begin(settings, stored);
    } catch (err) {
      // a task that failed to start may never be stopped: release the connection now
      await this.port.close().catch(() => {});
      this.port = null;
      throw err;
    }
  }

  private async begin(settings: MongoSourceSettings, stored: StoredPosition | null): Promise<void> {
    const port = this.port as MongoSourcePort;
    const where = { hosts: redactUri(settings.connectionUri), scope: settings.scope, partition: this.partition['ns'] };

    if (stored?.kind === 'resume') {
      this.initialStart = { startAfter: stored.token };
      this.lastPublishedToken = tokenText(stored.token);
      this.logger.info(stored.heartbeat ? 'resuming the change stream after the token of the last heartbeat' : 'resuming the change stream after the last committed event', where);
      await this.openStream();
      this.phase = 'streaming';
      return;
    }
    if (settings.startupMode === 'copy_existing') {
      if (stored?.kind === 'copy') this.logger.warn('a previous copy of existing data did not finish; copying again from the start (documents copied before are published again)', where);
      // The stream opens before the copy reads anything, so every change made during the copy is
      // either in the copy or after the stream's start point: no gap, at worst a duplicate.
      await this.openStream();
      // With a change already read while opening, the token before it is unknown: end the copy by
      // that change's own offset instead (a restart before then copies again rather than skip it).
      this.copyStartToken = this.bufferedEvent !== null ? null : (this.stream?.resumeToken ?? null);
      const all = await port.listNamespaces(settings.scope);
      const regex = settings.copyNamespaceRegex;
      const namespaces = regex === null ? all : all.filter((ns) => regex.test(`${ns.db}.${ns.coll}`));
      this.copy = new CopyReader(port, namespaces);
      this.phase = 'copying';
      this.logger.info('copying existing documents before streaming changes', { ...where, collections: namespaces.length });
      return;
    }
    if (settings.startupMode === 'timestamp' && settings.startAtOperationTime !== null) {
      this.initialStart = { startAtOperationTime: settings.startAtOperationTime };
      this.logger.info('starting the change stream at the configured operation time', { ...where, operationTime: settings.startAtOperationTime.toString() });
    } else {
      this.logger.info('starting the change stream at the current time (no stored offset)', where);
    }
    await this.openStream();
    this.phase = 'streaming';
  }

  /**
   * Returns up to `poll.max.batch.size` records: copied documents while a copy runs, then change
   * events. Waits up to `poll.await.time.ms` for the first one, returns early once events stop
   * arriving, and promptly (with what it has) when `signal` aborts. Returns a heartbeat record when
   * due and nothing else was published. Throws RetriableError for transient MongoDB failures (the
   * stream then reopens from the last token) and a ConnectError for fatal ones.
   */
  async poll(signal: AbortSignal): Promise<SourceRecord[] | null> {
    const settings = this.settings;
    if (settings === null || this.phase === 'new') throw new IllegalStateError('poll() before start()');
    if (this.phase === 'stopped') return null;
    if (this.deferredError !== null) {
      const err = this.deferredError;
      this.deferredError = null;
      throw err;
    }
    const records: SourceRecord[] = [];
    if (this.phase === 'copying') {
      await this.pollCopy(settings, records, signal);
      if (records.length > 0 || this.phase === 'copying') return records.length > 0 ? records : null;
    }
    await this.pollStream(settings, records, signal);
    if (records.length === 0) {
      const heartbeat = this.heartbeat(settings);
      return heartbeat === null ? null : [heartbeat];
    }
    return records;
  }

  /** Closes the stream, any copy cursor and the connection. Idempotent; every step runs even if one fails. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.phase = 'stopped';
      const steps = [this.copy?.close(), this.closeStream(), this.port?.close()];
      const results = await Promise.allSettled(steps);
      for (const r of results) {
        if (r.status === 'rejected') this.logger.warn('error while closing the MongoDB source', { error: errorMessage(r.reason) });
      }
    })();
    return this.stopping;
  }

  private async pollCopy(settings: MongoSourceSettings, records: SourceRecord[], signal: AbortSignal): Promise<void> {
    const copy = this.copy as CopyReader;
    while (records.length < settings.maxBatchSize && !signal.aborted) {
      let copied;
      try {
        copied = await copy.next();
      } catch (err) {
        if (this.isStopped()) return;
        // a broken copy cursor cannot be continued; a restart copies again (offsets say "copy")
        throw new ConnectError(`copying existing documents failed; restarting the task copies them again: ${errorMessage(err)}`, { cause: err });
      }
      if (copied === null) break;
      const offset = copied.last && this.copyStartToken !== null ? streamOffset(this.copyStartToken) : copyOffset(this.copyStartToken);
      const result = eventRecord(copied.event, offset, this.partition, settings);
      if ('record' in result) records.push(result.record);
    }
    if (copy.finished) {
      this.phase = 'streaming';
      this.copy = null;
      if (this.copyStartToken !== null) this.lastPublishedToken = tokenText(this.copyStartToken);
      this.logger.info('finished copying existing documents; streaming changes from where the copy began');
    }
  }

  private async pollStream(settings: MongoSourceSettings, records: SourceRecord[], signal: AbortSignal): Promise<void> {
    const now = Date.now;
    const idleBackoffMs = this.options.idleBackoffMs ?? 100;
    const deadline = now() + settings.awaitTimeMs;
    if (this.bufferedEvent !== null) {
      const event = this.bufferedEvent;
      this.bufferedEvent = null;
      this.publish(event, settings, records);
    }
    while (records.length < settings.maxBatchSize && !signal.aborted && this.phase === 'streaming') {
      const startedAt = now();
      let event: Document | null | 'aborted';
      try {
        event = await this.nextEvent(signal);
      } catch (err) {
        if (this.isStopped()) return;
        const failure = classifyStreamError(err, {
          connector: this.context?.connectorName ?? 'mongo-source',
          partitionName: String(this.partition['ns']),
          resuming: this.lastToken !== null || this.initialStart.startAfter !== undefined,
        });
        await this.closeStream();
        if (failure.retriable) this.logger.warn('change stream failed transiently; it reopens from the last resume token', { error: failure.message });
        if (records.length === 0) throw failure;
        this.deferredError = failure;
        return;
      }
      if (event === 'aborted') return;
      if (event !== null) {
        this.publish(event, settings, records);
        continue;
      }
      // nothing new: hand back what we have, else wait (bounded) and ask again
      if (records.length > 0 || now() >= deadline) return;
      const elapsed = now() - startedAt;
      if (elapsed < idleBackoffMs) await abortableDelay(Math.min(idleBackoffMs - elapsed, deadline - now()), signal);
    }
  }

  private publish(event: Document, settings: MongoSourceSettings, records: SourceRecord[]): void {
    const token = event['_id'];
    if (!isDocument(token)) {
      throw new ConnectError('a change event has no _id resume token; the pipeline must not remove or replace _id');
    }
    this.lastToken = token;
    const result = eventRecord(event, streamOffset(token), this.partition, settings);
    if ('record' in result) {
      records.push(result.record);
      this.lastPublishedToken = tokenText(token);
    } else if (result.skipped === 'no-topic') {
      const key = JSON.stringify(event['ns'] ?? null);
      if (!this.warnedTopics.has(key)) {
        this.warnedTopics.add(key);
        this.logger.warn('skipping change events that have no namespace to derive a topic from', { operationType: event['operationType'] });
      }
    }
    if (event['operationType'] === 'invalidate') {
      // the server closed the stream (collection dropped or renamed); startAfter the invalidate
      // event keeps watching the namespace if it comes back
      this.logger.info('the change stream was invalidated; reopening after the invalidate event');
      void this.closeStream();
    }
  }

  // a method, not a field test: stop() may run while a poll awaits, which narrowing cannot see
  private isStopped(): boolean {
    return this.phase === 'stopped';
  }

  private heartbeat(settings: MongoSourceSettings): SourceRecord | null {
    if (settings.heartbeatIntervalMs <= 0 || this.phase !== 'streaming') return null;
    const now = (this.options.now ?? Date.now)();
    if (now - this.lastHeartbeatAt < settings.heartbeatIntervalMs) return null;
    const token = this.stream?.resumeToken ?? this.lastToken;
    if (token === null) return null;
    const text = tokenText(token);
    if (text === this.lastPublishedToken) return null;
    this.lastHeartbeatAt = now;
    this.lastPublishedToken = text;
    return sourceRecord({
      sourcePartition: this.partition,
      sourceOffset: heartbeatOffset(token),
      topic: settings.heartbeatTopic,
      keySchema: Schemas.STRING,
      key: text,
      valueSchema: null,
      value: null,
      timestamp: now,
    });
  }

  private async openStream(): Promise<void> {
    const settings = this.settings as MongoSourceSettings;
    const start: ChangeStreamStart = this.lastToken !== null ? { startAfter: this.lastToken } : this.initialStart;
    this.stream = (this.port as MongoSourcePort).watch(settings.scope, start);
    // The first read sends the aggregate: it fixes the start point now and surfaces errors such as
    // a lost resume point at start rather than at some later poll.
    try {
      const first = await this.stream.tryNext();
      if (first !== null) this.bufferedEvent = first;
    } catch (err) {
      await this.closeStream();
      throw classifyStreamError(err, {
        connector: this.context?.connectorName ?? 'mongo-source',
        partitionName: String(this.partition['ns']),
        resuming: start.startAfter !== undefined,
      });
    }
  }

  private async nextEvent(signal: AbortSignal): Promise<Document | null | 'aborted'> {
    if (this.stream === null) {
      await this.openStream();
      if (this.bufferedEvent !== null) {
        const event = this.bufferedEvent;
        this.bufferedEvent = null;
        return event;
      }
    }
    const stream = this.stream as ChangeStreamCursor;
    if (this.pendingNext === null) {
      const pending = stream.tryNext();
      // a read abandoned by an aborted poll is picked up by the next poll; never an unhandled rejection
      pending.catch(() => {});
      this.pendingNext = pending;
    }
    const outcome = await settleOrAbort(this.pendingNext, signal);
    if (outcome === 'aborted') return 'aborted';
    this.pendingNext = null;
    return outcome.value;
  }

  private async closeStream(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    this.pendingNext = null;
    if (stream !== null) await stream.close().catch(() => {});
  }

  private async storedPosition(): Promise<StoredPosition | null> {
    const stored = (await this.context?.offsetStorageReader.offset(this.partition)) ?? null;
    if (stored === null) return null;
    try {
      return decodeOffset(stored);
    } catch (err) {
      // guessing a start point could skip changes; make the operator choose
      throw new ConnectError(
        `the stored offset for ${String(this.partition['ns'])} cannot be read (${errorMessage(err)}). Reset it (PUT /connectors/<name>/stop, DELETE /connectors/<name>/offsets) or set a new "offset.partition.name".`,
        { cause: err },
      );
    }
  }
}

async function settleOrAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<{ value: T } | 'aborted'> {
  if (signal.aborted) return 'aborted';
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
