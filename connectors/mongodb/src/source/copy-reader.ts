import type { Document } from 'mongodb';
import type { CopyCursor, MongoSourcePort, Namespace } from './mongo-source-port.js';

/** One copied document (shaped as an insert event) and whether it is the last of the whole copy. */
export interface CopiedDocument {
  readonly event: Document;
  readonly last: boolean;
}

/**
 * Reads the copy_existing documents of several collections one after another, one document ahead,
 * so the task knows which record is the last of the copy (its offset then ends the copy for good).
 * Not safe for concurrent calls: `next` must be awaited before the next call.
 */
export class CopyReader {
  private readonly queue: Namespace[];
  private cursor: CopyCursor | null = null;
  private lookahead: Document | null = null;
  private done = false;

  constructor(
    private readonly port: MongoSourcePort,
    namespaces: readonly Namespace[],
  ) {
    this.queue = [...namespaces];
  }

  /** True once every document was returned. */
  get finished(): boolean {
    return this.done;
  }

  /** The next copied document, or null when the copy is complete. */
  async next(): Promise<CopiedDocument | null> {
    if (this.done) return null;
    const current = this.lookahead ?? (await this.read());
    if (current === null) {
      this.done = true;
      return null;
    }
    this.lookahead = await this.read();
    if (this.lookahead === null) this.done = true;
    return { event: current, last: this.lookahead === null };
  }

  /** Closes the open collection cursor, if any. Idempotent. */
  async close(): Promise<void> {
    const cursor = this.cursor;
    this.cursor = null;
    this.done = true;
    await cursor?.close();
  }

  private async read(): Promise<Document | null> {
    for (;;) {
      if (this.cursor === null) {
        const ns = this.queue.shift();
        if (ns === undefined) return null;
        this.cursor = this.port.copy(ns);
      }
      const doc = await this.cursor.next();
      if (doc !== null) return doc;
      await this.cursor.close();
      this.cursor = null;
    }
  }
}
