import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { ConnectError, type Logger, type SourceOffset } from '@sluice/core';
import {
  encodeOffset,
  FINGERPRINT_MAX_BYTES,
  fingerprintOf,
  matchOffset,
  type FileIdentity,
  type FileOffset,
} from './file-offset.js';
import { LineBuffer } from './line-buffer.js';

/** A line read from the file, with the offset that resumes right after it. */
export interface TailedLine {
  readonly text: string;
  readonly offset: SourceOffset;
}

export interface FileTailerOptions {
  /** Committed offset to verify and resume from when the file is first opened; null = from byte 0. */
  readonly resumeFrom: FileOffset | null;
  /** Bytes per read. Default 64 KiB. */
  readonly chunkBytes?: number;
  /** Longest wait between checks of the file when no change event arrives. Default 250. */
  readonly checkIntervalMs?: number;
}

/** Why the file at the path no longer matches the open file descriptor. */
type Change = 'none' | 'truncated' | 'rewritten' | 'rotated' | 'deleted';

interface OpenFile {
  readonly handle: FileHandle;
  readonly device: string;
  readonly inode: string;
  /** first bytes of the file, grown as reading passes them, up to FINGERPRINT_MAX_BYTES */
  head: Buffer;
  fingerprint: string;
  /** bytes read into `lines` so far: the next read starts here */
  readPos: number;
}

/**
 * Follows one file like `tail -F`: reads it in chunks from a position, splits lines, and at end of
 * file waits for appends (a directory watch wakes it early; a bounded interval is the fallback).
 *
 * Guards against misreading a stale position, both when resuming and while tailing:
 * - truncation (size below the read position) or an in-place rewrite (first bytes changed) restarts
 *   the same file from byte 0;
 * - rotation (the path now names another inode) first drains the old file, emits its final partial
 *   line, then reads the new file from byte 0;
 * - a missing file is waited for (logged once).
 *
 * Memory stays bounded by one chunk, one partial line and the lines of one batch. Not safe for
 * concurrent `read` calls; `close` may be called while a read waits.
 */
