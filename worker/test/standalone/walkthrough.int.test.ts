import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

const lines = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : [];

describe('README walk-through, automated', () => {
  let worker: WorkerProcess | undefined;
  afterEach(async () => {
    await worker?.kill('SIGKILL');
    worker = undefined;
  });

  it('moves every line from a file source to a file sink in order', async () => {
    const dir = tempDir('walkthrough');
    const input = path.join(dir, 'input.txt');
    const output = path.join(dir, 'output.txt');
    writeFileSync(input, '');
    worker = await startWorkerProcess({ dataDir: path.join(dir, 'data') });

    const root = await http(worker.url + '/', 'GET');
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ version: expect.any(String), commit: expect.any(String), kafka_cluster_id: expect.any(String) });

    const source = await http(worker.url + '/connectors', 'POST', {
      name: 'local-file-source',
      config: { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: input, topic: 'connect-test' },
    });
    expect(source.status).toBe(201);
    expect(source.body).toMatchObject({ name: 'local-file-source', type: 'source' });
    const sink = await http(worker.url + '/connectors', 'POST', {
      name: 'local-file-sink',
      config: { 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: output, topics: 'connect-test' },
    });
    expect(sink.status).toBe(201);

    const expected: string[] = [];
    for (let i = 0; i < 500; i++) expected.push(`line ${i} ${'x'.repeat(i % 50)}`);
    appendFileSync(input, expected.slice(0, 250).join('\n') + '\n');
    appendFileSync(input, expected.slice(250).join('\n') + '\n');

    await waitFor(() => lines(output).length >= expected.length, 30_000, 'all lines in the sink file');
    expect(lines(output)).toEqual(expected);

    const status = await waitFor(async () => {
      const r = await http(worker!.url + '/connectors/local-file-sink/status', 'GET');
      return r.body?.tasks?.[0]?.state === 'RUNNING' ? r : null;
    });
    expect(status.body).toMatchObject({
      name: 'local-file-sink',
      connector: { state: 'RUNNING', worker_id: expect.stringMatching(/^127\.0\.0\.1:\d+$/) },
      tasks: [{ id: 0, state: 'RUNNING' }],
      type: 'sink',
    });
    // Prometheus metrics match the records moved.
    const metrics = await fetch(worker.url + '/metrics').then((r) => r.text());
    const value = (name: string, labels: string) => {
      const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    expect(value('sluice_source_records_polled_total', 'connector="local-file-source",task="0"')).toBe(expected.length);
    expect(value('sluice_source_records_written_total', 'connector="local-file-source",task="0"')).toBe(expected.length);
    expect(value('sluice_sink_records_read_total', 'connector="local-file-sink",task="0"')).toBe(expected.length);
    expect(value('sluice_sink_records_put_total', 'connector="local-file-sink",task="0"')).toBe(expected.length);
    expect(value('sluice_task_state', 'connector="local-file-sink",task="0",state="RUNNING"')).toBe(1);
    expect(value('sluice_task_state', 'connector="local-file-sink",task="0",state="FAILED"')).toBe(0);

    // Active topics (KIP-558) and runtime log levels (KIP-495).
    expect((await http(worker.url + '/connectors/local-file-sink/topics', 'GET')).body).toEqual({ 'local-file-sink': { topics: ['connect-test'] } });
    expect((await http(worker.url + '/connectors/local-file-source/topics', 'GET')).body).toEqual({ 'local-file-source': { topics: ['connect-test'] } });
    expect((await http(worker.url + '/connectors/local-file-source/topics/reset', 'PUT')).status).toBe(202);
    expect((await http(worker.url + '/connectors/local-file-source/topics', 'GET')).body).toEqual({ 'local-file-source': { topics: [] } });
    const before = (await http(worker.url + '/admin/loggers', 'GET')).body;
    expect(before.root.last_modified).toBeNull();
    const put = await http(worker.url + '/admin/loggers/connector.local-file-sink', 'PUT', { level: 'DEBUG' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(['connector.local-file-sink']);
    const after = (await http(worker.url + '/admin/loggers', 'GET')).body;
    expect(after['connector.local-file-sink']).toEqual({ level: 'DEBUG', last_modified: expect.any(Number) });

    const list = await http(worker.url + '/connectors?expand=status&expand=info', 'GET');
    expect(Object.keys(list.body).sort()).toEqual(['local-file-sink', 'local-file-source']);
    expect(list.body['local-file-source'].info.config.file).toBe(input);
  });
});
