import { ConnectError, DataError, RetriableError, noopLogger, type Logger } from '@sluice/core';
import type pg from 'pg';
import { quoteIdent, quoteLiteral, wrapPgError } from '../connection/pg-connection.js';
import { formatLsn, maxLsn, type Lsn } from './lsn.js';
import { decodePgOutput, type PgOutputMessage } from './pgoutput-decoder.js';
import { encodeStandbyStatus, parseReplicationMessage } from './replication-messages.js';

/** One item of the stream, in server order. */
export type StreamItem =
  | { readonly kind: 'message'; readonly lsn: Lsn; readonly message: PgOutputMessage }
  /** the server has sent everything up to `walEnd` (only meaningful between transactions) */
  | { readonly kind: 'keepalive'; readonly walEnd: Lsn };

export interface ReplicationStreamOptions {
  readonly slotName: string;
  readonly publicationName: string;
  /** where to start; the server starts at its confirmed position when that is later */
  readonly startLsn: Lsn;
  /** the confirmed position to report until `confirm` is called (never moves the slot back) */
  readonly initialFlushLsn: Lsn;
  /** queue capacity in items; reading the socket pauses while it is full */
  readonly maxQueueSize: number;
  readonly statusIntervalMs: number;
  readonly logger?: Logger;
}

interface CopyConnection {
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): unknown;
  removeListener(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): unknown;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: { pause(): void; resume(): void; isPaused?(): boolean };
}

/**
 * The CopyBoth phase of a logical replication connection: decodes pgoutput messages into a bounded
 * queue (pausing the socket when it is full, so memory stays bounded however fast the server sends)
 * and reports standby status.
 *
 * The flush position it reports is only ever what `confirm` was given — the position the connector's
 * offsets commit has made durable — never what was merely received. Received positions go in the
 * informational `write` field only.
 *
 * Not safe for concurrent `take` calls; `waitForData` may be called by one waiter at a time.
 */
export class ReplicationStream {
  private readonly logger: Logger;
  private readonly queue: StreamItem[] = [];
  private queueHead = 0;
  private paused = false;
  private error: Error | null = null;
  private closed = false;
  private receivedLsn: Lsn;
  private flushedLsn: Lsn;
  private lastStatusAt = 0;
  private statusTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private readonly connection: CopyConnection;
  private readonly onCopyData = (msg: { chunk: Buffer }): void => this.handleCopyData(msg.chunk);
  private readonly onClientError = (err: Error): void =>
    this.fail(wrapPgError(err, 'The replication connection failed'));
  private readonly onClientEnd = (): void => {
    if (!this.closed) this.fail(new RetriableError('The replication connection was closed by the server'));
  };

  private constructor(
    private readonly client: pg.Client,
    private readonly options: ReplicationStreamOptions,
  ) {
    this.logger = options.logger ?? noopLogger;
    this.connection = client.connection as unknown as CopyConnection;
    this.receivedLsn = options.initialFlushLsn;
    this.flushedLsn = options.initialFlushLsn;
  }

  /**
   * Sends START_REPLICATION on `client` (a connected `replication: 'database'` client) and returns
   * once the command was sent. Server errors (missing or invalidated slot, unknown publication)
   * surface from the next `take` / `waitForData`.
   */
  static start(client: pg.Client, options: ReplicationStreamOptions): ReplicationStream {
    const stream = new ReplicationStream(client, options);
    stream.begin();
    return stream;
  }

  private begin(): void {
    const { slotName, publicationName, startLsn } = this.options;
    this.connection.on('copyData', this.onCopyData);
    this.client.on('error', this.onClientError);
    this.client.on('end', this.onClientEnd);
    const sql = `START_REPLICATION SLOT ${quoteIdent(slotName)} LOGICAL ${formatLsn(startLsn)} (proto_version '1', publication_names ${quoteLiteral(quoteIdent(publicationName))})`;
    this.logger.info('starting logical replication', {
      slot: slotName,
      publication: publicationName,
      startLsn: formatLsn(startLsn),
    });
    this.client.query(sql).then(
      () => {
        if (!this.closed) this.fail(new RetriableError('The server ended the replication stream'));
      },
      (err: unknown) => {
        if (!this.closed) this.fail(explainStartError(err, slotName));
      },
    );
    this.statusTimer = setInterval(
      () => this.sendStatus(false),
      Math.max(100, Math.floor(this.options.statusIntervalMs / 2)),
    );
    this.statusTimer.unref();
  }

  /** Items queued now. */
  get size(): number {
    return this.queue.length - this.queueHead;
  }

  /** The last position reported as flushed. */
  get confirmedLsn(): Lsn {
    return this.flushedLsn;
  }

  /** The highest WAL position received so far (informational). */
  get lastReceivedLsn(): Lsn {
    return this.receivedLsn;
  }

