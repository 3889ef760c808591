import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

describe('config providers', () => {
  let worker: WorkerProcess;
  let dir: string;
  let secrets: string;
  beforeAll(async () => {
    dir = tempDir('providers');
    secrets = path.join(dir, 'secrets');
    mkdirSync(secrets);
    worker = await startWorkerProcess({
      dataDir: path.join(dir, 'data'),
      env: { SLUICE_CONFIG_PROVIDERS_ALLOWED_PATHS: secrets, PROVIDER_TEST_TOPIC: 'from-env' },
    });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
  });

  it('stores ${env:…} and ${file:…} references unresolved and resolves them only when tasks start', async () => {
    const input = path.join(dir, 'in.txt');
    writeFileSync(input, '');
    writeFileSync(path.join(secrets, 'source.properties'), `input.file=${input}\n`);
    const created = await http(worker.url + '/connectors', 'POST', {
      name: 'provided',
      config: {
        'connector.class': 'FileStreamSource',
        file: `\${file:${path.join(secrets, 'source.properties')}:input.file}`,
        topic: '${env:PROVIDER_TEST_TOPIC}',
      },
    });
    expect(created.status).toBe(201);
    const config = (await http(worker.url + '/connectors/provided/config', 'GET')).body;
    expect(config.topic).toBe('${env:PROVIDER_TEST_TOPIC}');
    expect(config.file).toContain('${file:');
    await waitFor(async () => (await http(worker.url + '/connectors/provided/status', 'GET')).body?.tasks?.[0]?.state === 'RUNNING');
    // Task configs keep the references too (reverse transformation): no resolved value is stored.
    const tasks = (await http(worker.url + '/connectors/provided/tasks', 'GET')).body;
    expect(JSON.stringify(tasks)).not.toContain(input);
    expect(JSON.stringify(tasks)).not.toContain('from-env');
    // The resolved values are in effect: data flows from the file to the topic named by the variable.
    const output = path.join(dir, 'out.txt');
    await http(worker.url + '/connectors', 'POST', {
      name: 'provided-sink',
      config: { 'connector.class': 'FileStreamSink', file: output, topics: 'from-env' },
    });
    appendFileSync(input, 'resolved\n');
    await waitFor(async () => {
      const { readFileSync, existsSync } = await import('node:fs');
      return existsSync(output) && readFileSync(output, 'utf8').includes('resolved');
    }, 30_000, 'data through the resolved file and topic');
  });

  it('fails the task, naming the key, when a file reference points outside the allowed paths', async () => {
    const created = await http(worker.url + '/connectors', 'POST', {
      name: 'escape',
      config: { 'connector.class': 'FileStreamSource', file: '${file:/etc/passwd:root}', topic: 't-escape' },
    });
    expect(created.status).toBe(201);
    const st = await waitFor(async () => {
      const s = (await http(worker.url + '/connectors/escape/status', 'GET')).body;
      return s?.connector?.state === 'FAILED' ? s : null;
    });
    expect(st.connector.trace).toContain('file');
    expect(st.connector.trace).not.toContain('root:x:');
  });
});
