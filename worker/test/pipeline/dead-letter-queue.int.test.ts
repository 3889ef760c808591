import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { noopLogger } from '@sluice/core';
import { startStandalone, type RunningWorker } from '../../src/standalone.js';
import { tempDir, waitFor } from '../support/worker-process.js';

const TOTAL = 1000;
const good = (i: number) => JSON.stringify({ schema: { type: 'string', optional: false }, payload: `value-${i}` });
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : []);

/** Kafka Connect's test_skip_and_log_to_dlq scenario: every other record is malformed JSON. */
describe('sink error handling with a dead letter queue', () => {
  let worker: RunningWorker | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  async function setup(): Promise<{ dir: string; worker: RunningWorker }> {
    const dir = tempDir('dlq');
    const w = await startStandalone({ 'data.dir': path.join(dir, 'data'), listeners: 'http://127.0.0.1:0', 'offset.flush.interval.ms': '500' }, noopLogger);
    await w.log.createTopic({ name: 'input', partitions: 1 });
    await w.log.produce(
      'input',
      Array.from({ length: TOTAL }, (_, i) => ({
        key: Buffer.from(`key-${i}`),
        value: Buffer.from(i % 2 === 0 ? good(i) : `{not json ${i}`),
        headers: [{ key: 'origin', value: Buffer.from(`h-${i}`) }],
      })),
    );
    return { dir, worker: w };
  }

  it('fails the task at the first malformed record with errors.tolerance=none and writes nothing past it', async () => {
    const s = await setup();
    worker = s.worker;
    const out = path.join(s.dir, 'out.txt');
    await worker.herder.putConnectorConfig(
      'strict',
      { 'connector.class': 'FileStreamSink', file: out, topics: 'input', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter' },
      { allowReplace: false },
    );
    const status = await waitFor(async () => {
      const st = await worker!.herder.connectorStatus('strict').catch(() => null);
      return st?.tasks[0]?.state === 'FAILED' ? st : null;
    });
    expect(status.tasks[0]!.trace).toMatch(/JSON|json/);
    // Record 1 is the first bad one: at most record 0 may have been written.
    expect(lines(out).length).toBeLessThanOrEqual(1);
    expect(await worker.log.describeTopic('dlq')).toBeNull();
  });

  it('delivers every good record and puts exactly the bad ones, with context headers, in the DLQ with errors.tolerance=all', async () => {
    const s = await setup();
    worker = s.worker;
    const out = path.join(s.dir, 'out.txt');
    await worker.herder.putConnectorConfig(
      'tolerant',
      {
        'connector.class': 'FileStreamSink',
        file: out,
        topics: 'input',
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'errors.tolerance': 'all',
        'errors.log.enable': 'true',
        'errors.deadletterqueue.topic.name': 'dlq',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
      { allowReplace: false },
    );
    await waitFor(() => lines(out).length >= TOTAL / 2, 30_000, 'good records at the sink');
    expect(lines(out)).toEqual(Array.from({ length: TOTAL / 2 }, (_, i) => `value-${i * 2}`));
    const dlq = await waitFor(async () => {
      const d = await worker!.log.describeTopic('dlq');
      if (!d) return null;
      const records = await worker!.log.fetch('dlq', 0, 0, { maxRecords: 10_000 });
      return records.length >= TOTAL / 2 ? records : null;
    });
    expect(dlq.length).toBe(TOTAL / 2);
    for (const [n, r] of dlq.entries()) {
      const i = n * 2 + 1;
      expect(r.key?.toString()).toBe(`key-${i}`);
      expect(r.value?.toString()).toBe(`{not json ${i}`);
      const h = Object.fromEntries(r.headers.map((x) => [x.key, x.value?.toString()]));
      expect(h['origin']).toBe(`h-${i}`);
      expect(h['__connect.errors.topic']).toBe('input');
      expect(h['__connect.errors.partition']).toBe('0');
      expect(h['__connect.errors.offset']).toBe(String(i));
      expect(h['__connect.errors.connector.name']).toBe('tolerant');
      expect(h['__connect.errors.task.id']).toBe('0');
      expect(h['__connect.errors.stage']).toBe('VALUE_CONVERTER');
      expect(h['__connect.errors.class.name']).toBe('FileStreamSink');
      expect(h['__connect.errors.exception.message']).toBeTruthy();
      expect(h['__connect.errors.exception.stacktrace']).toContain(h['__connect.errors.exception.class.name']);
    }
    const st = await worker.herder.connectorStatus('tolerant');
    expect(st.tasks[0]!.state).toBe('RUNNING');
    const metrics = await fetch(worker.url + '/metrics').then((r) => r.text());
    const labels = 'connector="tolerant",task="0"';
    expect(metrics).toContain(`sluice_dead_letter_queue_records_total{${labels}} ${TOTAL / 2}`);
    expect(metrics).toContain(`sluice_records_skipped_total{${labels}} ${TOTAL / 2}`);
    expect(metrics).toContain(`sluice_record_errors_total{${labels},stage="VALUE_CONVERTER"} ${TOTAL / 2}`);
  });
});
