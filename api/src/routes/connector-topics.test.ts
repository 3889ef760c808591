import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { ExtendedFakeHerder } from '../../test/support/extended-fake-herder.js';
import { FakeHerder } from '../../test/support/fake-herder.js';

const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

describe('with topic tracking', () => {
  let herder: ExtendedFakeHerder;
  let app: ReturnType<typeof createApp>;
  beforeEach(() => {
    herder = new ExtendedFakeHerder();
    herder.seed('src', { 'connector.class': SOURCE }).useTopic('src', 'b').useTopic('src', 'a');
    app = createApp({ herder });
  });

  it('lists the active topics keyed by connector name', async () => {
    const res = await request(app).get('/connectors/src/topics');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ src: { topics: ['a', 'b'] } });
  });

  it('resets the active topics with 202 and no body', async () => {
    const reset = await request(app).put('/connectors/src/topics/reset');
    expect(reset.status).toBe(202);
    expect(reset.text).toBe('');
    expect(herder.callsOf('resetConnectorTopics')).toEqual([['src']]);
    const after = await request(app).get('/connectors/src/topics');
    expect(after.body).toEqual({ src: { topics: [] } });
  });

  it('answers 404 for an unknown connector', async () => {
    const res = await request(app).get('/connectors/nope/topics');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 404, message: 'Connector nope not found' });
    expect((await request(app).put('/connectors/nope/topics/reset')).status).toBe(404);
  });

  it('answers 405 for a POST to the reset path', async () => {
    const res = await request(app).post('/connectors/src/topics/reset');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('PUT, OPTIONS');
  });
});

describe('without topic tracking', () => {
  it.each([
    ['get', '/connectors/a/topics'],
    ['put', '/connectors/a/topics/reset'],
  ] as const)('answers %s %s with 403 as Kafka Connect does when tracking is disabled', async (method, path) => {
    const app = createApp({ herder: new FakeHerder().seed('a', { 'connector.class': SOURCE }) });
    const res = await request(app)[method](path);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error_code: 403, message: 'Topic tracking is disabled.' });
  });
});
