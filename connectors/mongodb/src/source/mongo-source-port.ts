import type { Document, MongoClient, Timestamp } from 'mongodb';
import { connectMongo } from '../connection/mongo-connection.js';
import type { MongoSourceSettings, WatchScope } from './mongo-source-config.js';
import type { ResumeToken } from './source-offset.js';

/** Where a new change stream starts; absent fields mean "now". */
export interface ChangeStreamStart {
  readonly startAfter?: ResumeToken;
  readonly startAtOperationTime?: Timestamp;
}

/** An open change stream, as the task uses it (the driver's `ChangeStream`, or a fake in tests). */
export interface ChangeStreamCursor {
  /**
   * The next change event, or null when none arrived within the server's await time. May reject with
   * the server's error (e.g. 286 ChangeStreamHistoryLost). Never called again while a call is pending.
   */
  tryNext(): Promise<Document | null>;
  /**
   * The newest resume token the stream knows: the last event's, or the server's post-batch resume
   * token when it moved past events the pipeline filtered out (null before the first batch on
   * servers that report none).
   */
  readonly resumeToken: ResumeToken | null;
  /** Closes the server cursor. Idempotent; a pending `tryNext` settles (with null or an error). */
  close(): Promise<void>;
}

/** A cursor over documents being copied (already shaped as insert change events). */
export interface CopyCursor {
  next(): Promise<Document | null>;
  close(): Promise<void>;
}

export interface Namespace {
  readonly db: string;
  readonly coll: string;
}

/**
 * What the source task needs from MongoDB. The driver-backed implementation is the default; unit
 * tests substitute fakes to produce what a test server cannot (e.g. error 286).
 */
export interface MongoSourcePort {
  /** Opens a change stream over `scope` with the user pipeline appended after `$changeStream`. */
  watch(scope: WatchScope, start: ChangeStreamStart): ChangeStreamCursor;
  /** Every collection in `scope` whose documents a copy_existing startup publishes, in copy order. */
  listNamespaces(scope: WatchScope): Promise<Namespace[]>;
  /** The documents of one collection, shaped as insert events, filtered by the copy and user pipelines. */
  copy(ns: Namespace): CopyCursor;
  /** Closes the connection. Idempotent. */
  close(): Promise<void>;
}

/** Builds the port for a task; called once per task start. */
export type MongoSourcePortFactory = (settings: MongoSourceSettings, appName: string) => Promise<MongoSourcePort>;

// System databases and collections hold server state, not user data.
const SYSTEM_DATABASES = new Set(['admin', 'config', 'local']);

/** The default port: the official Node.js driver. */
export const driverSourcePort: MongoSourcePortFactory = async (settings, appName) => {
  const client = await connectMongo(settings.connectionUri, appName);
  return new DriverSourcePort(client, settings);
};

class DriverSourcePort implements MongoSourcePort {
  private closing: Promise<void> | null = null;

  constructor(
    private readonly client: MongoClient,
    private readonly settings: MongoSourceSettings,
  ) {}

  watch(scope: WatchScope, start: ChangeStreamStart): ChangeStreamCursor {
    const s = this.settings;
    const options = {
      ...(start.startAfter !== undefined ? { startAfter: start.startAfter } : {}),
      ...(start.startAtOperationTime !== undefined ? { startAtOperationTime: start.startAtOperationTime } : {}),
      ...(s.fullDocument !== null ? { fullDocument: s.fullDocument } : {}),
      ...(s.fullDocumentBeforeChange !== null ? { fullDocumentBeforeChange: s.fullDocumentBeforeChange } : {}),
      ...(s.cursorBatchSize > 0 ? { batchSize: s.cursorBatchSize } : {}),
      ...(s.showExpandedEvents ? { showExpandedEvents: true } : {}),
      ...(s.collation !== null ? { collation: s.collation as { locale: string } } : {}),
      // bounded so a poll can hand back what it has; the task keeps polling until its own deadline
      maxAwaitTimeMS: Math.min(s.awaitTimeMs, 1000),
      // keep int32 / int64 / double apart so JSON, BSON and schema output preserve the BSON types
      promoteValues: false,
    };
    const pipeline = [...s.pipeline];
    const stream =
      scope.kind === 'collection'
        ? this.client.db(scope.database).collection(scope.collection).watch(pipeline, options)
        : scope.kind === 'database'
          ? this.client.db(scope.database).watch(pipeline, options)
          : this.client.watch(pipeline, options);
    return {
      tryNext: () => stream.tryNext(),
      get resumeToken() {
        return (stream.resumeToken as ResumeToken | undefined) ?? null;
      },
      close: () => stream.close(),
    };
  }

  async listNamespaces(scope: WatchScope): Promise<Namespace[]> {
    if (scope.kind === 'collection') return [{ db: scope.database, coll: scope.collection }];
    const databases =
      scope.kind === 'database'
        ? [scope.database]
        : (await this.client.db('admin').admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name).filter((n) => !SYSTEM_DATABASES.has(n));
    const out: Namespace[] = [];
    for (const db of databases.sort()) {
      const collections = await this.client.db(db).listCollections({}, { nameOnly: true }).toArray();
      for (const c of collections) {
        // views have no documents of their own and time-series buckets are internal
        if ((c.type !== undefined && c.type !== 'collection') || c.name.startsWith('system.')) continue;
        out.push({ db, coll: c.name });
      }
    }
    return out.sort((a, b) => (a.db === b.db ? a.coll.localeCompare(b.coll) : a.db.localeCompare(b.db)));
  }

  copy(ns: Namespace): CopyCursor {
    const s = this.settings;
    const pipeline: Document[] = [
      ...s.copyPipeline,
      {
        $replaceRoot: {
          newRoot: {
            _id: { _id: '$_id', copyingData: true },
            // $literal: a name starting with '$' must not be read as a field path
            operationType: { $literal: 'insert' },
            ns: { db: { $literal: ns.db }, coll: { $literal: ns.coll } },
            documentKey: { _id: '$_id' },
            fullDocument: '$$ROOT',
          },
        },
      },
      // the user's change-stream pipeline filters copied documents exactly as it filters inserts
      ...s.pipeline,
    ];
    const cursor = this.client
      .db(ns.db)
      .collection(ns.coll)
      .aggregate(pipeline, {
        allowDiskUse: s.copyAllowDiskUse,
        promoteValues: false,
        ...(s.cursorBatchSize > 0 ? { batchSize: s.cursorBatchSize } : {}),
      });
    return { next: () => cursor.next(), close: () => cursor.close() };
  }

  close(): Promise<void> {
    this.closing ??= this.client.close();
    return this.closing;
  }
}
