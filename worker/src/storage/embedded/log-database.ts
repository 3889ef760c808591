import Database from 'better-sqlite3';
import { IllegalStateError } from '@sluice/core';

/**
 * How far an acknowledged append is guaranteed to survive.
 * - `full`: `PRAGMA synchronous=FULL` — the WAL is fsynced on every commit, so acknowledged records
 *   survive a process crash, a kernel panic and a power loss (given honest disks).
 * - `normal`: `PRAGMA synchronous=NORMAL` — commits reach the OS page cache but are fsynced only at
 *   checkpoints, so acknowledged records survive a process crash (`kill -9`) but the newest ones
 *   may be lost on power loss or an OS crash. Several times faster for small batches.
 */
export type SyncMode = 'full' | 'normal';

/** File name of the database inside a data directory. */
export const DATABASE_FILE = 'log.db';

const SCHEMA_VERSION = 1;

// Offsets are kept per partition in `partitions.next_offset`, not derived from MAX(offset), so that
// compaction or retention deleting the tail never lets an offset be handed out twice.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL UNIQUE,
  partitions INTEGER NOT NULL,
  configs    TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS partitions (
  topic_id    INTEGER NOT NULL,
  partition   INTEGER NOT NULL,
  next_offset INTEGER NOT NULL,
  PRIMARY KEY (topic_id, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
  topic_id  INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  "offset"  INTEGER NOT NULL,
  key       BLOB,
  value     BLOB,
  headers   BLOB,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (topic_id, partition, "offset")
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offsets (
  group_id     TEXT    NOT NULL,
  topic        TEXT    NOT NULL,
  partition    INTEGER NOT NULL,
  "offset"     INTEGER NOT NULL,
  metadata     TEXT,
  committed_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
) WITHOUT ROWID;
`;

/**
 * Opens (creating if needed) the log database at `file` in WAL mode with the given durability, and
 * takes SQLite's exclusive lock on it for the life of the connection. The kernel drops that lock when
 * the process dies, so it cannot go stale. Throws an IllegalStateError when another process holds
 * the database, or when the file was written by a newer schema version.
 */
export function openLogDatabase(file: string, sync: SyncMode): Database.Database {
  const db = new Database(file, { timeout: 1000 });
  try {
    // Must precede the first WAL access: in exclusive mode SQLite keeps the WAL index in heap
    // memory (no -shm file) and holds the file lock until the connection closes.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw new IllegalStateError(`Could not switch ${file} to WAL mode (got ${String(mode)})`);
    }
    db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    // macOS only (no-ops elsewhere): plain fsync there does not flush the drive's cache.
    db.pragma(`fullfsync = ${sync === 'full' ? 'ON' : 'OFF'}`);
    db.pragma(`checkpoint_fullfsync = ${sync === 'full' ? 'ON' : 'OFF'}`);
    db.pragma('foreign_keys = OFF');
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_VERSION) {
      throw new IllegalStateError(
        `${file} has schema version ${version}, newer than this Sluice understands (${SCHEMA_VERSION}); upgrade Sluice`,
      );
    }
    // An immediate transaction takes the write lock now, so a second owner fails at open, not at its first write.
    db.transaction(() => {
      db.exec(SCHEMA);
      if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new IllegalStateError(`Log database ${file} is locked by another process`, { cause: err, context: { file } });
    }
    throw err;
  }
}