  /**
   * Removes and returns up to `max` queued items in server order.
   * @throws the stream's failure once the queue is drained (a RetriableError for lost connections).
   */
  take(max: number): StreamItem[] {
    const n = Math.min(max, this.size);
    if (n === 0 && this.error !== null) throw this.error;
    const out = this.queue.slice(this.queueHead, this.queueHead + n);
    this.queueHead += n;
    if (this.queueHead > 4096 || this.queueHead === this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    if (this.paused && this.size <= Math.floor(this.options.maxQueueSize / 2)) {
      this.paused = false;
      this.connection.stream.resume();
    }
    return out;
  }

  /** Throws the stream's failure, if any (call once the queue is drained). */
  throwIfFailed(): void {
    if (this.error !== null) throw this.error;
  }

  /** Resolves when items are queued, the stream failed, `timeoutMs` passed or `signal` aborted. */
  waitForData(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.size > 0 || this.error !== null || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /**
   * Reports `lsn` as flushed (durable downstream) so the server may release WAL before it. Ignored
   * when not beyond the last confirmed position: the slot never moves back.
   */
  confirm(lsn: Lsn): void {
    if (lsn <= this.flushedLsn) return;
    this.flushedLsn = lsn;
    this.sendStatus(true);
  }

  /**
   * Asks the server for a keepalive (a status update with the reply flag). Its WAL end lets the
   * connector advance its position while nothing it captures changes.
   */
  requestKeepalive(): void {
    if (this.closed || this.error !== null) return;
    try {
      this.connection.sendCopyFromChunk(this.statusMessage(true));
      this.lastStatusAt = Date.now();
    } catch (err) {
      this.fail(wrapPgError(err, 'Could not send a standby status update'));
    }
  }

  /** Sends a last status update and closes the connection. Idempotent; never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.statusTimer !== null) clearInterval(this.statusTimer);
    try {
      if (this.error === null) this.connection.sendCopyFromChunk(this.statusMessage(false));
    } catch {
      // the socket may already be gone
    }
    this.connection.removeListener('copyData', this.onCopyData);
    this.connection.stream.resume();
    await this.client.end().catch(() => {});
    this.client.removeListener('error', this.onClientError);
    this.client.removeListener('end', this.onClientEnd);
  }

  private handleCopyData(chunk: Buffer): void {
    if (this.closed || this.error !== null) return;
    try {
      const msg = parseReplicationMessage(chunk);
      if (msg.kind === 'keepalive') {
        this.receivedLsn = maxLsn(this.receivedLsn, msg.walEnd);
        this.push({ kind: 'keepalive', walEnd: msg.walEnd });
        if (msg.replyRequested) this.sendStatus(true);
        return;
      }
      // decoded now: the driver reuses the buffer behind `chunk`
      const message = decodePgOutput(msg.data);
      this.receivedLsn = maxLsn(this.receivedLsn, msg.walEnd);
      this.push({ kind: 'message', lsn: msg.start, message });
    } catch (err) {
      this.fail(err instanceof Error ? err : new DataError(String(err)));
    }
  }

  private push(item: StreamItem): void {
    this.queue.push(item);
    if (!this.paused && this.size >= this.options.maxQueueSize) {
      this.paused = true;
      this.connection.stream.pause();
    }
    this.wake?.();
  }

  private statusMessage(replyRequested: boolean): Buffer {
    return encodeStandbyStatus({
      written: this.receivedLsn,
      flushed: this.flushedLsn,
      applied: this.flushedLsn,
      nowMs: Date.now(),
      replyRequested,
    });
  }

  private sendStatus(force: boolean): void {
    if (this.closed || this.error !== null) return;
    const now = Date.now();
    if (!force && now - this.lastStatusAt < this.options.statusIntervalMs) return;
    this.lastStatusAt = now;
    try {
      this.connection.sendCopyFromChunk(this.statusMessage(false));
    } catch (err) {
      this.fail(wrapPgError(err, 'Could not send a standby status update'));
    }
  }

  private fail(err: Error): void {
    if (this.error !== null) return;
    this.error = err;
    this.logger.warn('replication stream failed', { error: err.message });
    this.wake?.();
  }
}

// Turns the server's refusal to stream into an error that says what happened and how to recover.
function explainStartError(err: unknown, slotName: string): ConnectError {
  const message = err instanceof Error ? err.message : String(err);
  if (
    /can no longer get changes|has been invalidated|this slot has been invalidated|requested WAL segment .* has already been removed/i.test(
      message,
    )
  ) {
    return new ConnectError(
      `Replication slot "${slotName}" can no longer provide the changes this connector needs (${message}): changes since the last committed offset are no longer available on the server. ` +
        'Recover by dropping the slot and restarting with snapshot.mode=when_needed (or clearing the connector offsets), which re-snapshots the captured tables.',
      { cause: err },
    );
  }
  return wrapPgError(err, `Streaming from replication slot "${slotName}" failed`);
}
