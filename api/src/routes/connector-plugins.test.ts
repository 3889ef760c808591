import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder } from '../../test/support/fake-herder.js';
import { samePlugin } from './connector-plugins.js';

const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

let herder: FakeHerder;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  herder = new FakeHerder();
  app = createApp({ herder });
});

describe('GET /connector-plugins', () => {
  it('lists only connectors by default', async () => {
    const res = await request(app).get('/connector-plugins');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { class: SOURCE, type: 'source', version: '0.1.0' },
      { class: SINK, type: 'sink', version: '0.1.0' },
    ]);
    expect(herder.callsOf('connectorPlugins')).toEqual([[true]]);
  });

  it('lists every plugin with connectorsOnly=false', async () => {
    const res = await request(app).get('/connector-plugins?connectorsOnly=false');
    expect(res.body).toHaveLength(3);
    expect(res.body[2]).toEqual({ class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter' });
  });

  it('rejects a non-boolean connectorsOnly with 400', async () => {
    const res = await request(app).get('/connector-plugins?connectorsOnly=maybe');
    expect(res.status).toBe(400);
  });
});

describe('GET /connector-plugins/:plugin/config', () => {
  it('returns the plugin config definitions', async () => {
    const res = await request(app).get('/connector-plugins/FileStreamSourceConnector/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        name: 'file',
        type: 'STRING',
        required: false,
        default_value: null,
        importance: 'HIGH',
        documentation: 'Source filename.',
        group: null,
        order_in_group: -1,
        width: 'NONE',
        display_name: 'file',
        dependents: [],
      },
    ]);
  });

  it('answers 404 for an unknown plugin', async () => {
    const res = await request(app).get('/connector-plugins/Nope/config');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 404, message: 'Unknown plugin Nope.' });
  });
});

describe('PUT /connector-plugins/:plugin/config/validate', () => {
  it('answers 200 with ConfigInfos for a valid config', async () => {
    const res = await request(app)
      .put('/connector-plugins/FileStreamSourceConnector/config/validate')
      .send({ 'connector.class': SOURCE, 'tasks.max': '1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: SOURCE,
      error_count: 0,
      groups: ['Common'],
      configs: [
        {
          definition: null,
          value: { name: 'connector.class', value: SOURCE, recommended_values: [], errors: [], visible: true },
        },
        {
          definition: null,
          value: { name: 'tasks.max', value: '1', recommended_values: [], errors: [], visible: true },
        },
      ],
    });
  });

  it('answers 200 even when the config has errors', async () => {
    const res = await request(app)
      .put('/connector-plugins/FileStreamSource/config/validate')
      .send({ 'connector.class': SOURCE, 'tasks.max': 'x' });
    expect(res.status).toBe(200);
    expect(res.body.error_count).toBe(1);
  });

  it('coerces numeric values to strings before validating', async () => {
    await request(app)
      .put('/connector-plugins/FileStreamSink/config/validate')
      .send({ 'connector.class': SINK, 'tasks.max': 4 });
    expect(herder.callsOf('validateConnectorConfig')).toEqual([[{ 'connector.class': SINK, 'tasks.max': '4' }]]);
  });

  it.each([
    ['a missing', {}],
    ['an empty', { 'connector.class': ' ' }],
  ])('rejects %s connector.class with 400', async (_label, body) => {
    const res = await request(app).put('/connector-plugins/FileStreamSource/config/validate').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error_code: 400,
      message: "Connector config contains no connector type: 'connector.class' is required",
    });
    expect(herder.callsOf('validateConnectorConfig')).toEqual([]);
  });

  it('rejects a connector.class that names another plugin than the path with 400', async () => {
    const res = await request(app)
      .put('/connector-plugins/FileStreamSink/config/validate')
      .send({ 'connector.class': SOURCE });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error_code: 400,
      message: `Included connector type ${SOURCE} does not match request type FileStreamSink`,
    });
  });

  it('rejects a non-object body with 400', async () => {
    const res = await request(app)
      .put('/connector-plugins/FileStreamSink/config/validate')
      .set('Content-Type', 'application/json')
      .send('"just a string"');
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Connector config must be a JSON object, got a string');
  });
});

describe('samePlugin', () => {
  it.each([
    ['FileStreamSink', SINK],
    ['FileStreamSinkConnector', SINK],
    [SINK, 'FileStreamSink'],
    [SINK, SINK],
    ['PostgresCdcSource', 'PostgresCdcSourceConnector'],
  ])('treats %s and %s as the same plugin', (a, b) => {
    expect(samePlugin(a, b)).toBe(true);
  });

  it.each([
    ['FileStreamSource', SINK],
    ['Sink', SINK],
    ['Connector', 'FileStreamSinkConnector'],
  ])('tells %s and %s apart', (a, b) => {
    expect(samePlugin(a, b)).toBe(false);
  });
});
