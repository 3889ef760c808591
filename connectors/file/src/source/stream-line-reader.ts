import type { Readable } from 'node:stream';
import { ConnectError } from '@sluice/core';
import { LineBuffer } from './line-buffer.js';

/**
 * Reads lines from a stream that cannot be re-read (standard input). The stream is paused while more
 * than `highWaterBytes` are buffered, so a fast producer cannot grow memory without bound. When the
 * stream ends, a final line without a newline is still delivered. The stream is never closed here:
 * standard input belongs to the process.
 */
export class StreamLineReader {
  private readonly lines = new LineBuffer();
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private detached = false;

  private readonly onData = (chunk: Buffer | string): void => {
    this.lines.append(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (this.lines.pendingBytes > this.highWaterBytes) this.stream.pause();
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake?.();
  };
  private readonly onError = (err: Error): void => {
    this.failure = err;
    this.wake?.();
  };

  constructor(
    private readonly stream: Readable,
    private readonly highWaterBytes = 1024 * 1024,
  ) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
  }

  /** True once the stream ended and every buffered line was returned. */
  get exhausted(): boolean {
    return this.ended && this.lines.pendingBytes === 0;
  }

  /**
   * Returns up to `maxLines` lines, waiting up to `maxWaitMs` for the first one; [] on timeout, on
   * abort, or once the stream is exhausted. Throws ConnectError if the stream failed.
   */
  async read(maxLines: number, maxWaitMs: number, signal: AbortSignal): Promise<string[]> {
    const deadline = Date.now() + maxWaitMs;
    const out: string[] = [];
    for (;;) {
      while (out.length < maxLines) {
        const line = this.lines.next();
        if (line === null) break;
        out.push(line.text);
      }
      if (out.length < maxLines && this.ended) {
        const last = this.lines.takeRemainder();
        if (last !== null) out.push(last.text);
      }
      if (this.lines.pendingBytes <= this.highWaterBytes && !this.detached && !this.ended) this.stream.resume();
      if (out.length > 0 || this.ended || signal.aborted || this.detached) return out;
      if (this.failure !== null) throw new ConnectError('reading standard input failed', { cause: this.failure });
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) return out;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.wake = null;
          resolve();
        };
        const timer = setTimeout(done, remainingMs);
        signal.addEventListener('abort', done, { once: true });
        this.wake = done;
      });
    }
  }

  /** Stops listening and pauses the stream (it stays open). Idempotent. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('error', this.onError);
    this.stream.pause();
    this.wake?.();
  }
}
