import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

describe('standalone state across restarts', () => {
  let worker: WorkerProcess | undefined;
  afterEach(async () => {
    await worker?.kill('SIGKILL');
    worker = undefined;
  });

  it('keeps configs and paused / stopped target states across a restart', async () => {
    const dir = tempDir('state');
    const dataDir = path.join(dir, 'data');
    const input = path.join(dir, 'in.txt');
    writeFileSync(input, 'a\nb\n');
    worker = await startWorkerProcess({ dataDir });
    const mk = (name: string, extra: Record<string, string> = {}) =>
      http(worker!.url + '/connectors', 'POST', {
        name,
        config: { 'connector.class': 'FileStreamSource', file: input, topic: `t-${name}`, ...extra },
      });
    expect((await mk('running')).status).toBe(201);
    expect((await mk('paused')).status).toBe(201);
    expect((await mk('stopped')).status).toBe(201);
    const created = await http(worker.url + '/connectors', 'POST', {
      name: 'born-stopped',
      initial_state: 'STOPPED',
      config: { 'connector.class': 'FileStreamSource', file: input, topic: 't-born' },
    });
    expect(created.status).toBe(201);
    expect((await http(worker.url + '/connectors/paused/pause', 'PUT')).status).toBe(202);
    expect((await http(worker.url + '/connectors/stopped/stop', 'PUT')).status).toBe(204);
    const put = await http(worker.url + '/connectors/running/config', 'PUT', {
      'connector.class': 'FileStreamSource',
      file: input,
      topic: 't-running-v2',
    });
    expect(put.status).toBe(200);

    const state = async (name: string) => (await http(worker!.url + `/connectors/${name}/status`, 'GET')).body;
    await waitFor(async () => (await state('paused'))?.tasks?.[0]?.state === 'PAUSED', 20_000, 'paused task');
    await waitFor(async () => (await state('stopped'))?.connector?.state === 'STOPPED', 20_000, 'stopped connector');

    expect(await worker.kill('SIGTERM')).toBe(0);
    worker = await startWorkerProcess({ dataDir });

    const names = (await http(worker.url + '/connectors', 'GET')).body;
    expect(names.sort()).toEqual(['born-stopped', 'paused', 'running', 'stopped']);
    expect((await http(worker.url + '/connectors/running/config', 'GET')).body.topic).toBe('t-running-v2');
    await waitFor(async () => (await state('running'))?.tasks?.[0]?.state === 'RUNNING', 20_000, 'running task');
    await waitFor(async () => (await state('paused'))?.connector?.state === 'PAUSED', 20_000, 'paused connector');
    await waitFor(async () => (await state('paused'))?.tasks?.[0]?.state === 'PAUSED', 20_000, 'paused task');
    const stopped = await state('stopped');
    expect(stopped.connector.state).toBe('STOPPED');
    expect(stopped.tasks).toEqual([]);
    expect((await state('born-stopped')).connector.state).toBe('STOPPED');
    expect((await http(worker.url + '/connectors/stopped/tasks', 'GET')).body).toEqual([]);

    // Resuming a stopped connector regenerates its tasks.
    expect((await http(worker.url + '/connectors/stopped/resume', 'PUT')).status).toBe(202);
    await waitFor(async () => (await state('stopped'))?.tasks?.[0]?.state === 'RUNNING', 20_000, 'resumed task');
  });
});

describe("standalone: a source connector's own offsets topic", () => {
  let worker: WorkerProcess | undefined;
  afterEach(async () => {
    await worker?.kill('SIGKILL');
    worker = undefined;
  });

  it('keeps its offsets in offsets.storage.topic on the embedded log and resumes from them after a kill', async () => {
    const dir = tempDir('own-offsets');
    const dataDir = path.join(dir, 'data');
    const input = path.join(dir, 'in.txt');
    const output = path.join(dir, 'out.txt');
    writeFileSync(input, Array.from({ length: 50 }, (_, i) => `l${i}`).join('\n') + '\n');
    const env = { SLUICE_OFFSET_FLUSH_INTERVAL_MS: '200' };
    worker = await startWorkerProcess({ dataDir, env });
    const source = { 'connector.class': 'FileStreamSource', file: input, topic: 'own', 'offsets.storage.topic': 'own-source-offsets' };
    expect((await http(worker.url + '/connectors', 'POST', { name: 'src', config: source })).status).toBe(201);
    const end = readFileSync(input).length;
    const position = async (w: WorkerProcess) => (await http(w.url + '/connectors/src/offsets', 'GET')).body?.offsets?.[0]?.offset?.position;
    await waitFor(async () => (await position(worker!)) === end, 30_000, 'the offset committed');
    await worker.kill('SIGKILL');
    worker = await startWorkerProcess({ dataDir, env });
    expect(await position(worker)).toBe(end);
    // the topic holds each line once: the restarted task did not read the file again
    const sink = { 'connector.class': 'FileStreamSink', file: output, topics: 'own' };
    expect((await http(worker.url + '/connectors', 'POST', { name: 'sink', config: sink })).status).toBe(201);
    await waitFor(() => existsSync(output) && readFileSync(output, 'utf8').split('\n').filter(Boolean).length >= 50, 30_000, 'the topic copied out');
    await new Promise((r) => setTimeout(r, 500));
    expect(readFileSync(output, 'utf8').split('\n').filter(Boolean)).toEqual(Array.from({ length: 50 }, (_, i) => `l${i}`));
  });
});
