import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncMode } from '../../src/storage/embedded/embedded-log.js';
import { EmbeddedLog } from '../../src/storage/embedded/embedded-log.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/produce-until-killed.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/storage/embedded/embedded-log.js', import.meta.url));
const SOURCE = fileURLToPath(new URL('../../src/storage/embedded/embedded-log.ts', import.meta.url));

interface Ack {
  partition: number;
  offset: number;
  seq: number;
}

/**
 * Runs the fixture until it has acknowledged at least `minAcks` records (after `first` from the
 * start), then SIGKILLs it mid-stream and returns every acknowledgement it printed.
 */
async function produceThenKill(dataDir: string, sync: SyncMode, firstSeq: number, minAcks: number): Promise<Ack[]> {
  const child = spawn(process.execPath, [FIXTURE, dataDir, sync, String(firstSeq)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let acked = 0;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fixture produced only ${acked} acks in 60 s; stderr: ${stderr}`)), 60_000);
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        stdout += text;
        acked += text.split('\n').filter((l) => l.startsWith('ack ')).length;
        if (acked >= minAcks) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`fixture exited early with code ${code}; stderr: ${stderr}`));
      });
    });
  } finally {
    // Killed while it is still producing: the next batch is in flight.
    child.kill('SIGKILL');
  }
  const { signal } = await exited;
  expect(signal).toBe('SIGKILL');
  // Whatever reached the pipe before the kill was printed after its ack; a torn last line is dropped.
  return stdout
    .split('\n')
    .filter((line) => /^ack \d+ \d+ \d+$/.test(line))
    .map((line) => {
      const [, partition, offset, seq] = line.split(' ');
      return { partition: Number(partition), offset: Number(offset), seq: Number(seq) };
    });
}

/** Reads every record of the crash topic back, asserting each partition is gap-free from offset 0. */
async function readBack(dataDir: string): Promise<Map<string, number>> {
  const log = await EmbeddedLog.open({ dataDir, compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
  try {
    const stored = new Map<string, number>();
    const ends = await log.endOffsets('crash');
    for (let partition = 0; partition < ends.length; partition++) {
      let next = 0;
      let lastSeq = -1;
      for (;;) {
        const batch = await log.fetch('crash', partition, next, { maxRecords: 5000 });
        if (batch.length === 0) break;
        for (const record of batch) {
          expect(record.offset).toBe(next);
          const seq = Number(record.value?.toString());
          expect(record.headers).toEqual([{ key: 'seq', value: Buffer.from(String(seq)) }]);
          // Within a partition, records appear in the order they were produced.
          expect(seq).toBeGreaterThan(lastSeq);
          lastSeq = seq;
          stored.set(`${partition}:${record.offset}`, seq);
          next++;
        }
      }
      expect(next).toBe(ends[partition]);
    }
    return stored;
  } finally {
    await log.close();
  }
}

beforeAll(() => {
  if (!existsSync(BUILT)) {
    throw new Error(`${BUILT} is missing: build the worker first with \`npx tsc -b worker\` (from the repository root)`);
  }
  if (statSync(BUILT).mtimeMs < statSync(SOURCE).mtimeMs) {
    console.warn(`\n!!! ${BUILT} is older than its source; the crash fixture runs the BUILT code. Run \`npx tsc -b worker\`.\n`);
  }
});

describe.each<SyncMode>(['full', 'normal'])('embedded log with sync=%s', (sync) => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), `sluice-crash-${sync}-`));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged record, in order, across repeated kill -9 of the producing process', async () => {
    const acks: Ack[] = [];
    let nextSeq = 0;
    for (let round = 0; round < 3; round++) {
      const roundAcks = await produceThenKill(dataDir, sync, nextSeq, 1500);
      expect(roundAcks.length).toBeGreaterThanOrEqual(1500);
      acks.push(...roundAcks);
      // Sequence numbers restart above anything the killed process may have written unacknowledged.
      nextSeq = Math.max(...acks.map((a) => a.seq)) + 1_000_000;

      const stored = await readBack(dataDir);
      const missing = acks.filter((a) => stored.get(`${a.partition}:${a.offset}`) !== a.seq);
      expect(missing, `acknowledged records lost or changed after round ${round}`).toEqual([]);
      // Unacknowledged extras may exist (committed before the ack was printed) but only a batch's worth per round.
      expect(stored.size - acks.length).toBeLessThanOrEqual((round + 1) * 64);
    }
  });

  it('continues offsets after the crash without reusing any', async () => {
    const log = await EmbeddedLog.open({ dataDir, sync, compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
    try {
      const ends = await log.endOffsets('crash');
      const acks = await log.produce('crash', [0, 1, 2].map((partition) => ({ key: null, value: Buffer.from('after'), partition })));
      expect(acks.map((a) => a.offset)).toEqual(ends);
    } finally {
      await log.close();
    }
  });
});
