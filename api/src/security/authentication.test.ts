import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder } from '../../test/support/fake-herder.js';
import { hashPassword } from './password-hash.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const FAST = { ln: 10, r: 8, p: 1 };

describe('without credentials configured', () => {
  it('serves everything when no auth is configured', async () => {
    const res = await request(createApp({ herder: new FakeHerder() })).get('/connectors');
    expect(res.status).toBe(200);
  });

  it('serves everything when auth is explicitly disabled', async () => {
    const app = createApp({ herder: new FakeHerder(), auth: { disabled: true, bearer: { tokens: ['t'] } } });
    expect((await request(app).get('/connectors')).status).toBe(200);
  });

  it('refuses every request when auth is configured with no scheme at all', async () => {
    const app = createApp({ herder: new FakeHerder(), auth: {} });
    const res = await request(app).get('/connectors').set('Authorization', basic('a', 'b'));
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('No authentication scheme is configured on this listener; every request is refused');
  });
});

describe('HTTP basic', () => {
  const app = createApp({ herder: new FakeHerder(), auth: { basic: { users: { admin: 's3cret' } } } });

  it('answers 401 with a Basic challenge when no credentials are sent, then 200 with them', async () => {
    const denied = await request(app).get('/connectors');
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toBe('Basic realm="sluice", charset="UTF-8"');
    expect(denied.body).toEqual({ error_code: 401, message: 'Authentication required' });
    const allowed = await request(app).get('/connectors').set('Authorization', basic('admin', 's3cret'));
    expect(allowed.status).toBe(200);
  });

  it.each([
    ['a wrong password', basic('admin', 'nope')],
    ['an unknown user', basic('mallory', 's3cret')],
    ['a password differing only in length', basic('admin', 's3cret ')],
  ])('answers 401 Invalid credentials for %s', async (_label, header) => {
    const res = await request(app).get('/connectors').set('Authorization', header);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('Invalid credentials');
  });

  it('answers 401 for credentials without a colon', async () => {
    const res = await request(app)
      .get('/connectors')
      .set('Authorization', `Basic ${Buffer.from('admin').toString('base64')}`);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('Malformed Basic credentials');
  });

  it('answers 401 naming the accepted scheme for a bearer token', async () => {
    const res = await request(app).get('/connectors').set('Authorization', 'Bearer abc');
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('Unsupported authentication scheme; use Basic');
  });

  it('checks credentials before routing, so unknown paths also answer 401', async () => {
    expect((await request(app).get('/nope')).status).toBe(401);
    expect((await request(app).post('/connectors/a/pause')).status).toBe(401);
  });

  it('accepts a user whose password is stored as a scrypt hash, and rejects a wrong one', async () => {
    const hashed = createApp({
      herder: new FakeHerder(),
      auth: { basic: { users: { ops: await hashPassword('correct horse', FAST) } } },
    });
    expect((await request(hashed).get('/').set('Authorization', basic('ops', 'correct horse'))).status).toBe(200);
    // Second call is served from the verified-credential cache; the answer must be the same.
    expect((await request(hashed).get('/').set('Authorization', basic('ops', 'correct horse'))).status).toBe(200);
    expect((await request(hashed).get('/').set('Authorization', basic('ops', 'battery staple'))).status).toBe(401);
  });
});

describe('bearer tokens', () => {
  const app = createApp({ herder: new FakeHerder(), auth: { bearer: { tokens: ['tok-1', 'tok-2'] } } });

  it('answers 401 with a Bearer challenge without a token, then 200 with any configured token', async () => {
    const denied = await request(app).get('/connectors');
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toBe('Bearer realm="sluice"');
    expect((await request(app).get('/connectors').set('Authorization', 'Bearer tok-2')).status).toBe(200);
    expect((await request(app).get('/connectors').set('Authorization', 'bearer tok-1')).status).toBe(200);
  });

  it('answers 401 for an unknown or empty token', async () => {
    expect((await request(app).get('/connectors').set('Authorization', 'Bearer tok-3')).status).toBe(401);
    expect((await request(app).get('/connectors').set('Authorization', 'Bearer')).status).toBe(401);
  });

  it('sends one challenge per scheme when both are configured', async () => {
    const both = createApp({
      herder: new FakeHerder(),
      auth: { basic: { users: { a: 'b' } }, bearer: { tokens: ['t'] } },
    });
    const res = await request(both).get('/connectors');
    expect(res.headers['www-authenticate']).toBe('Basic realm="sluice", charset="UTF-8", Bearer realm="sluice"');
    expect((await request(both).get('/connectors').set('Authorization', basic('a', 'b'))).status).toBe(200);
    expect((await request(both).get('/connectors').set('Authorization', 'Bearer t')).status).toBe(200);
  });
});

describe('health endpoint', () => {
  const auth = { bearer: { tokens: ['t'] } };

  it('serves /health without credentials by default, for probes', async () => {
    const res = await request(createApp({ herder: new FakeHerder(), auth })).get('/health');
    expect(res.status).toBe(200);
  });

  it('requires credentials for /health when publicHealth is false', async () => {
    const app = createApp({ herder: new FakeHerder(), auth, publicHealth: false });
    expect((await request(app).get('/health')).status).toBe(401);
    expect((await request(app).get('/health').set('Authorization', 'Bearer t')).status).toBe(200);
  });

  it('does not open other methods on /health', async () => {
    const res = await request(createApp({ herder: new FakeHerder(), auth })).put('/health');
    expect(res.status).toBe(401);
  });
});
