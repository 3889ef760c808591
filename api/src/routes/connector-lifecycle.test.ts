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

describe('GET /connectors/:name/status', () => {
  it('returns the ConnectorStateInfo', async () => {
    herder.seed('a', { 'connector.class': SINK }, 'PAUSED');
    const res = await request(app).get('/connectors/a/status');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: 'a',
      connector: { state: 'PAUSED', worker_id: WORKER_ID },
      tasks: [{ id: 0, state: 'PAUSED', worker_id: WORKER_ID }],
      type: 'sink',
    });
  });

  it('answers 404 for an unknown connector', async () => {
    const res = await request(app).get('/connectors/nope/status');
    expect(res.body).toEqual({ error_code: 404, message: 'No status found for connector nope' });
  });
});

describe('POST /connectors/:name/restart', () => {
  beforeEach(() => {
    herder.seed('a', { 'connector.class': SOURCE, 'tasks.max': '2' });
  });

  it('answers 204 with no body for the legacy restart (no flags)', async () => {
    const res = await request(app).post('/connectors/a/restart');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(herder.callsOf('restartConnector')).toEqual([['a', { includeTasks: false, onlyFailed: false }]]);
  });

  it('answers 202 with the restart plan when includeTasks is set', async () => {
    const res = await request(app).post('/connectors/a/restart?includeTasks=true');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      name: 'a',
      connector: { state: 'RESTARTING', worker_id: WORKER_ID },
      tasks: [
        { id: 0, state: 'RESTARTING', worker_id: WORKER_ID },
        { id: 1, state: 'RESTARTING', worker_id: WORKER_ID },
      ],
      type: 'source',
    });
  });

  it('passes both flags through, case-insensitively', async () => {
    const res = await request(app).post('/connectors/a/restart?includeTasks=TRUE&onlyFailed=true&forward=true');
    expect(res.status).toBe(202);
    expect(herder.callsOf('restartConnector')).toEqual([['a', { includeTasks: true, onlyFailed: true }]]);
  });

  it('rejects a non-boolean flag with 400', async () => {
    const res = await request(app).post('/connectors/a/restart?includeTasks=yes');
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Query parameter 'includeTasks' must be true or false, got 'yes'");
  });

  it('answers 404 for an unknown connector', async () => {
    const res = await request(app).post('/connectors/nope/restart');
    expect(res.body).toEqual({ error_code: 404, message: 'Unknown connector: nope' });
  });
});

describe('pause, resume, stop and delete', () => {
  beforeEach(() => {
    herder.seed('a', { 'connector.class': SOURCE });
  });

  it('PUT pause answers 202 with an empty body', async () => {
    const res = await request(app).put('/connectors/a/pause');
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    expect(herder.connectorMap.get('a')?.target).toBe('PAUSED');
  });

  it('PUT resume answers 202 with an empty body', async () => {
    await request(app).put('/connectors/a/pause');
    const res = await request(app).put('/connectors/a/resume');
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    expect(herder.connectorMap.get('a')?.target).toBe('STARTED');
  });

  it('PUT stop answers 204', async () => {
    const res = await request(app).put('/connectors/a/stop?forward=true');
    expect(res.status).toBe(204);
    expect(herder.connectorMap.get('a')?.target).toBe('STOPPED');
  });

  it('DELETE answers 204 and the connector is gone', async () => {
    const res = await request(app).delete('/connectors/a?forward=true');
    expect(res.status).toBe(204);
    expect((await request(app).get('/connectors/a')).status).toBe(404);
  });

  it.each([
    ['put', '/connectors/nope/pause', 'Unknown connector nope'],
    ['put', '/connectors/nope/resume', 'Unknown connector nope'],
    ['put', '/connectors/nope/stop', 'Connector nope not found'],
    ['delete', '/connectors/nope', 'Connector nope not found'],
  ] as const)('%s %s answers 404 for an unknown connector', async (method, path, message) => {
    const res = await request(app)[method](path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 404, message });
  });
});
