import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder } from '../../test/support/fake-herder.js';
import { createSecretMasker, HIDDEN_VALUE } from './secret-masker.js';

const SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';
const SECRET = 's3cr3t-value';

/** Like a plugin schema lookup: the sink declares `db.password` secret; tasks don't carry the class. */
const secretKeys = (config: Record<string, string>): string[] =>
  config['connector.class'] === SINK ? ['db.password', 'not.present'] : [];

let herder: FakeHerder;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  herder = new FakeHerder().seed('a', {
    'connector.class': SINK,
    'db.password': SECRET,
    topics: 't',
    'tasks.max': '2',
  });
  app = createApp({ herder, secretKeys });
});

describe('secret masking', () => {
  it('hides secret values in GET /connectors/:name/config and leaves the herder state intact', async () => {
    const res = await request(app).get('/connectors/a/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      'connector.class': SINK,
      'db.password': HIDDEN_VALUE,
      topics: 't',
      'tasks.max': '2',
      name: 'a',
    });
    expect(herder.connectorMap.get('a')?.config['db.password']).toBe(SECRET);
  });

  it('hides secret values in connector info', async () => {
    const res = await request(app).get('/connectors/a');
    expect(res.body.config['db.password']).toBe(HIDDEN_VALUE);
    expect(res.text).not.toContain(SECRET);
  });

  it('hides secret values in expand=info but leaves status untouched', async () => {
    const res = await request(app).get('/connectors?expand=info&expand=status');
    expect(res.body.a.info.config['db.password']).toBe(HIDDEN_VALUE);
    expect(res.body.a.status.connector.state).toBe('RUNNING');
    expect(res.text).not.toContain(SECRET);
  });

  it('hides secrets in task configs even when the task config lacks connector.class', async () => {
    const withoutClass = Object.fromEntries(
      Object.entries(herder.connectorMap.get('a')!.config).filter(([k]) => k !== 'connector.class'),
    );
    herder.connectorMap.get('a')!.tasks = [withoutClass];
    const res = await request(app).get('/connectors/a/tasks');
    expect(res.status).toBe(200);
    expect(res.body[0].config['db.password']).toBe(HIDDEN_VALUE);
    expect(res.text).not.toContain(SECRET);
  });

  it('hides secrets in the responses of create, replace and patch while the herder gets the real value', async () => {
    const created = await request(app)
      .post('/connectors')
      .send({ name: 'b', config: { 'connector.class': SINK, 'db.password': SECRET } });
    expect(created.status).toBe(201);
    expect(created.body.config['db.password']).toBe(HIDDEN_VALUE);
    const replaced = await request(app)
      .put('/connectors/b/config')
      .send({ 'connector.class': SINK, 'db.password': SECRET });
    expect(replaced.status).toBe(200);
    expect(replaced.body.config['db.password']).toBe(HIDDEN_VALUE);
    const patched = await request(app).patch('/connectors/b/config').send({ topics: 'u' });
    expect(patched.body.config['db.password']).toBe(HIDDEN_VALUE);
    expect(herder.connectorMap.get('b')?.config['db.password']).toBe(SECRET);
  });

  it('hides secret values in validation results', async () => {
    const res = await request(app)
      .put('/connector-plugins/FileStreamSink/config/validate')
      .send({ 'connector.class': SINK, 'db.password': SECRET });
    expect(res.status).toBe(200);
    const entry = res.body.configs.find((c: { value: { name: string } }) => c.value.name === 'db.password');
    expect(entry.value.value).toBe(HIDDEN_VALUE);
    expect(herder.callsOf('validateConnectorConfig')[0]?.[0]).toMatchObject({ 'db.password': SECRET });
  });

  it('shows values as stored when no secretKeys function is given', async () => {
    const plain = createApp({ herder });
    const res = await request(plain).get('/connectors/a/config');
    expect(res.body['db.password']).toBe(SECRET);
  });

  it('fails closed with a 500 when secretKeys throws', async () => {
    const broken = createApp({
      herder,
      secretKeys: () => {
        throw new Error('schema lookup failed');
      },
    });
    const res = await request(broken).get('/connectors/a/config');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain(SECRET);
  });
});

describe('createSecretMasker', () => {
  it('returns copies and never mutates its input', () => {
    const masker = createSecretMasker(() => ['k']);
    const info = { name: 'a', config: { k: 'v', other: 'o' }, tasks: [], type: 'sink' as const };
    const masked = masker.connectorInfo(info);
    expect(masked.config).toEqual({ k: HIDDEN_VALUE, other: 'o' });
    expect(info.config).toEqual({ k: 'v', other: 'o' });
  });

  it('leaves a null validation value null', () => {
    const masker = createSecretMasker(() => ['k']);
    const infos = masker.configInfos(
      {
        name: 'c',
        error_count: 1,
        groups: [],
        configs: [
          {
            definition: null,
            value: { name: 'k', value: null, recommended_values: [], errors: ['missing'], visible: true },
          },
        ],
      },
      {},
    );
    expect(infos.configs[0]?.value?.value).toBeNull();
  });
});
