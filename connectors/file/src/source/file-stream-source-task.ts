import type { Readable } from 'node:stream';
import {
  DataError,
  IllegalStateError,
  noopLogger,
  Schemas,
  sourceRecord,
  type Logger,
  type SourcePartition,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TaskConfig,
} from '@sluice/core';
import { decodeOffset, filePartition, type FileOffset } from './file-offset.js';
import { parseSourceConfig, type FileStreamSourceSettings } from './file-stream-source-config.js';
import { FileTailer } from './file-tailer.js';
import { StreamLineReader } from './stream-line-reader.js';
import { VERSION } from '../version.js';

/** Test seams and tuning; the runtime uses the defaults. */
export interface FileStreamSourceTaskOptions {
  /** Stream read when `file` is empty. Default `process.stdin`. */
  readonly stdin?: Readable;
  /** Longest a poll waits for new data before returning null. Default 1000. */
  readonly maxPollWaitMs?: number;
  /** Longest wait between checks of the file when no change event arrives. Default 250. */
  readonly checkIntervalMs?: number;
  /** Bytes per file read. Default 64 KiB. */
  readonly chunkBytes?: number;
}

// standard input cannot be re-read, so its records carry no resumable position (Kafka Connect uses null)
const STDIN_PARTITION: SourcePartition = Object.freeze({});
const STDIN_OFFSET = Object.freeze({});

/**
 * Emits each line of a file (or standard input) as a record with a STRING value and a null key,
 * tailing the file for appends. Source partition `{filename}`; offset `{position, …file identity}`
 * (see `FileIdentity`), so a restart resumes after the last committed line, and a rotated or
 * truncated file is read from its start instead of from a stale position.
 */
export class FileStreamSourceTask implements SourceTask {
  private logger: Logger = noopLogger;
  private context: SourceTaskContext | null = null;
  private settings: FileStreamSourceSettings | null = null;
  private partition: SourcePartition = STDIN_PARTITION;
  private tailer: FileTailer | null = null;
  private stdin: StreamLineReader | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: FileStreamSourceTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  initialize(context: SourceTaskContext): void {
    this.context = context;
    this.logger = context.logger;
  }

  async start(config: TaskConfig): Promise<void> {
    const settings = parseSourceConfig(config);
    this.settings = settings;
    if (settings.file === null) {
      this.logger.info('reading lines from standard input');
      this.stdin = new StreamLineReader(this.options.stdin ?? process.stdin);
      return;
    }
    this.partition = filePartition(settings.file);
    const resumeFrom = await this.committedOffset(settings.file);
    this.logger.info('reading lines from file', { file: settings.file, position: resumeFrom?.position ?? 0 });
    this.tailer = new FileTailer(settings.file, this.logger, {
      resumeFrom,
      chunkBytes: this.options.chunkBytes,
      checkIntervalMs: this.options.checkIntervalMs,
    });
  }

  /**
   * Returns up to `batch.size` lines as records; waits up to about a second for new data, then returns
   * null. Returns promptly (null, or lines already read) when `signal` aborts.
   */
  async poll(signal: AbortSignal): Promise<SourceRecord[] | null> {
    const settings = this.settings;
    if (settings === null) throw new IllegalStateError('poll() before start()');
    const maxWaitMs = this.options.maxPollWaitMs ?? 1000;
    try {
      if (this.tailer !== null) {
        const lines = await this.tailer.read(settings.batchSize, maxWaitMs, signal);
        if (lines.length === 0) return null;
        const now = Date.now();
        return lines.map((line) => this.toRecord(settings.topic, line.text, line.offset, now));
      }
      if (this.stdin !== null) {
        const lines = await this.stdin.read(settings.batchSize, maxWaitMs, signal);
        if (lines.length === 0) {
          // stdin has ended for good; pace the runtime's polling instead of returning instantly
          if (this.stdin.exhausted) await abortableDelay(maxWaitMs, signal);
          return null;
        }
        const now = Date.now();
        return lines.map((text) => this.toRecord(settings.topic, text, STDIN_OFFSET, now));
      }
      return null;
    } catch (err) {
      // a read racing with stop() fails on the closed file; that is not a task failure
      if (signal.aborted || this.stopping !== null) return null;
      throw err;
    }
  }

  /** Closes the file and its watcher (standard input stays open). Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stdin?.detach();
      await this.tailer?.close();
    })();
    return this.stopping;
  }

  private toRecord(topic: string, text: string, offset: SourceRecord['sourceOffset'], timestamp: number): SourceRecord {
    return sourceRecord({
      sourcePartition: this.partition,
      sourceOffset: offset,
      topic,
      keySchema: null,
      key: null,
      valueSchema: Schemas.STRING,
      value: text,
      timestamp,
    });
  }

  private async committedOffset(file: string): Promise<FileOffset | null> {
    const stored = (await this.context?.offsetStorageReader.offset(filePartition(file))) ?? null;
    if (stored === null) return null;
    try {
      return decodeOffset(stored);
    } catch (err) {
      // an unreadable offset cannot be trusted; re-reading is safer than skipping data
      this.logger.warn('ignoring unreadable committed offset; reading the file from byte 0', {
        file,
        error: DataError.is(err) ? err.message : String(err),
      });
      return null;
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