export class FileTailer {
  private file: OpenFile | null = null;
  private readonly lines = new LineBuffer();
  private resumeFrom: FileOffset | null;
  private readonly chunk: Buffer;
  private readonly checkIntervalMs: number;
  private watcher: FSWatcher | null = null;
  private changed = false;
  private wake: (() => void) | null = null;
  private missingLogged = false;
  private deletedLogged = false;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly logger: Logger,
    options: FileTailerOptions,
  ) {
    this.resumeFrom = options.resumeFrom;
    this.chunk = Buffer.allocUnsafe(options.chunkBytes ?? 64 * 1024);
    this.checkIntervalMs = options.checkIntervalMs ?? 250;
  }

  /**
   * Returns up to `maxLines` lines. Returns as soon as at least one line is available at end of file;
   * otherwise waits up to `maxWaitMs` for data and returns [] (also when `signal` aborts). Lines already
   * read are never dropped: the next call returns them.
   */
  async read(maxLines: number, maxWaitMs: number, signal: AbortSignal): Promise<TailedLine[]> {
    const out: TailedLine[] = [];
    const deadline = Date.now() + maxWaitMs;
    while (!signal.aborted && !this.closed) {
      const file = this.file ?? (await this.openFile());
      if (file === null) {
        if (Date.now() >= deadline) break;
        await this.waitForChange(deadline, signal);
        continue;
      }
      this.takeLines(file, out, maxLines);
      if (out.length >= maxLines) break;
      this.changed = false;
      const n = await this.readChunk(file);
      if (n > 0) continue;
      if (out.length > 0) break;
      const change = await this.detectChange(file);
      if (change !== 'none') {
        await this.handleChange(file, change, out);
        if (out.length > 0) break;
        // a deleted path leaves nothing to do but wait for a new file (or more data in the old one)
        if (change !== 'deleted') continue;
      }
      if (Date.now() >= deadline) break;
      await this.waitForChange(deadline, signal);
    }
    return out;
  }

  /** Closes the file and the watcher. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.watcher?.close();
    this.watcher = null;
    const file = this.file;
    this.file = null;
    await file?.handle.close().catch(() => undefined);
  }

  private async openFile(): Promise<OpenFile | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) {
        if (!this.missingLogged) {
          this.logger.warn('file does not exist (yet); waiting for it to appear', { file: this.path });
          this.missingLogged = true;
        }
        return null;
      }
      throw new ConnectError(`cannot open ${this.path}`, { cause: err, context: { file: this.path } });
    }
    if (this.closed) {
      await handle.close().catch(() => undefined);
      return null;
    }
    try {
      const st = await handle.stat({ bigint: true });
      if (!st.isFile()) throw new ConnectError(`${this.path} is not a regular file`, { context: { file: this.path } });
      const sizeBytes = Number(st.size);
      const head = await readHead(handle, Math.min(sizeBytes, FINGERPRINT_MAX_BYTES));
      const device = st.dev.toString();
      const inode = st.ino.toString();
      let position = 0;
      if (this.resumeFrom !== null) {
        const match = matchOffset(this.resumeFrom, { device, inode, sizeBytes, head });
        if (match === 'same' || match === 'unverified') {
          position = this.resumeFrom.position;
          if (match === 'unverified') {
            this.logger.info('committed offset has no file identity; trusting its position', {
              file: this.path,
              position,
            });
          } else if (this.resumeFrom.identity?.device !== device) {
            this.logger.info('device id changed since the offset was committed; same inode and content, resuming', {
              file: this.path,
            });
          }
        } else {
          this.logger.warn(`file was ${match} since the committed offset; reading it from byte 0`, {
            file: this.path,
            committedPosition: this.resumeFrom.position,
            sizeBytes,
          });
        }
      }
      // only the first file opened resumes; files found later (after rotation) start at 0
      this.resumeFrom = null;
      if (this.missingLogged) this.logger.info('file appeared; reading it', { file: this.path, position });
      this.missingLogged = false;
      this.deletedLogged = false;
      this.lines.reset(position);
      this.file = { handle, device, inode, head, fingerprint: fingerprintOf(head), readPos: position };
      return this.file;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  private takeLines(file: OpenFile, out: TailedLine[], maxLines: number): void {
    while (out.length < maxLines) {
      const line = this.lines.next();
      if (line === null) return;
      out.push({ text: line.text, offset: encodeOffset(line.end, identityOf(file)) });
    }
  }

  private async readChunk(file: OpenFile): Promise<number> {
    const { bytesRead } = await file.handle.read(this.chunk, 0, this.chunk.length, file.readPos);
    if (bytesRead === 0) return 0;
    const data = this.chunk.subarray(0, bytesRead);
    // grow the fingerprint while reading passes the head, so it need not be re-read later
    if (
      file.head.length < FINGERPRINT_MAX_BYTES &&
      file.readPos <= file.head.length &&
      file.readPos + bytesRead > file.head.length
    ) {
      const from = file.head.length - file.readPos;
      const to = Math.min(bytesRead, FINGERPRINT_MAX_BYTES - file.readPos);
      file.head = Buffer.concat([file.head, data.subarray(from, to)]);
      file.fingerprint = fingerprintOf(file.head);
    }
    this.lines.append(data);
    file.readPos += bytesRead;
    return bytesRead;
  }

  private async detectChange(file: OpenFile): Promise<Change> {
    const st = await file.handle.stat();
    if (st.size < file.readPos) return 'truncated';
    if (file.head.length > 0) {
      const current = await readHead(file.handle, file.head.length);
      if (!current.equals(file.head)) return 'rewritten';
    }
    try {
      const atPath = await stat(this.path, { bigint: true });
      return atPath.ino.toString() === file.inode ? 'none' : 'rotated';
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return 'deleted';
      throw err;
    }
  }

  private async handleChange(file: OpenFile, change: Exclude<Change, 'none'>, out: TailedLine[]): Promise<void> {
    if (change === 'truncated' || change === 'rewritten') {
      this.logger.warn(`file was ${change} while being read; reading it again from byte 0`, {
        file: this.path,
        previousPosition: this.lines.position,
      });
      file.head = await readHead(file.handle, Math.min((await file.handle.stat()).size, FINGERPRINT_MAX_BYTES));
      file.fingerprint = fingerprintOf(file.head);
      file.readPos = 0;
      this.lines.reset(0);
      return;
    }
    if (change === 'deleted') {
      // writers often keep appending to the old inode until they reopen; keep draining it meanwhile
      if (!this.deletedLogged) {
        this.logger.warn('file was removed or renamed; draining it and waiting for a new file', { file: this.path });
        this.deletedLogged = true;
      }
      return;
    }
    // rotated: anything appended to the old file between our last read and the rename comes first
    if ((await this.readChunk(file)) > 0) return;
    const last = this.lines.takeRemainder();
    if (last !== null) out.push({ text: last.text, offset: encodeOffset(last.end, identityOf(file)) });
    this.logger.warn('file was rotated; reading the new file from byte 0', {
      file: this.path,
      previousPosition: last?.end ?? this.lines.position,
    });
    this.file = null;
    await file.handle.close().catch(() => undefined);
  }

  private async waitForChange(deadline: number, signal: AbortSignal): Promise<void> {
    this.ensureWatcher();
    if (this.changed) {
      this.changed = false;
      return;
    }
    const waitMs = Math.max(0, Math.min(this.checkIntervalMs, deadline - Date.now()));
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
    this.changed = false;
  }

  private ensureWatcher(): void {
    if (this.watcher !== null || this.closed) return;
    const name = basename(this.path);
    try {
      // the directory, not the file: it also reports the file's creation, rename and replacement
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, filename) => {
        if (filename !== null && filename !== name) return;
        this.changed = true;
        this.wake?.();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      // no directory yet, or watches exhausted: the check interval still bounds the wait
      this.watcher = null;
    }
  }
}

function identityOf(file: OpenFile): FileIdentity {
  return { device: file.device, inode: file.inode, fingerprint: file.fingerprint, fingerprintBytes: file.head.length };
}

async function readHead(handle: FileHandle, lengthBytes: number): Promise<Buffer> {
  const head = Buffer.alloc(lengthBytes);
  let filled = 0;
  while (filled < lengthBytes) {
    const { bytesRead } = await handle.read(head, filled, lengthBytes - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return head.subarray(0, filled);
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
