import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder, WORKER_ID } from '../../test/support/fake-herder.js';

const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

let herder: FakeHerder;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  herder = new FakeHerder().seed('a', { 'connector.class': SOURCE, 'tasks.max': '2' });
  app = createApp({ herder });
});

describe('GET /connectors/:name/tasks', () => {
  it('returns a TaskInfo per task with id and config', async () => {
    const res = await request(app).get('/connectors/a/tasks');
    expect(res.status).toBe(200);
    const base = { 'connector.class': SOURCE, 'tasks.max': '2', name: 'a' };
    expect(res.body).toEqual([
      { id: { connector: 'a', task: 0 }, config: { ...base, 'task.index': '0' } },
      { id: { connector: 'a', task: 1 }, config: { ...base, 'task.index': '1' } },
    ]);
  });

  it('returns an empty array for a stopped connector', async () => {
    await request(app).put('/connectors/a/stop');
    const res = await request(app).get('/connectors/a/tasks');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('answers 404 for an unknown connector', async () => {
    const res = await request(app).get('/connectors/nope/tasks');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 404, message: 'Connector nope not found' });
  });
});

describe('GET /connectors/:name/tasks/:task/status', () => {
  it('returns the task state', async () => {
    const res = await request(app).get('/connectors/a/tasks/1/status');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 1, state: 'RUNNING', worker_id: WORKER_ID });
    expect(herder.callsOf('taskStatus')).toEqual([['a', 1]]);
  });

  it('answers 404 for a numeric task id the connector does not have', async () => {
    const res = await request(app).get('/connectors/a/tasks/7/status');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 404, message: 'No status found for task a-7' });
  });

  it.each(['abc', '-1', '1.5', '1e3', '99999999999999999999'])('rejects task id %s with 400', async (id) => {
    const res = await request(app).get(`/connectors/a/tasks/${id}/status`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 400, message: `Task id must be a non-negative integer, got '${id}'` });
    expect(herder.callsOf('taskStatus')).toEqual([]);
  });
});

describe('POST /connectors/:name/tasks/:task/restart', () => {
  it('answers 204 with no body', async () => {
    const res = await request(app).post('/connectors/a/tasks/0/restart?forward=true');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(herder.callsOf('restartTask')).toEqual([['a', 0]]);
  });

  it('answers 404 for an unknown task', async () => {
    const res = await request(app).post('/connectors/a/tasks/5/restart');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 404, message: 'Unknown task: a-5' });
  });

  it('rejects a non-numeric task id with 400', async () => {
    const res = await request(app).post('/connectors/a/tasks/first/restart');
    expect(res.status).toBe(400);
    expect(herder.callsOf('restartTask')).toEqual([]);
  });
});
