import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@sluice/core';
import { IllegalStateError, noopLogger } from '@sluice/core';

/** Name of the lock file inside a data directory. */
export const LOCK_FILE = 'LOCK';

/**
 * True when a process with this pid exists (EPERM means it exists but belongs to someone else).
 * A zombie or a recycled pid also counts as alive: refusing to start is the safe mistake.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks a data directory as owned by this process: `<dataDir>/LOCK` holds the owner's pid. It is the
 * readable half of the ownership check (it names who holds the directory); the database itself is
 * also opened in SQLite's exclusive locking mode, which the kernel releases when a process dies.
 */
export class DataDirLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly pid: number,
  ) {}

  /**
   * Takes the lock of `dataDir` (which must exist) for the current process. Rejects with an
   * IllegalStateError naming the directory and the owner's pid while a live process holds it; takes
   * over a lock left by a dead process, logging a warning. Synchronous; does not block on the owner.
   */
  static acquire(dataDir: string, logger: Logger = noopLogger): DataDirLock {
    const path = join(dataDir, LOCK_FILE);
    const pid = process.pid;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (tryCreate(path, pid)) return new DataDirLock(path, pid);
      const owner = readOwner(path);
      if (owner === undefined) continue; // removed between our create and read: try again
      if (owner !== null && isProcessAlive(owner)) {
        throw new IllegalStateError(
          `Data directory ${dataDir} is locked by process ${owner}${owner === pid ? ' (this process)' : ''}; ` +
            `stop that process or use another data directory`,
          { context: { dataDir, pid: owner } },
        );
      }
      logger.warn('Taking over a stale data directory lock', { dataDir, stalePid: owner });
      // Rename rather than unlink so a racing process sees ENOENT and retries the exclusive create.
      // This narrows the race but cannot close it; the database's exclusive lock is the real guard.
      try {
        renameSync(path, `${path}.stale-${pid}`);
        unlinkSync(`${path}.stale-${pid}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new IllegalStateError(`Could not lock data directory ${dataDir}: the lock file keeps changing`, {
      context: { dataDir },
    });
  }

  /** Removes the lock file if it still names this process. Idempotent; never throws. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (readOwner(this.path) === this.pid) unlinkSync(this.path);
    } catch {
      // Nothing useful to do: a leftover lock naming a dead pid is taken over on the next open.
    }
  }
}

function tryCreate(path: string, pid: number): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${pid}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The pid in the lock file; null when unreadable garbage (treated as stale); undefined when the file is gone. */
function readOwner(path: string): number | null | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
