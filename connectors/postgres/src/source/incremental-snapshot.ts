import { DataError, type Logger } from '@sluice/core';

/**
 * Incremental (ad-hoc) snapshots, Netflix DBLog's watermark algorithm, as Debezium triggers them:
 * a row inserted into the signal table (`signal.data.collection`, columns id, type, data) with type
 * `execute-snapshot` and data `{"data-collections": ["schema.table"], "type": "incremental",
 * "additional-conditions": [{"data-collection": "schema.table", "filter": "<SQL condition>"}]}`
 * starts one; `stop-snapshot` stops it (all or the listed tables).
 *
 * Each chunk (`incremental.snapshot.chunk.size` rows in key order, after the last key delivered and
 * up to the table's largest key when the table was started) is read between two watermark rows the
 * task inserts into the signal table. The replication stream brings the watermarks back in WAL order:
 * a change streamed between the open and close watermarks for a key of the chunk removes that key
 * from the chunk (the streamed change is as new or newer); at the close watermark the rest of the
 * chunk is emitted as `op: r` reads. So no change is lost or reordered per key, and streaming never
 * pauses. The state (tables left, last key, maximum key, condition) travels in every offset while a
 * snapshot runs, so a restart continues after the last completed chunk.
 *
 * This class is the pure part: state, signal parsing and the chunk buffer. The task does the I/O.
 */

export interface IncrementalTableState {
  /** `schema.table` */
  readonly table: string;
  /** SQL condition from `additional-conditions`, or null */
  readonly filter: string | null;
}

/** What is stored in offsets (`incremental_snapshot`, JSON). */
export interface IncrementalState {
  readonly id: string;
  readonly tables: readonly IncrementalTableState[];
  /** text values of the last key delivered of `tables[0]`, null before its first chunk */
  readonly lastKey: readonly string[] | null;
  /** text values of the largest key of `tables[0]` when it was started; null until read (or empty table) */
  readonly maxKey: readonly string[] | null;
}

export type SignalAction =
  | { readonly kind: 'execute'; readonly id: string; readonly tables: readonly IncrementalTableState[] }
  /** `"type": "blocking"`: stop streaming, snapshot the tables, then stream on */
  | { readonly kind: 'blocking'; readonly id: string; readonly tables: readonly IncrementalTableState[] }
  | { readonly kind: 'stop'; readonly id: string; readonly tables: readonly string[] | null }
  | { readonly kind: 'pause' | 'resume'; readonly id: string }
  | { readonly kind: 'window-open' | 'window-close'; readonly chunkId: string }
  | { readonly kind: 'ignore'; readonly reason: string };

/** Normalises `"public"."t"`, `public.t` to `public.t`. */
function tableName(raw: string): string {
  return raw
    .split('.')
    .map((p) => p.trim().replace(/^"(.*)"$/, '$1'))
    .join('.');
}

/** Interprets one signal-table row. */
export function parseSignal(id: string | null, type: string | null, data: string | null): SignalAction {
  const kind = (type ?? '').trim();
  // watermark ids are `<chunk id>-open` / `<chunk id>-close` (the id column is the table's key)
  if (kind === 'snapshot-window-open') return { kind: 'window-open', chunkId: (id ?? '').replace(/-open$/, '') };
  if (kind === 'snapshot-window-close') return { kind: 'window-close', chunkId: (id ?? '').replace(/-close$/, '') };
  if (kind === 'pause-snapshot') return { kind: 'pause', id: id ?? '' };
  if (kind === 'resume-snapshot') return { kind: 'resume', id: id ?? '' };
  if (kind !== 'execute-snapshot' && kind !== 'stop-snapshot') return { kind: 'ignore', reason: `unknown signal type "${kind}"` };
  let parsed: unknown = {};
  if (data !== null && data.trim() !== '') {
    try {
      parsed = JSON.parse(data);
    } catch {
      return { kind: 'ignore', reason: `signal ${id ?? ''}: data is not JSON` };
    }
  }
  const body = (parsed ?? {}) as Record<string, unknown>;
  const collections = Array.isArray(body['data-collections']) ? body['data-collections'].filter((c): c is string => typeof c === 'string').map(tableName) : [];
  const snapshotType = typeof body['type'] === 'string' ? body['type'].toLowerCase() : 'incremental';
  if (snapshotType !== 'incremental' && snapshotType !== 'blocking')
    return { kind: 'ignore', reason: `signal ${id ?? ''}: snapshot type "${snapshotType}" is not supported (incremental or blocking)` };
  if (kind === 'stop-snapshot' && snapshotType === 'blocking')
    return { kind: 'ignore', reason: `signal ${id ?? ''}: a blocking snapshot cannot be stopped (it runs while streaming waits)` };
  if (kind === 'stop-snapshot') return { kind: 'stop', id: id ?? '', tables: collections.length === 0 ? null : collections };
  if (collections.length === 0) return { kind: 'ignore', reason: `signal ${id ?? ''}: execute-snapshot without data-collections` };
  const conditions = new Map<string, string>();
  if (Array.isArray(body['additional-conditions'])) {
    for (const c of body['additional-conditions'] as unknown[]) {
      const entry = (c ?? {}) as Record<string, unknown>;
      const table = entry['data-collection'];
      const filter = entry['filter'];
      if (typeof table === 'string' && typeof filter === 'string' && filter.trim() !== '') conditions.set(tableName(table), filter);
    }
  }
  const tables = collections.map((table) => ({ table, filter: conditions.get(table) ?? null }));
  return { kind: snapshotType === 'blocking' ? 'blocking' : 'execute', id: id ?? '', tables };
}

