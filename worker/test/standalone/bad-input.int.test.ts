import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startWorkerProcess, tempDir, type WorkerProcess } from '../support/worker-process.js';

describe('bad input over HTTP', () => {
  let worker: WorkerProcess;
  let input: string;
  beforeAll(async () => {
    const dir = tempDir('badinput');
    input = path.join(dir, 'in.txt');
    worker = await startWorkerProcess({ dataDir: path.join(dir, 'data') });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
  });

  const connectors = async () => (await http(worker.url + '/connectors', 'GET')).body as string[];

  it('rejects a config without connector.class with 400 naming the field, storing nothing', async () => {
    const r = await http(worker.url + '/connectors', 'POST', { name: 'no-class', config: { file: input, topic: 't' } });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe(400);
    expect(r.body.message).toContain('connector.class');
    expect(await connectors()).not.toContain('no-class');
  });

  it('rejects an unknown connector class with 400 naming the class', async () => {
    const r = await http(worker.url + '/connectors', 'POST', {
      name: 'unknown',
      config: { 'connector.class': 'com.example.NoSuchConnector', topic: 't' },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('com.example.NoSuchConnector');
    expect(await connectors()).not.toContain('unknown');
  });

  it('rejects values of the wrong type with 400 naming the field', async () => {
    const r = await http(worker.url + '/connectors', 'POST', {
      name: 'wrong-type',
      config: { 'connector.class': 'FileStreamSource', file: input, topic: 't', 'tasks.max': 'many', 'batch.size': '-5' },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('tasks.max');
    expect(r.body.message).toContain('batch.size');
    expect(await connectors()).not.toContain('wrong-type');
  });

  it('rejects a missing required connector key with 400 naming it', async () => {
    const r = await http(worker.url + '/connectors', 'POST', {
      name: 'no-topic',
      config: { 'connector.class': 'FileStreamSource', file: input },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('topic');
    expect(await connectors()).not.toContain('no-topic');
  });

  it('rejects an offsets.storage.topic that is not a legal topic name with 400 naming it', async () => {
    const r = await http(worker.url + '/connectors', 'POST', {
      name: 'bad-offsets-topic',
      config: { 'connector.class': 'FileStreamSource', file: input, topic: 't', 'offsets.storage.topic': 'my offsets!' },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/offsets\.storage\.topic.*must match the pattern/);
    expect(await connectors()).not.toContain('bad-offsets-topic');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const r = await http(worker.url + '/connectors', 'POST', '{"name": "broken", "config": {');
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe(400);
    expect(await connectors()).not.toContain('broken');
  });

  it('answers a duplicate name with 409 and keeps the original config', async () => {
    const first = await http(worker.url + '/connectors', 'POST', {
      name: 'dup',
      config: { 'connector.class': 'FileStreamSource', file: input, topic: 'first' },
    });
    expect(first.status).toBe(201);
    const second = await http(worker.url + '/connectors', 'POST', {
      name: 'dup',
      config: { 'connector.class': 'FileStreamSource', file: input, topic: 'second' },
    });
    expect(second.status).toBe(409);
    expect(second.body.message).toContain('dup');
    expect((await http(worker.url + '/connectors/dup/config', 'GET')).body.topic).toBe('first');
  });

  it('validates a config without storing it, listing every error', async () => {
    const r = await http(worker.url + '/connector-plugins/FileStreamSource/config/validate', 'PUT', {
      'connector.class': 'FileStreamSource',
      'tasks.max': 'x',
    });
    expect(r.status).toBe(200);
    expect(r.body.error_count).toBeGreaterThanOrEqual(2);
    const errs = r.body.configs.filter((c: any) => c.value?.errors.length > 0).map((c: any) => c.value.name);
    expect(errs).toEqual(expect.arrayContaining(['tasks.max', 'topic', 'name']));
  });

  it('answers unknown connectors with 404', async () => {
    expect((await http(worker.url + '/connectors/nope', 'GET')).status).toBe(404);
    expect((await http(worker.url + '/connectors/nope/status', 'GET')).status).toBe(404);
    expect((await http(worker.url + '/connectors/nope', 'DELETE')).status).toBe(404);
  });
});
