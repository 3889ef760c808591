import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { ExtendedFakeHerder } from '../../test/support/extended-fake-herder.js';
import { FakeHerder } from '../../test/support/fake-herder.js';

let herder: ExtendedFakeHerder;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  herder = new ExtendedFakeHerder();
  herder.now = () => 1_700_000_000_000;
  herder.levels.set('sluice.worker', { level: 'WARN', last_modified: null });
  herder.levels.set('sluice.worker.task', { level: 'WARN', last_modified: null });
  app = createApp({ herder });
});

describe('GET /admin/loggers', () => {
  it('lists every logger with its level and last_modified, sorted by name', async () => {
    const res = await request(app).get('/admin/loggers');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['root', 'sluice.worker', 'sluice.worker.task']);
    expect(res.body.root).toEqual({ level: 'INFO', last_modified: null });
  });

  it('answers 404 on every logger path when the herder has no logger support', async () => {
    const plain = createApp({ herder: new FakeHerder() });
    expect((await request(plain).get('/admin/loggers')).status).toBe(404);
    expect((await request(plain).get('/admin/loggers/root')).status).toBe(404);
    expect((await request(plain).put('/admin/loggers/root').send({ level: 'DEBUG' })).status).toBe(404);
  });
});

describe('GET /admin/loggers/:logger', () => {
  it('returns the level of one logger', async () => {
    const res = await request(app).get('/admin/loggers/sluice.worker');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ level: 'WARN', last_modified: null });
  });

  it('answers 404 with Kafka Connect\'s message for an unknown logger', async () => {
    const res = await request(app).get('/admin/loggers/no.such');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 404, message: 'Logger no.such not found.' });
  });
});

describe('PUT /admin/loggers/:logger', () => {
  it('sets a worker-scope level and answers 200 with the changed loggers, sorted', async () => {
    const res = await request(app).put('/admin/loggers/sluice.worker').send({ level: 'debug' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(['sluice.worker', 'sluice.worker.task']);
    expect(herder.callsOf('setLoggerLevel')).toEqual([['sluice.worker', 'DEBUG', 'worker']]);
    const after = await request(app).get('/admin/loggers/sluice.worker.task');
    expect(after.body).toEqual({ level: 'DEBUG', last_modified: 1_700_000_000_000 });
  });

  it('sets a cluster-scope level and answers 204', async () => {
    const res = await request(app).put('/admin/loggers/root?scope=cluster').send({ level: 'ERROR' });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(herder.callsOf('setLoggerLevel')).toEqual([['root', 'ERROR', 'cluster']]);
  });

  it('accepts scope=worker explicitly, in any case', async () => {
    const res = await request(app).put('/admin/loggers/root?scope=WORKER').send({ level: 'INFO' });
    expect(res.status).toBe(200);
  });

  it('answers 400 when the level is missing', async () => {
    const res = await request(app).put('/admin/loggers/root').send({});
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Desired 'level' parameter was not specified in request.");
    expect(herder.callsOf('setLoggerLevel')).toEqual([]);
  });

  it('answers 400 for an unknown level instead of changing anything', async () => {
    const res = await request(app).put('/admin/loggers/root').send({ level: 'LOUD' });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Invalid log level 'LOUD'; expected one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL");
    expect(herder.callsOf('setLoggerLevel')).toEqual([]);
  });

  it('answers 400 for an unknown scope rather than silently using worker scope', async () => {
    const res = await request(app).put('/admin/loggers/root?scope=galaxy').send({ level: 'INFO' });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Invalid scope 'galaxy'; expected worker or cluster");
  });

  it('answers 415 for a non-JSON body', async () => {
    const res = await request(app).put('/admin/loggers/root').set('Content-Type', 'text/plain').send('DEBUG');
    expect(res.status).toBe(415);
  });
});

describe('admin listener split', () => {
  it('serves /admin/* but not the connector API on an admin-only app', async () => {
    const admin = createApp({ herder, endpoints: 'admin' });
    expect((await request(admin).get('/admin/loggers')).status).toBe(200);
    expect((await request(admin).get('/connectors')).status).toBe(404);
  });

  it('serves the connector API but not /admin/* on a public-only app', async () => {
    const pub = createApp({ herder, endpoints: 'public' });
    expect((await request(pub).get('/connectors')).status).toBe(200);
    const res = await request(pub).get('/admin/loggers');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 404, message: 'Unknown path: GET /admin/loggers' });
  });
});