export function encodeState(state: IncrementalState): string {
  return JSON.stringify(state);
}

export function decodeState(raw: unknown): IncrementalState | null {
  if (typeof raw !== 'string' || raw === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new DataError('Invalid "incremental_snapshot" in the stored offset');
  }
  const s = parsed as Partial<IncrementalState>;
  if (typeof s.id !== 'string' || !Array.isArray(s.tables)) throw new DataError('Invalid "incremental_snapshot" in the stored offset');
  return { id: s.id, tables: s.tables, lastKey: s.lastKey ?? null, maxKey: s.maxKey ?? null };
}

/** One chunk's rows waiting for their close watermark, by key. */
export class ChunkBuffer<Row> {
  private readonly rows = new Map<string, Row>();
  /** true once the open watermark came through the stream */
  open = false;

  constructor(
    readonly chunkId: string,
    readonly table: string,
    rows: Iterable<[key: string, row: Row]>,
    /** the last key of the chunk (what the next chunk starts after), null when empty */
    readonly lastKey: readonly string[] | null,
    /** true when the chunk reached the end of the table (or its maximum key) */
    readonly tableDone: boolean,
  ) {
    for (const [k, r] of rows) this.rows.set(k, r);
  }

  /** A streamed change to `key` of `table` while the window is open: the stream's version wins. */
  streamed(table: string, key: string): void {
    if (this.open && table === this.table) this.rows.delete(key);
  }

  get size(): number {
    return this.rows.size;
  }

  /** The rows that survive, in key order of the chunk. */
  remaining(): Row[] {
    return [...this.rows.values()];
  }
}

/** Manages the state between signals, chunks and watermarks; logs what it ignores. */
export class IncrementalSnapshotState {
  state: IncrementalState | null;
  paused = false;
  constructor(
    initial: IncrementalState | null,
    private readonly logger: Logger,
  ) {
    this.state = initial;
  }

  /** Applies an execute/stop/pause/resume signal; `known` says whether a table is captured and keyed. */
  apply(action: SignalAction, known: (table: string) => string | null): void {
    switch (action.kind) {
      case 'execute': {
        const tables: IncrementalTableState[] = [];
        for (const t of action.tables) {
          const problem = known(t.table);
          if (problem === null) tables.push(t);
          else this.logger.warn('incremental snapshot: skipping a table', { signal: action.id, table: t.table, reason: problem });
        }
        if (tables.length === 0) return;
        if (this.state === null) {
          this.state = { id: action.id, tables, lastKey: null, maxKey: null };
        } else {
          const queued = new Set(this.state.tables.map((t) => t.table));
          this.state = { ...this.state, tables: [...this.state.tables, ...tables.filter((t) => !queued.has(t.table))] };
        }
        this.logger.info('incremental snapshot requested', { signal: action.id, tables: tables.map((t) => t.table) });
        return;
      }
      case 'stop': {
        if (this.state === null) return;
        const stop = action.tables === null ? null : new Set(action.tables);
        const first = this.state.tables[0]?.table;
        const tables = stop === null ? [] : this.state.tables.filter((t) => !stop.has(t.table));
        const firstKept = tables[0]?.table === first;
        this.state = tables.length === 0 ? null : { ...this.state, tables, lastKey: firstKept ? this.state.lastKey : null, maxKey: firstKept ? this.state.maxKey : null };
        this.logger.info('incremental snapshot stopped', { signal: action.id, tables: action.tables ?? 'all' });
        return;
      }
      case 'pause':
        this.paused = true;
        return;
      case 'resume':
        this.paused = false;
        return;
      default:
        return;
    }
  }

  /** After a chunk's close watermark: move past it (and to the next table when the chunk ended one). */
  chunkDone(lastKey: readonly string[] | null, tableDone: boolean): void {
    if (this.state === null) return;
    if (tableDone) {
      const tables = this.state.tables.slice(1);
      this.logger.info('incremental snapshot finished a table', { table: this.state.tables[0]?.table });
      this.state = tables.length === 0 ? null : { ...this.state, tables, lastKey: null, maxKey: null };
      if (this.state === null) this.logger.info('incremental snapshot completed');
    } else {
      this.state = { ...this.state, lastKey };
    }
  }
}
