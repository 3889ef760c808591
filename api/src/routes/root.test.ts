import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder } from '../../test/support/fake-herder.js';

describe('GET /', () => {
  it('returns ServerInfo as application/json without X-Powered-By', async () => {
    const res = await request(createApp({ herder: new FakeHerder() })).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.body).toEqual({ version: '0.1.0', commit: 'abc123', kafka_cluster_id: 'standalone' });
  });

  it('serves HEAD from the GET handler without a body', async () => {
    const res = await request(createApp({ herder: new FakeHerder() })).head('/');
    expect(res.status).toBe(200);
    expect(res.text).toBeUndefined();
  });
});

describe('GET /health', () => {
  it.each([
    ['healthy', 200],
    ['starting', 503],
    ['unhealthy', 500],
  ] as const)('answers a %s worker with %i and the WorkerHealth body', async (status, code) => {
    const herder = new FakeHerder();
    herder.healthValue = { status, message: `worker is ${status}` };
    const res = await request(createApp({ herder })).get('/health');
    expect(res.status).toBe(code);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual({ status, message: `worker is ${status}` });
  });
});
