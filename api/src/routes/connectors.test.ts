import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder, WORKER_ID } from '../../test/support/fake-herder.js';

const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

let herder: FakeHerder;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  herder = new FakeHerder();
  app = createApp({ herder });
});

describe('GET /connectors', () => {
  it('lists connector names as a JSON array', async () => {
    herder.seed('a', { 'connector.class': SOURCE }).seed('b', { 'connector.class': SINK });
    const res = await request(app).get('/connectors');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual(['a', 'b']);
  });

  it('returns an empty array when there are no connectors', async () => {
    const res = await request(app).get('/connectors');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('expands status per connector with expand=status', async () => {
    herder.seed('a', { 'connector.class': SOURCE });
    const res = await request(app).get('/connectors?expand=status');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      a: {
        status: {
          name: 'a',
          connector: { state: 'RUNNING', worker_id: WORKER_ID },
          tasks: [{ id: 0, state: 'RUNNING', worker_id: WORKER_ID }],
          type: 'source',
        },
      },
    });
  });

  it('expands info per connector with expand=info', async () => {
    herder.seed('a', { 'connector.class': SINK, topics: 't' });
    const res = await request(app).get('/connectors?expand=info');
    expect(res.body).toEqual({
      a: {
        info: {
          name: 'a',
          config: { 'connector.class': SINK, topics: 't', name: 'a' },
          tasks: [{ connector: 'a', task: 0 }],
          type: 'sink',
        },
      },
    });
  });

  it('expands both when expand is repeated', async () => {
    herder.seed('a', { 'connector.class': SOURCE });
    const res = await request(app).get('/connectors?expand=status&expand=info');
    expect(Object.keys(res.body.a).sort()).toEqual(['info', 'status']);
    expect(res.body.a.status.connector.state).toBe('RUNNING');
    expect(res.body.a.info.type).toBe('source');
  });

  it('accepts a comma-separated expand list', async () => {
    herder.seed('a', { 'connector.class': SOURCE });
    const res = await request(app).get('/connectors?expand=status,info');
    expect(Object.keys(res.body.a).sort()).toEqual(['info', 'status']);
  });

  it('ignores unknown expand values and returns an empty object per connector', async () => {
    herder.seed('a', { 'connector.class': SOURCE }).seed('b', { 'connector.class': SINK });
    const res = await request(app).get('/connectors?expand=bogus');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ a: {}, b: {} });
  });

  it('leaves out connectors that vanish while the listing is built', async () => {
    herder.seed('a', { 'connector.class': SOURCE }).seed('gone', { 'connector.class': SINK });
    herder.vanishing.add('gone');
    const res = await request(app).get('/connectors?expand=status');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['a']);
  });

  it('keeps a connector named like an Object prototype key as an ordinary entry', async () => {
    herder.seed('__proto__', { 'connector.class': SOURCE });
    const res = await request(app).get('/connectors?expand=info');
    expect(res.text).toContain('"__proto__":{"info"');
  });
});

