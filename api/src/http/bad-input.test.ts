import { ConfigValidationError } from '@sluice/core';
import { createServer, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder } from '../../test/support/fake-herder.js';

const SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

/**
 * Sends `chunks` over a real socket exactly as given (supertest re-serialises Buffers as JSON and
 * always sets Content-Length). Without a content-length header Node sends the body chunked.
 */
async function rawRequest(
  handler: ReturnType<typeof createApp>,
  method: string,
  path: string,
  chunks: Buffer[],
  headers: OutgoingHttpHeaders,
): Promise<{ status: number; text: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

let herder: FakeHerder;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  herder = new FakeHerder().seed('a', { 'connector.class': SINK });
  app = createApp({ herder });
});

describe('malformed and mistyped bodies', () => {
  it('answers malformed JSON with 400 and says so', async () => {
    const res = await request(app).post('/connectors').set('Content-Type', 'application/json').send('{"name": "x", ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.error_code).toBe(400);
    expect(res.body.message).toMatch(/^Malformed JSON in request body: ./);
    expect(herder.callsOf('putConnectorConfig')).toEqual([]);
  });

  it.each(['/connectors/a/config', '/connector-plugins/FileStreamSink/config/validate'])(
    'answers malformed JSON on PUT %s with 400',
    async (path) => {
      const res = await request(app).put(path).set('Content-Type', 'application/json').send('{oops}');
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Malformed JSON in request body/);
    },
  );

  it.each([
    ['text/plain', "Unsupported Content-Type 'text/plain'; request bodies must be application/json"],
    [
      'application/x-www-form-urlencoded',
      "Unsupported Content-Type 'application/x-www-form-urlencoded'; request bodies must be application/json",
    ],
  ])('answers a %s body with 415', async (type, message) => {
    const res = await request(app).put('/connectors/a/config').set('Content-Type', type).send('connector.class=x');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ error_code: 415, message });
    expect(herder.callsOf('putConnectorConfig')).toEqual([]);
  });

  it('answers a body without any Content-Type with 415', async () => {
    const res = await request(app)
      .patch('/connectors/a/offsets')
      .set('Content-Type', '')
      .send(Buffer.from('{"offsets":[]}'));
    expect(res.status).toBe(415);
    expect(res.body.message).toBe('Request body must be JSON; set Content-Type: application/json');
  });

  it('accepts JSON with a charset parameter and +json media types', async () => {
    const utf8 = await request(app)
      .put('/connectors/a/config')
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ 'connector.class': SINK }));
    expect(utf8.status).toBe(200);
    const vendor = await request(app)
      .put('/connectors/a/config')
      .set('Content-Type', 'application/vnd.sluice+json')
      .send(JSON.stringify({ 'connector.class': SINK }));
    expect(vendor.status).toBe(200);
  });

  it('answers an unsupported charset with 415', async () => {
    const res = await request(app)
      .put('/connectors/a/config')
      .set('Content-Type', 'application/json; charset=latin1')
      .send(JSON.stringify({ 'connector.class': SINK }));
    expect(res.status).toBe(415);
    expect(res.body.error_code).toBe(415);
  });

  it('accepts a gzip-encoded body and rejects an unknown content encoding with 415', async () => {
    const body = gzipSync(JSON.stringify({ 'connector.class': SINK, topics: 'zipped' }));
    const ok = await rawRequest(app, 'PUT', '/connectors/a/config', [body], {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': String(body.length),
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text).config.topics).toBe('zipped');
    const bad = await rawRequest(app, 'PUT', '/connectors/a/config', [Buffer.from('{}')], {
      'content-type': 'application/json',
      'content-encoding': 'compress',
      'content-length': '2',
    });
    expect(bad.status).toBe(415);
  });

  it('answers a body that fails to decompress with 400', async () => {
    const res = await rawRequest(app, 'PUT', '/connectors/a/config', [Buffer.from('not gzip')], {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': '8',
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({
      error_code: 400,
      message: 'Could not read request body: incorrect header check',
    });
  });

  it.each([
    ['no body at all', undefined],
    ['a zero-length JSON body', ''],
  ])('answers %s where a config is required with 400', async (_label, body) => {
    let req = request(app).put('/connectors/a/config');
    if (body !== undefined) req = req.set('Content-Type', 'application/json').send(body);
    const res = await req;
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 400, message: 'Connector config must be a JSON object, got nothing' });
  });

  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"x"'],
    ['an array', '[]'],
  ])('answers a top-level JSON %s on POST /connectors with 400', async (label, text) => {
    const res = await request(app).post('/connectors').set('Content-Type', 'application/json').send(text);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`Request body must be a JSON object, got ${label}`);
  });

  it('ignores a body on endpoints that take none', async () => {
    const res = await request(app).put('/connectors/a/pause').set('Content-Type', 'text/plain').send('whatever');
    expect(res.status).toBe(202);
  });
});

