import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder } from '../../test/support/fake-herder.js';

const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

let herder: FakeHerder;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  herder = new FakeHerder();
  app = createApp({ herder });
});

describe('/connectors/:name/config', () => {
  it('GET returns the flat config map', async () => {
    herder.seed('a', { 'connector.class': SOURCE, file: 'f' });
    const res = await request(app).get('/connectors/a/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ 'connector.class': SOURCE, file: 'f', name: 'a' });
  });

  it('GET answers 404 for an unknown connector', async () => {
    const res = await request(app).get('/connectors/nope/config');
    expect(res.status).toBe(404);
  });

  it('PUT creates a missing connector: 201 with Location', async () => {
    const res = await request(app).put('/connectors/new/config').send({ 'connector.class': SINK, topics: 't' });
    expect(res.status).toBe(201);
    expect(res.headers['location']).toBe('/connectors/new');
    expect(res.body).toEqual({
      name: 'new',
      config: { 'connector.class': SINK, topics: 't', name: 'new' },
      tasks: [],
      type: 'sink',
    });
    expect(herder.callsOf('putConnectorConfig')[0]?.[2]).toEqual({ allowReplace: true });
  });

  it('PUT replaces an existing connector: 200 without Location', async () => {
    herder.seed('a', { 'connector.class': SINK, topics: 't' });
    const res = await request(app).put('/connectors/a/config').send({ 'connector.class': SINK, topics: 'u' });
    expect(res.status).toBe(200);
    expect(res.headers['location']).toBeUndefined();
    expect(res.body.config).toEqual({ 'connector.class': SINK, topics: 'u', name: 'a' });
    expect(res.body.tasks).toEqual([{ connector: 'a', task: 0 }]);
  });

  it('PUT rejects a body name that differs from the path with 400', async () => {
    const res = await request(app).put('/connectors/a/config').send({ name: 'b', 'connector.class': SINK });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error_code: 400,
      message: "Connector name configuration (b) doesn't match connector name in the URL (a)",
    });
    expect(herder.callsOf('putConnectorConfig')).toEqual([]);
  });

  it('PUT coerces numbers and booleans to strings', async () => {
    const res = await request(app)
      .put('/connectors/a/config')
      .send({ 'connector.class': SINK, 'tasks.max': 3, 'errors.log.enable': true, ratio: 0.5 });
    expect(res.status).toBe(201);
    expect(herder.callsOf('putConnectorConfig')[0]?.[1]).toEqual({
      'connector.class': SINK,
      'tasks.max': '3',
      'errors.log.enable': 'true',
      ratio: '0.5',
      name: 'a',
    });
  });

  it.each([
    [
      'an object',
      { nested: { a: 1 } },
      "Connector config: the value of 'nested' must be a string, number or boolean, got a object",
    ],
    [
      'an array',
      { list: ['a'] },
      "Connector config: the value of 'list' must be a string, number or boolean, got an array",
    ],
    ['null', { gone: null }, "Connector config: null value can not be supplied as the configuration value of 'gone'"],
  ])('PUT rejects %s as a config value with 400 naming the key', async (_label, extra, message) => {
    const res = await request(app)
      .put('/connectors/a/config')
      .send({ 'connector.class': SINK, ...extra });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 400, message });
  });

  it('PUT rejects an array body with 400', async () => {
    const res = await request(app)
      .put('/connectors/a/config')
      .send([{ 'connector.class': SINK }]);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Connector config must be a JSON object, got an array');
  });

  it('PUT answers 400 when the herder finds the config invalid', async () => {
    const res = await request(app).put('/connectors/a/config').send({ 'connector.class': 'NoSuchConnector' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('Failed to find any class that implements Connector');
  });

  it('PATCH applies a partial config and a null removes a key', async () => {
    herder.seed('a', { 'connector.class': SINK, topics: 't', 'extra.key': 'x' });
    const res = await request(app)
      .patch('/connectors/a/config')
      .send({ topics: 'u', 'extra.key': null, 'tasks.max': 2 });
    expect(res.status).toBe(200);
    expect(herder.callsOf('patchConnectorConfig')).toEqual([
      ['a', { topics: 'u', 'extra.key': null, 'tasks.max': '2' }],
    ]);
    expect(res.body).toEqual({
      name: 'a',
      config: { 'connector.class': SINK, topics: 'u', name: 'a', 'tasks.max': '2' },
      tasks: [
        { connector: 'a', task: 0 },
        { connector: 'a', task: 1 },
      ],
      type: 'sink',
    });
  });

  it('PATCH answers 404 for a missing connector and never creates it', async () => {
    const res = await request(app).patch('/connectors/nope/config').send({ topics: 'u' });
    expect(res.status).toBe(404);
    expect(herder.connectorMap.has('nope')).toBe(false);
  });

  it('PATCH rejects renaming or removing name with 400', async () => {
    herder.seed('a', { 'connector.class': SINK });
    const renamed = await request(app).patch('/connectors/a/config').send({ name: 'b' });
    expect(renamed.status).toBe(400);
    const removed = await request(app).patch('/connectors/a/config').send({ name: null });
    expect(removed.status).toBe(400);
    expect(removed.body.message).toBe("The 'name' configuration of a connector can not be removed");
    expect(herder.callsOf('patchConnectorConfig')).toEqual([]);
  });

  it('PATCH rejects an object value with 400', async () => {
    herder.seed('a', { 'connector.class': SINK });
    const res = await request(app)
      .patch('/connectors/a/config')
      .send({ topics: { t: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("'topics'");
  });

  it('PUT and PATCH accept the forward query parameter', async () => {
    expect(
      (await request(app).put('/connectors/a/config?forward=false').send({ 'connector.class': SINK })).status,
    ).toBe(201);
    expect((await request(app).patch('/connectors/a/config?forward=true').send({ topics: 't' })).status).toBe(200);
  });
});
