import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import {
  ConnectError,
  IllegalStateError,
  noopLogger,
  type Logger,
  type SinkOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TaskConfig,
} from '@sluice/core';
import { parseSinkConfig } from './file-stream-sink-config.js';
import { renderValue } from './render-value.js';
import { VERSION } from '../version.js';

/** Test seams; the runtime uses the defaults. */
export interface FileStreamSinkTaskOptions {
  /** Stream written when `file` is empty. Default `process.stdout`. */
  readonly stdout?: Writable;
}

/** Where lines go: an append-only file, or a stream the process owns. */
type Output = { kind: 'file'; path: string; handle: FileHandle } | { kind: 'stream'; stream: Writable };

/**
 * Appends each record's value as one line to a file (or standard output), in delivery order. Null
 * values are skipped. `put` writes through to the OS; `flush`/`preCommit` fsync the file, so the
 * offsets returned for commit only cover lines that are on disk.
 */
export class FileStreamSinkTask implements SinkTask {
  private logger: Logger = noopLogger;
  private output: Output | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: FileStreamSinkTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  initialize(context: SinkTaskContext): void {
    this.logger = context.logger;
  }

  async start(config: TaskConfig): Promise<void> {
    const { file } = parseSinkConfig(config);
    if (file === null) {
      this.output = { kind: 'stream', stream: this.options.stdout ?? process.stdout };
      this.logger.info('writing lines to standard output');
      return;
    }
    try {
      this.output = { kind: 'file', path: file, handle: await open(file, 'a') };
    } catch (err) {
      throw new ConnectError(`cannot open ${file} for appending`, { cause: err, context: { file } });
    }
    this.logger.info('appending lines to file', { file });
  }

  /** Writes the batch's lines with one write; resolves once the OS has them (not yet fsynced). */
  async put(records: readonly SinkRecord[]): Promise<void> {
    const output = this.requireOutput('put');
    let text = '';
    for (const record of records) {
      const line = renderValue(record.value);
      if (line === null) {
        this.logger.debug('skipping record with a null value', {
          topic: record.topic,
          partition: record.kafkaPartition,
          offset: record.kafkaOffset,
        });
        continue;
      }
      text += `${line}\n`;
    }
    if (text === '') return;
    if (output.kind === 'stream') return writeToStream(output.stream, text);
    try {
      await output.handle.appendFile(text, 'utf8');
    } catch (err) {
      throw new ConnectError(`writing to ${output.path} failed`, { cause: err, context: { file: output.path } });
    }
  }

  /** fsyncs the file (a no-op for standard output beyond the completed writes). */
  async flush(_offsets?: SinkOffsets): Promise<void> {
    const output = this.output;
    if (output === null || output.kind === 'stream') return;
    try {
      await output.handle.sync();
    } catch (err) {
      throw new ConnectError(`fsync of ${output.path} failed`, { cause: err, context: { file: output.path } });
    }
  }

  /** Makes every written line durable, then returns `offsets` unchanged: all of them are safe. */
  async preCommit(offsets: SinkOffsets): Promise<SinkOffsets> {
    await this.flush(offsets);
    return offsets;
  }

  /** Closes the file (standard output stays open). Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const output = this.output;
      this.output = null;
      if (output?.kind === 'file') await output.handle.close();
    })();
    return this.stopping;
  }

  private requireOutput(op: string): Output {
    if (this.output === null) throw new IllegalStateError(`${op}() on a task that is not started or already stopped`);
    return this.output;
  }
}

function writeToStream(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, 'utf8', (err) =>
      err ? reject(new ConnectError('writing to standard output failed', { cause: err })) : resolve(),
    );
  });
}
