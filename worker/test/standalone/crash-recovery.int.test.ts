import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/storage/embedded/embedded-log.js';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

const TOTAL = 20_000;
const readLines = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : [];
const seq = (line: string): number => Number(line.split(' ')[0]);

async function createPipeline(url: string, input: string, output: string): Promise<void> {
  const s = await http(url + '/connectors', 'POST', {
    name: 'src',
    config: { 'connector.class': 'FileStreamSource', file: input, topic: 'numbers', 'batch.size': '200' },
  });
  expect(s.status).toBe(201);
  const k = await http(url + '/connectors', 'POST', {
    name: 'snk',
    config: { 'connector.class': 'FileStreamSink', file: output, topics: 'numbers' },
  });
  expect(k.status).toBe(201);
}

/**
 * The sink output must contain every sequence number; after a crash the pipeline may rewind once per
 * stage to its last committed offset, so each value is followed by the next one, or by a restart
 * from an earlier value (a duplicate run), never by a gap.
 */
function checkNoLoss(out: string[]): { duplicates: number } {
  const values = out.map(seq);
  const seen = new Set(values);
  for (let i = 0; i < TOTAL; i++) if (!seen.has(i)) throw new Error(`sequence number ${i} lost`);
  for (let i = 1; i < values.length; i++) {
    if (values[i]! > values[i - 1]! + 1) throw new Error(`gap after ${values[i - 1]}: next is ${values[i]}`);
  }
  return { duplicates: values.length - seen.size };
}

describe('standalone crash recovery', () => {
  let worker: WorkerProcess | undefined;
  afterEach(async () => {
    await worker?.kill('SIGKILL');
    worker = undefined;
  });

  it('loses nothing after kill -9 mid-stream; duplicates come only from after the last offset flush', async () => {
    const dir = tempDir('kill9');
    const input = path.join(dir, 'in.txt');
    const output = path.join(dir, 'out.txt');
    const payload = 'p'.repeat(80);
    writeFileSync(input, Array.from({ length: TOTAL }, (_, i) => `${i} ${payload}`).join('\n') + '\n');
    const env = { SLUICE_OFFSET_FLUSH_INTERVAL_MS: '200' };
    worker = await startWorkerProcess({ dataDir: path.join(dir, 'data'), env });
    await createPipeline(worker.url, input, output);
    await waitFor(() => readLines(output).length > 2_000, 60_000, 'data flowing');
    expect(await worker.kill('SIGKILL')).toBe('SIGKILL');
    const atCrash = readLines(output).length;
    expect(atCrash).toBeLessThan(TOTAL);

    // What was committed at the moment of the crash: the sink group's offset and the source position.
    const log = await EmbeddedLog.open({ dataDir: path.join(dir, 'data') });
    const [endAtCrash] = await log.endOffsets('numbers');
    const committedSink = (await log.fetchGroupOffsets('connect-snk')).find((o) => o.topic === 'numbers')?.offset ?? 0;
    let sourcePosition = 0;
    for (let p = 0; p < 25; p++) {
      for (const r of await log.fetch('connect-offsets', p, 0, { maxRecords: 100_000 })) {
        if (r.key?.toString().startsWith('["src"') && r.value) sourcePosition = JSON.parse(r.value.toString()).position;
      }
    }
    await log.close();
    const committedLines = readFileSync(input).subarray(0, sourcePosition).toString().split('\n').length - 1;

    worker = await startWorkerProcess({ dataDir: path.join(dir, 'data'), env });
    await waitFor(() => new Set(readLines(output).map(seq)).size >= TOTAL, 90_000, 'all records after restart');
    await new Promise((r) => setTimeout(r, 1000));
    const out = readLines(output);
    const { duplicates } = checkNoLoss(out);
    // Source: records after the last flushed position are produced again, nothing else.
    const log2Topic = endAtCrash! + (TOTAL - committedLines);
    // Sink: lines after the last committed offset are written again, nothing else.
    expect(out.length).toBe(atCrash + (log2Topic - committedSink));
    expect(duplicates).toBe(out.length - TOTAL);
    console.log(
      `kill -9 at ${atCrash} sink lines; committed: source line ${committedLines}, sink offset ${committedSink}, ` +
        `topic end ${endAtCrash}; duplicates after restart: ${duplicates}`,
    );
  });

  it('has no duplicates after SIGTERM and restart', async () => {
    const dir = tempDir('sigterm');
    const input = path.join(dir, 'in.txt');
    const output = path.join(dir, 'out.txt');
    writeFileSync(input, Array.from({ length: TOTAL }, (_, i) => `${i} ${'q'.repeat(80)}`).join('\n') + '\n');
    worker = await startWorkerProcess({ dataDir: path.join(dir, 'data'), env: { SLUICE_OFFSET_FLUSH_INTERVAL_MS: '60000' } });
    await createPipeline(worker.url, input, output);
    await waitFor(() => readLines(output).length > 2_000, 60_000, 'data flowing');
    expect(await worker.kill('SIGTERM')).toBe(0);
    expect(readLines(output).length).toBeLessThan(TOTAL);

    worker = await startWorkerProcess({ dataDir: path.join(dir, 'data') });
    await waitFor(() => readLines(output).length >= TOTAL, 90_000, 'all records after restart');
    await new Promise((r) => setTimeout(r, 500));
    const values = readLines(output).map(seq);
    expect(values).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
  });
});
