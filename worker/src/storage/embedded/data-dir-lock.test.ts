import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@sluice/core';
import { IllegalStateError, noopLogger } from '@sluice/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLock, LOCK_FILE, isProcessAlive } from './data-dir-lock.js';
import { EmbeddedLog } from './embedded-log.js';

const require = createRequire(import.meta.url);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-lock-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A pid that existed a moment ago and has exited (a recycled pid within the test is very unlikely). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(isProcessAlive(child.pid!)).toBe(false);
  return child.pid!;
}

function recordingLogger(): { logger: Logger; warnings: { msg: string; fields?: Record<string, unknown> }[] } {
  const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = { ...noopLogger, warn: (msg, fields) => warnings.push({ msg, fields }), child: () => logger };
  return { logger, warnings };
}

describe('DataDirLock', () => {
  it('writes the owner pid and removes the file on release', () => {
    const lock = DataDirLock.acquire(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a directory locked by another live process, naming the directory and pid', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, LOCK_FILE), `${sleeper.pid}\n`);
      let error: unknown;
      try {
        DataDirLock.acquire(dir);
      } catch (err) {
        error = err;
      }
      expect(IllegalStateError.is(error)).toBe(true);
      expect((error as Error).message).toContain(dir);
      expect((error as Error).message).toContain(String(sleeper.pid));
      // The live owner's lock is left in place.
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(sleeper.pid));
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a dead process and warns about it', () => {
    const stale = deadPid();
    writeFileSync(join(dir, LOCK_FILE), `${stale}\n`);
    const { logger, warnings } = recordingLogger();
    const lock = DataDirLock.acquire(dir, logger);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(warnings).toEqual([expect.objectContaining({ fields: expect.objectContaining({ stalePid: stale }) })]);
    lock.release();
  });

  it('treats an unreadable lock file as stale', () => {
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    const lock = DataDirLock.acquire(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('does not remove a lock file that another process has since taken', () => {
    const lock = DataDirLock.acquire(dir);
    writeFileSync(join(dir, LOCK_FILE), '1\n');
    lock.release();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe('1');
  });
});

describe('EmbeddedLog data directory ownership', () => {
  it('refuses a second open of the same directory while the first is open, and allows it after close', async () => {
    const first = await EmbeddedLog.open({ dataDir: dir, compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
    await expect(EmbeddedLog.open({ dataDir: dir })).rejects.toSatisfy(
      (err: unknown) => IllegalStateError.is(err) && err.message.includes(String(process.pid)) && err.message.includes(dir),
    );
    await first.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const second = await EmbeddedLog.open({ dataDir: dir, compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
    await second.close();
  });

  it('opens a directory whose lock names a dead process, keeping its data', async () => {
    const first = await EmbeddedLog.open({ dataDir: dir, compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
    await first.createTopic({ name: 't', partitions: 1 });
    await first.produce('t', [{ key: null, value: Buffer.from('kept') }]);
    await first.close();
    writeFileSync(join(dir, LOCK_FILE), `${deadPid()}\n`);
    const { logger, warnings } = recordingLogger();
    const reopened = await EmbeddedLog.open({ dataDir: dir, logger, compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
    try {
      expect(warnings.some((w) => w.msg.includes('stale'))).toBe(true);
      expect((await reopened.fetch('t', 0, 0)).map((r) => r.value?.toString())).toEqual(['kept']);
    } finally {
      await reopened.close();
    }
  });

  it('refuses the database itself when another process holds it, even without a lock file', async () => {
    const script = `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(join(dir, 'log.db'))});
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.exec('BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS x(y); COMMIT');
      process.stdout.write('locked\\n');
      setTimeout(() => {}, 30000);`;
    const holder = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`lock holder exited early with ${code}`)));
      });
      await expect(EmbeddedLog.open({ dataDir: dir })).rejects.toSatisfy(
        (err: unknown) => IllegalStateError.is(err) && err.message.includes('locked by another process'),
      );
      // The failed open must not leave our lock file behind.
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
