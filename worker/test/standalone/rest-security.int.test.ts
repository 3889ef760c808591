import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { http, startWorkerProcess, tempDir } from '../support/worker-process.js';

/** The worker applies REST security from its settings; traffic stays on 127.0.0.1 in every case. */
describe('REST listener security', () => {
  it('refuses to start on a listener reachable from other machines without authentication', async () => {
    const start = startWorkerProcess({
      dataDir: path.join(tempDir('sec-open'), 'data'),
      env: { SLUICE_LISTENERS: 'http://0.0.0.0:0' },
    });
    await expect(start).rejects.toThrow(/authentication/i);
  });

  it('requires the bearer token or basic credentials on such a listener, and answers 401 without', async () => {
    const worker = await startWorkerProcess({
      dataDir: path.join(tempDir('sec-auth'), 'data'),
      env: {
        SLUICE_LISTENERS: 'http://0.0.0.0:0',
        SLUICE_REST_AUTH_BEARER_TOKENS: 's3cret-token',
        SLUICE_REST_AUTH_BASIC_USERS: 'admin:pa55',
      },
    });
    try {
      const url = worker.url.replace('0.0.0.0', '127.0.0.1');
      const anonymous = await http(url + '/connectors', 'GET');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error_code).toBe(401);
      expect((await http(url + '/connectors', 'GET', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await http(url + '/connectors', 'GET', undefined, { authorization: 'Bearer s3cret-token' })).status).toBe(200);
      const basic = `Basic ${Buffer.from('admin:pa55').toString('base64')}`;
      expect((await http(url + '/connectors', 'GET', undefined, { authorization: basic })).status).toBe(200);
    } finally {
      await worker.kill('SIGKILL');
    }
  });

  it('starts open when the operator disables authentication explicitly, and says so in the log', async () => {
    const worker = await startWorkerProcess({
      dataDir: path.join(tempDir('sec-disabled'), 'data'),
      env: { SLUICE_LISTENERS: 'http://0.0.0.0:0', SLUICE_REST_AUTH_DISABLED: 'true' },
    });
    try {
      expect((await http(worker.url.replace('0.0.0.0', '127.0.0.1') + '/connectors', 'GET')).status).toBe(200);
      expect(worker.output()).toMatch(/authentication is disabled/i);
    } finally {
      await worker.kill('SIGKILL');
    }
  });

  it('runs without authentication on the loopback quick-start listener', async () => {
    const worker = await startWorkerProcess({ dataDir: path.join(tempDir('sec-loop'), 'data') });
    try {
      expect((await http(worker.url + '/connectors', 'GET')).status).toBe(200);
    } finally {
      await worker.kill('SIGKILL');
    }
  });

  it('serves /admin/* only on admin.listeners when set, and not at all when it is empty', async () => {
    const adminPort = 30_000 + Math.floor(Math.random() * 20_000);
    const worker = await startWorkerProcess({
      dataDir: path.join(tempDir('sec-admin'), 'data'),
      env: { SLUICE_ADMIN_LISTENERS: `http://127.0.0.1:${adminPort}` },
    });
    try {
      expect((await http(worker.url + '/admin/loggers', 'GET')).status).toBe(404);
      expect((await http(worker.url + '/connectors', 'GET')).status).toBe(200);
      const admin = await http(`http://127.0.0.1:${adminPort}/admin/loggers`, 'GET');
      expect(admin.status).toBe(200);
      expect(admin.body.root).toBeDefined();
      expect((await http(`http://127.0.0.1:${adminPort}/connectors`, 'GET')).status).toBe(404);
    } finally {
      await worker.kill('SIGKILL');
    }
    const noAdmin = await startWorkerProcess({ dataDir: path.join(tempDir('sec-noadmin'), 'data'), env: { SLUICE_ADMIN_LISTENERS: '' } });
    try {
      expect((await http(noAdmin.url + '/admin/loggers', 'GET')).status).toBe(404);
      expect((await http(noAdmin.url + '/connectors', 'GET')).status).toBe(200);
    } finally {
      await noAdmin.kill('SIGKILL');
    }
  });
});
