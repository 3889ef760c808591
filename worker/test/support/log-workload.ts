/**
 * Produce-and-verify workloads for fault tests of any `Log`: writers that keep producing while a test
 * breaks things, and checks that every acknowledged record is where its ack says.
 */
import { expect } from 'vitest';
import type { Log, LogRecord, ProduceAck } from '../../src/log/log.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A running `produceContinuously`. */
export interface ProduceRun {
  readonly acked: Map<string, ProduceAck>;
  readonly failures: unknown[];
  stop(): Promise<void>;
}

/**
 * Produces batches of 20 records from a few concurrent writers until stopped; remembers every ack.
 * Each writer pauses `pauseMs` between batches, so a test gets a steady stream rather than all the
 * machine can write (which only slows the faults and the verification down).
 */
export function produceContinuously(log: Log, topic: string, options: { writers?: number; pauseMs?: number } = {}): ProduceRun {
  const writers = options.writers ?? 4;
  const pauseMs = options.pauseMs ?? 5;
  const acked = new Map<string, ProduceAck>();
  const failures: unknown[] = [];
  let running = true;
  const loops = Array.from({ length: writers }, async (_, w) => {
    for (let batch = 0; running; batch++) {
      const values = Array.from({ length: 20 }, (_, i) => `w${w}-b${batch}-r${i}`);
      try {
        const acks = await log.produce(topic, values.map((v, i) => ({ key: Buffer.from(`w${w}-${i}`), value: Buffer.from(v) })));
        values.forEach((v, i) => acked.set(v, acks[i]!));
        if (pauseMs > 0) await sleep(pauseMs);
      } catch (err) {
        failures.push(err);
        await sleep(200);
      }
    }
  });
  return {
    acked,
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Every record of every partition, from offset 0 to the current end offsets. */
export async function readEverything(log: Log, topic: string): Promise<LogRecord[]> {
  const ends = await log.endOffsets(topic);
  const out: LogRecord[] = [];
  for (let p = 0; p < ends.length; p++) {
    let position = 0;
    while (position < ends[p]!) {
      const batch = await log.fetch(topic, p, position, { maxRecords: 2000 });
      if (batch.length === 0) break;
      out.push(...batch);
      position = batch[batch.length - 1]!.offset + 1;
    }
  }
  return out;
}

/** Each acknowledged record sits at its acknowledged partition/offset, and no value was written twice. */
export function expectAllAckedReadable(run: ProduceRun, records: LogRecord[]): void {
  const at = new Map(records.map((r) => [`${r.partition}/${r.offset}`, r.value!.toString()]));
  for (const [value, ack] of run.acked) expect(at.get(`${ack.partition}/${ack.offset}`)).toBe(value);
  // The idempotent producer's retries across the restart wrote nothing twice.
  const values = records.map((r) => r.value!.toString());
  expect(new Set(values).size).toBe(values.length);
}

