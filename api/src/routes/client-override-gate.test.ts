import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder } from '../../test/support/fake-herder.js';

const SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';
const EVIL = { 'connector.class': SINK, topics: 't', 'consumer.override.sasl.jaas.config': 'x required;' };

let herder: FakeHerder;
beforeEach(() => {
  herder = new FakeHerder();
});

describe('client override policy at the API', () => {
  it('stores a dangerous override when no policy is enforced, and refuses it with 400 under the default policy', async () => {
    const open = await request(createApp({ herder })).put('/connectors/a/config').send(EVIL);
    expect(open.status).toBe(201);

    const guarded = createApp({ herder: new FakeHerder(), clientOverrides: { policy: 'Allowlist' } });
    const res = await request(guarded).put('/connectors/a/config').send(EVIL);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      'Connector configuration is invalid and contains the following 1 error(s):\n' +
        "The 'Allowlist' policy does not allow 'consumer.override.sasl.jaas.config' to be overridden in the connector " +
        "configuration. It changes the client's credentials, destination or loaded code; only the All policy permits it.\n" +
        `You can also find the above list of errors at the endpoint \`/connector-plugins/${SINK}/config/validate\``,
    );
  });

  it('lists the herder validation errors together with the override errors', async () => {
    const app = createApp({ herder, clientOverrides: { policy: 'None' } });
    const res = await request(app)
      .post('/connectors')
      .send({ name: 'a', config: { 'connector.class': SINK, 'tasks.max': 'x', 'producer.override.acks': '1' } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/contains the following 2 error\(s\)/);
    expect(res.body.message).toContain('Invalid value x for configuration tasks.max');
    expect(res.body.message).toContain("'producer.override.acks'");
    expect(herder.callsOf('putConnectorConfig')).toEqual([]);
  });

  it('checks the patched config as a whole on PATCH', async () => {
    herder.seed('a', { 'connector.class': SINK, topics: 't' });
    const app = createApp({ herder, clientOverrides: { policy: 'Allowlist' } });
    const ok = await request(app).patch('/connectors/a/config').send({ 'consumer.override.max.poll.records': '5' });
    expect(ok.status).toBe(200);
    const bad = await request(app).patch('/connectors/a/config').send({ 'consumer.override.bootstrap.servers': 'x:1' });
    expect(bad.status).toBe(400);
    expect(herder.callsOf('patchConnectorConfig')).toHaveLength(1);
  });

  it('adds override errors to the validate answer and recounts error_count', async () => {
    const app = createApp({ herder, clientOverrides: { policy: 'Allowlist' } });
    const res = await request(app).put(`/connector-plugins/${SINK}/config/validate`).send(EVIL);
    expect(res.status).toBe(200);
    expect(res.body.error_count).toBe(1);
    const entry = res.body.configs.find(
      (c: { value: { name: string } | null }) => c.value?.name === 'consumer.override.sasl.jaas.config',
    );
    expect(entry.value.errors).toHaveLength(1);
  });

  it('accepts a dangerous override under the All policy', async () => {
    const app = createApp({ herder, clientOverrides: { policy: 'All' } });
    expect((await request(app).put('/connectors/a/config').send(EVIL)).status).toBe(201);
  });
});