describe('body size limit', () => {
  it('answers a body over the default 1 MiB limit with 413', async () => {
    const big = { 'connector.class': SINK, blob: 'x'.repeat(1024 * 1024) };
    const res = await request(app).put('/connectors/a/config').send(big);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error_code: 413, message: 'Request body exceeds the limit of 1048576 bytes' });
    expect(herder.callsOf('putConnectorConfig')).toEqual([]);
  });

  it('honours a configured maxBodyBytes', async () => {
    const small = createApp({ herder, maxBodyBytes: 128 });
    const under = await request(small).put('/connectors/a/config').send({ 'connector.class': SINK });
    expect(under.status).toBe(200);
    const over = await request(small)
      .put('/connectors/a/config')
      .send({ 'connector.class': SINK, topics: 't'.repeat(64) });
    expect(over.status).toBe(413);
    expect(over.body.message).toBe('Request body exceeds the limit of 128 bytes');
  });

  it('applies the limit to chunked bodies without Content-Length', async () => {
    const small = createApp({ herder, maxBodyBytes: 64 });
    const chunk = Buffer.from('{"connector.class":"' + 'x'.repeat(40));
    const res = await rawRequest(small, 'PUT', '/connectors/a/config', [chunk, chunk, Buffer.from('"}')], {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual({ error_code: 413, message: 'Request body exceeds the limit of 64 bytes' });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxBodyBytes %s at construction', (maxBodyBytes) => {
    expect(() => createApp({ herder, maxBodyBytes })).toThrow(ConfigValidationError);
  });
});

describe('unknown paths and methods', () => {
  it.each(['/nope', '/connectors/a/nope', '/connectors/a/tasks/0', '/CONNECTORS', '/admin/loggers'])(
    'answers GET %s with a 404 JSON body',
    async (path) => {
      const res = await request(app).get(path);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.body).toEqual({ error_code: 404, message: `Unknown path: GET ${path}` });
    },
  );

  it.each([
    ['delete', '/connectors', 'GET, HEAD, POST, OPTIONS'],
    ['post', '/connectors/a/status', 'GET, HEAD, OPTIONS'],
    ['get', '/connectors/a/pause', 'PUT, OPTIONS'],
    ['post', '/connectors/a/config', 'GET, HEAD, PUT, PATCH, OPTIONS'],
    ['get', '/connector-plugins/FileStreamSink/config/validate', 'PUT, OPTIONS'],
    ['put', '/health', 'GET, HEAD, OPTIONS'],
  ] as const)('answers %s %s with 405 and an Allow header', async (method, path, allow) => {
    const res = await request(app)[method](path);
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe(allow);
    expect(res.body.error_code).toBe(405);
    expect(res.body.message).toContain(`Method ${method.toUpperCase()} is not allowed`);
  });

  it('answers OPTIONS with 204 and the allowed methods', async () => {
    const res = await request(app).options('/connectors/a');
    expect(res.status).toBe(204);
    expect(res.headers['allow']).toBe('GET, HEAD, DELETE, OPTIONS');
  });

  it('answers malformed percent-encoding in the path with 400', async () => {
    const res = await request(app).get('/connectors/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 400, message: 'Malformed percent-encoding in the request path' });
  });

  it('tolerates a trailing slash', async () => {
    const res = await request(app).get('/connectors/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(['a']);
  });
});
