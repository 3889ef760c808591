/**
 * Shared pieces of the CDC source integration tests: task harnesses on fresh slots and filtered
 * publications, polling until a condition holds, and accessors for Debezium envelopes.
 */
import { isStruct, type SourceRecord, type Struct } from '@sluice/core';
import { SourceTaskHarness } from '@sluice/testkit';
import { PostgresCdcSourceTask } from '../../src/index.js';
import type { TestDatabase } from './postgres.js';

/** The envelope struct of a change record (null for tombstones and non-struct values). */
export const envelope = (r: SourceRecord): Struct | null => (isStruct(r.value) ? r.value : null);
export const op = (r: SourceRecord) => envelope(r)?.get('op') as string | undefined;
export const afterOf = (r: SourceRecord) => envelope(r)?.get('after') as Struct | null | undefined;
export const beforeOf = (r: SourceRecord) => envelope(r)?.get('before') as Struct | null | undefined;
/** `after` (or `before` when requested) as plain JSON. */
export const rowJson = (r: SourceRecord, side: 'after' | 'before' = 'after') =>
  (side === 'after' ? afterOf(r) : beforeOf(r))?.toJSON();
export const keyJson = (r: SourceRecord) => (isStruct(r.key) ? r.key.toJSON() : r.key);
export const snapshotMarker = (r: SourceRecord) => (envelope(r)?.get('source') as Struct | undefined)?.get('snapshot');
/** The `id` column of the row a record is about (after, else before). */
export const idOf = (r: SourceRecord): number => Number((afterOf(r) ?? beforeOf(r))?.get('id'));

/** Starts CDC source task harnesses on `db`, each on its own slot and filtered publication; stops them all. */
export class CdcHarnesses {
  private readonly running: SourceTaskHarness[] = [];
  private n = 0;

  constructor(
    private readonly db: TestDatabase,
    private readonly slotPrefix: string,
  ) {}

  /** The config of a source capturing `public.<table>` for each of `tables`, on a fresh slot. */
  config(tables: readonly string[], extra: Record<string, string> = {}): Record<string, string> {
    const slot = this.db.slotName(`${this.slotPrefix}${++this.n}`);
    return {
      ...this.db.sourceConnection,
      'topic.prefix': 'srv',
      'slot.name': slot,
      'publication.name': `pub_${slot}`,
      'publication.autocreate.mode': 'filtered',
      'table.include.list': tables.map((t) => `public\\.${t}`).join(','),
      'poll.interval.ms': '50',
      ...extra,
    };
  }

  /** Starts a harness from `config(tables, extra)` (or a whole config), stopped by `stopAll`. */
  async start(tables: string | readonly string[], extra: Record<string, string> = {}): Promise<SourceTaskHarness> {
    const config = this.config(typeof tables === 'string' ? [tables] : tables, extra);
    const harness = await SourceTaskHarness.start(() => new PostgresCdcSourceTask({ slotWaitTimeoutMs: 10_000 }), {
      config,
      idleBackoffMs: 10,
    });
    this.running.push(harness);
    return harness;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running.splice(0).map((h) => h.stop()));
  }
}

/** Polls `harness` until `done` holds for everything polled, failing after `ms`. */
export async function collectUntil(
  harness: SourceTaskHarness,
  done: (all: SourceRecord[]) => boolean,
  ms = 30_000,
): Promise<SourceRecord[]> {
  const all: SourceRecord[] = [];
  const deadline = Date.now() + ms;
  while (!done(all)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${all.length} records`);
    all.push(...(await harness.poll()));
  }
  return all;
}
