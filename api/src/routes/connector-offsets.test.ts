import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder } from '../../test/support/fake-herder.js';

const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const OFFSET = { partition: { filename: '/tmp/in.txt' }, offset: { position: 42 } };

let herder: FakeHerder;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  herder = new FakeHerder().seed('a', { 'connector.class': SOURCE }, 'STOPPED');
  app = createApp({ herder });
});

describe('GET /connectors/:name/offsets', () => {
  it('returns the offsets wrapper', async () => {
    herder.connectorMap.get('a')!.offsets = [OFFSET];
    const res = await request(app).get('/connectors/a/offsets');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ offsets: [OFFSET] });
  });

  it('answers 404 for an unknown connector', async () => {
    const res = await request(app).get('/connectors/nope/offsets');
    expect(res.status).toBe(404);
  });
});

describe('PATCH /connectors/:name/offsets', () => {
  it('alters offsets and answers 200 with the message', async () => {
    const reset = { partition: { filename: '/tmp/other.txt' }, offset: null };
    const res = await request(app)
      .patch('/connectors/a/offsets?forward=true')
      .send({ offsets: [OFFSET, reset] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'The offsets for this connector have been altered successfully' });
    expect(herder.callsOf('alterConnectorOffsets')).toEqual([['a', { offsets: [OFFSET, reset] }]]);
  });

  it.each([
    ['a missing offsets field', {}],
    ['an empty offsets array', { offsets: [] }],
    ['a non-array offsets field', { offsets: { partition: {} } }],
  ])('rejects %s with 400', async (_label, body) => {
    const res = await request(app).patch('/connectors/a/offsets').send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('Partitions / offsets need to be provided');
    expect(herder.callsOf('alterConnectorOffsets')).toEqual([]);
  });

  it.each([
    ['a non-object entry', { offsets: ['x'] }, 'offsets[0] must be a JSON object, got a string'],
    ['a missing partition', { offsets: [{ offset: {} }] }, 'offsets[0].partition must be a JSON object, got nothing'],
    [
      'a missing offset',
      { offsets: [{ partition: {} }] },
      'offsets[0].offset must be a JSON object, or null to reset the partition',
    ],
    [
      'an array offset',
      { offsets: [OFFSET, { partition: {}, offset: [1] }] },
      'offsets[1].offset must be a JSON object, or null to reset the partition',
    ],
  ])('rejects %s with 400', async (_label, body, message) => {
    const res = await request(app).patch('/connectors/a/offsets').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 400, message });
  });

  it('answers 400 when the connector is not stopped', async () => {
    herder.connectorMap.get('a')!.target = 'STARTED';
    const res = await request(app)
      .patch('/connectors/a/offsets')
      .send({ offsets: [OFFSET] });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Connectors must be in the STOPPED state/);
  });
});

describe('DELETE /connectors/:name/offsets', () => {
  it('resets offsets and answers 200 with the message', async () => {
    herder.connectorMap.get('a')!.offsets = [OFFSET];
    const res = await request(app).delete('/connectors/a/offsets');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'The offsets for this connector have been reset successfully' });
    expect((await request(app).get('/connectors/a/offsets')).body).toEqual({ offsets: [] });
  });

  it('answers 404 for an unknown connector', async () => {
    const res = await request(app).delete('/connectors/nope/offsets');
    expect(res.status).toBe(404);
  });
});