describe('POST /connectors', () => {
  it('creates a connector: 201, Location and ConnectorInfo with the name injected into the config', async () => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'file-source', config: { 'connector.class': SOURCE, file: '/tmp/in.txt' } });
    expect(res.status).toBe(201);
    expect(res.headers['location']).toBe('/connectors/file-source');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual({
      name: 'file-source',
      config: { 'connector.class': SOURCE, file: '/tmp/in.txt', name: 'file-source' },
      tasks: [],
      type: 'source',
    });
    expect(herder.callsOf('putConnectorConfig')).toEqual([
      ['file-source', { 'connector.class': SOURCE, file: '/tmp/in.txt', name: 'file-source' }, { allowReplace: false }],
    ]);
  });

  it('trims the connector name', async () => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: '  padded ', config: { 'connector.class': SOURCE } });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('padded');
    expect(res.headers['location']).toBe('/connectors/padded');
  });

  it('percent-encodes the name in Location', async () => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'a b/c', config: { 'connector.class': SOURCE } });
    expect(res.status).toBe(201);
    expect(res.headers['location']).toBe('/connectors/a%20b%2Fc');
  });

  it('accepts a matching config.name', async () => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'x', config: { name: 'x', 'connector.class': SOURCE } });
    expect(res.status).toBe(201);
  });

  it.each([
    ['missing', { config: { 'connector.class': SOURCE } }],
    ['empty', { name: '', config: { 'connector.class': SOURCE } }],
    ['blank', { name: '   ', config: { 'connector.class': SOURCE } }],
    ['null', { name: null, config: { 'connector.class': SOURCE } }],
  ])('rejects a %s name with 400', async (_label, body) => {
    const res = await request(app).post('/connectors').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 400, message: 'Connector name must be a non-empty string' });
    expect(herder.callsOf('putConnectorConfig')).toEqual([]);
  });

  it('rejects a non-string name with 400', async () => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: 42, config: { 'connector.class': SOURCE } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("'name' must be a string");
  });

  it('rejects a name with control characters with 400', async () => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'bad\u0007name', config: { 'connector.class': SOURCE } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Connector name must not contain control characters');
  });

  it('rejects a config.name that differs from the name with 400', async () => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'x', config: { name: 'y', 'connector.class': SOURCE } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error_code: 400,
      message: "Connector name configuration (y) doesn't match connector name in the request body (x)",
    });
  });

  it('rejects a body without a config object with 400', async () => {
    const res = await request(app).post('/connectors').send({ name: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("'config' must be a JSON object, got nothing");
  });

  it.each([
    ['running', 'RUNNING'],
    ['Paused', 'PAUSED'],
    ['STOPPED', 'STOPPED'],
  ])('passes initial_state %s to the herder as %s', async (given, expected) => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'x', config: { 'connector.class': SOURCE }, initial_state: given });
    expect(res.status).toBe(201);
    expect(herder.callsOf('putConnectorConfig')[0]?.[2]).toEqual({ allowReplace: false, initialState: expected });
  });

  it('rejects an unknown initial_state with 400', async () => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'x', config: { 'connector.class': SOURCE }, initial_state: 'SLEEPING' });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Invalid initial_state "SLEEPING"; expected one of RUNNING, PAUSED, STOPPED');
  });

  it('answers 409 when the connector already exists', async () => {
    herder.seed('x', { 'connector.class': SOURCE });
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'x', config: { 'connector.class': SOURCE } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error_code: 409, message: 'Connector x already exists' });
  });

  it('answers 400 with the herder message when the config is invalid', async () => {
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'x', config: { 'connector.class': SOURCE, 'tasks.max': 'many' } });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe(400);
    expect(res.body.message).toContain('Connector configuration is invalid and contains the following 1 error(s)');
  });

  it('accepts and ignores the forward query parameter', async () => {
    const res = await request(app)
      .post('/connectors?forward=true')
      .send({ name: 'x', config: { 'connector.class': SOURCE } });
    expect(res.status).toBe(201);
    expect(herder.callsOf('putConnectorConfig')).toHaveLength(1);
  });
});

describe('GET /connectors/:name', () => {
  it('returns the ConnectorInfo', async () => {
    herder.seed('a', { 'connector.class': SOURCE, 'tasks.max': '2' });
    const res = await request(app).get('/connectors/a');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: 'a',
      config: { 'connector.class': SOURCE, 'tasks.max': '2', name: 'a' },
      tasks: [
        { connector: 'a', task: 0 },
        { connector: 'a', task: 1 },
      ],
      type: 'source',
    });
  });

  it('answers 404 for an unknown connector', async () => {
    const res = await request(app).get('/connectors/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 404, message: 'Connector nope not found' });
  });

  it('decodes a percent-encoded name', async () => {
    herder.seed('a b/c', { 'connector.class': SOURCE });
    const res = await request(app).get('/connectors/a%20b%2Fc');
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('a b/c');
  });
});
