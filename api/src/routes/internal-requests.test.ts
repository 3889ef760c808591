import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { ExtendedFakeHerder } from '../../test/support/extended-fake-herder.js';
import { FakeHerder } from '../../test/support/fake-herder.js';
import { signRequest, type SessionKey } from '../security/request-signature.js';

const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const SESSION: SessionKey = { key: Buffer.from('0123456789abcdef0123456789abcdef'), algorithm: 'HmacSHA256' };
const TASKS = JSON.stringify([{ 'task.class': 'T', file: '/tmp/a' }, { 'task.class': 'T', file: '/tmp/b' }]);

let herder: ExtendedFakeHerder;
let key: SessionKey | null;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  herder = new ExtendedFakeHerder().seed('src', { 'connector.class': SOURCE });
  key = SESSION;
  app = createApp({ herder, internal: { sessionKey: () => key }, auth: { bearer: { tokens: ['user-token'] } } });
});

const post = (body: string, headers: Record<string, string>) =>
  request(app).post('/connectors/src/tasks').set('Content-Type', 'application/json').set(headers).send(body);

describe('POST /connectors/:name/tasks (internal)', () => {
  it('rejects an unsigned request with 400, then stores a correctly signed one with 204', async () => {
    const unsigned = await post(TASKS, {});
    expect(unsigned.status).toBe(400);
    expect(unsigned.body).toEqual({ error_code: 400, message: 'Internal request missing required signature' });
    expect(herder.callsOf('putTaskConfigs')).toEqual([]);

    const signed = await post(TASKS, signRequest(SESSION.key, 'HmacSHA256', TASKS));
    expect(signed.status).toBe(204);
    expect(herder.storedTaskConfigs.get('src')).toEqual(JSON.parse(TASKS));
  });

  it('rejects a bad signature with 403 and stores nothing', async () => {
    const forged = signRequest(Buffer.from('not-the-session-key'), 'HmacSHA256', TASKS);
    const res = await post(TASKS, forged);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error_code: 403, message: 'Internal request contained invalid signature.' });
    expect(herder.callsOf('putTaskConfigs')).toEqual([]);
  });

  it('rejects a body altered after signing with 403', async () => {
    const headers = signRequest(SESSION.key, 'HmacSHA256', TASKS);
    const res = await post(TASKS.replace('/tmp/a', '/etc/shadow'), headers);
    expect(res.status).toBe(403);
  });

  it('rejects an algorithm outside the verification list with 400', async () => {
    const res = await post(TASKS, signRequest(SESSION.key, 'HmacSHA512', TASKS));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/does not support the 'HmacSHA512' key signing algorithm/);
  });

  it('answers 503 before the worker has read a session key', async () => {
    key = null;
    const res = await post(TASKS, signRequest(SESSION.key, 'HmacSHA256', TASKS));
    expect(res.status).toBe(503);
  });

  it('needs no user credentials: the signature authenticates the worker', async () => {
    const res = await post(TASKS, signRequest(SESSION.key, 'HmacSHA256', TASKS));
    expect(res.status).toBe(204);
    // …while the public GET on the same path still requires them.
    expect((await request(app).get('/connectors/src/tasks')).status).toBe(401);
  });

  it('answers 400 for a signed body that is not an array of config maps', async () => {
    const body = '{"not":"an array"}';
    const res = await post(body, signRequest(SESSION.key, 'HmacSHA256', body));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Task configs must be a JSON array of config objects');
  });

  it('answers 404 for an unknown connector', async () => {
    const res = await request(app)
      .post('/connectors/nope/tasks')
      .set('Content-Type', 'application/json')
      .set(signRequest(SESSION.key, 'HmacSHA256', TASKS))
      .send(TASKS);
    expect(res.status).toBe(404);
  });
});

describe('PUT /connectors/:name/fence (internal)', () => {
  it('rejects an unsigned fence with 400, a forged one with 403, and fences a signed one with 204', async () => {
    expect((await request(app).put('/connectors/src/fence')).status).toBe(400);
    const forged = await request(app).put('/connectors/src/fence').set(signRequest(Buffer.from('x'), 'HmacSHA256', ''));
    expect(forged.status).toBe(403);
    expect(herder.fenced).toEqual([]);
    const ok = await request(app).put('/connectors/src/fence').set(signRequest(SESSION.key, 'HmacSHA256', ''));
    expect(ok.status).toBe(204);
    expect(herder.fenced).toEqual(['src']);
  });
});

describe('without internal endpoints', () => {
  it('does not serve them: POST …/tasks is 405 and …/fence is unknown', async () => {
    const plain = createApp({ herder: new FakeHerder().seed('src', { 'connector.class': SOURCE }) });
    const tasks = await request(plain).post('/connectors/src/tasks').set(signRequest(SESSION.key, 'HmacSHA256', '[]'));
    expect(tasks.status).toBe(405);
    expect((await request(plain).put('/connectors/src/fence')).status).toBe(404);
  });

  it('answers 404 when the herder cannot take forwarded task configs, after checking the signature', async () => {
    const plain = createApp({ herder: new FakeHerder(), internal: { sessionKey: () => SESSION } });
    expect((await request(plain).put('/connectors/src/fence')).status).toBe(400);
    const res = await request(plain).put('/connectors/src/fence').set(signRequest(SESSION.key, 'HmacSHA256', ''));
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('This worker does not accept forwarded zombie fencing requests');
  });
});
