const LF = 0x0a;
const CR = 0x0d;

/** A complete line and the byte position just after its terminator. */
export interface Line {
  readonly text: string;
  /** source byte position after this line's `\n` (or after its last byte for a final partial line) */
  readonly end: number;
}

/**
 * Splits a byte stream into UTF-8 lines on `\n` or `\r\n`, keeping byte positions so each line can
 * carry the offset to resume from. Bytes after the last `\n` are held until more data completes the
 * line. Splitting on the `\n` byte is safe for UTF-8: it never occurs inside a multi-byte sequence.
 */
export class LineBuffer {
  private buf: Buffer = Buffer.alloc(0);
  /** index in `buf` before which no `\n` exists, so rescans after append start there */
  private scanned = 0;
  private startPos: number;

  /** `start` is the source position of the first byte that will be appended. */
  constructor(start = 0) {
    this.startPos = start;
  }

  /** Source position of the first byte not yet returned as part of a line. */
  get position(): number {
    return this.startPos;
  }

  /** Bytes held that do not yet form a complete line. */
  get pendingBytes(): number {
    return this.buf.length;
  }

  /** Adds bytes that follow everything appended so far. Copies only the held partial line. */
  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
  }

  /** The next complete line, or null when the held bytes contain no `\n`. */
  next(): Line | null {
    const nl = this.buf.indexOf(LF, this.scanned);
    if (nl === -1) {
      this.scanned = this.buf.length;
      return null;
    }
    const contentEnd = nl > 0 && this.buf[nl - 1] === CR ? nl - 1 : nl;
    const text = this.buf.toString('utf8', 0, contentEnd);
    this.startPos += nl + 1;
    this.buf = this.buf.subarray(nl + 1);
    this.scanned = 0;
    return { text, end: this.startPos };
  }

  /**
   * Returns the held partial line as a final line and empties the buffer; null when nothing is held.
   * For sources that ended (a rotated-away file, a closed stream): their last line will never get a `\n`.
   */
  takeRemainder(): Line | null {
    if (this.buf.length === 0) return null;
    const last = this.buf.length - 1;
    const text = this.buf.toString('utf8', 0, this.buf[last] === CR ? last : this.buf.length);
    this.startPos += this.buf.length;
    this.buf = Buffer.alloc(0);
    this.scanned = 0;
    return { text, end: this.startPos };
  }

  /** Drops held bytes and restarts at source position `start`. */
  reset(start = 0): void {
    this.buf = Buffer.alloc(0);
    this.scanned = 0;
    this.startPos = start;
  }
}
