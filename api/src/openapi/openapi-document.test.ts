import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp as createRealApp } from '../app.js';
import { createApp } from '../../test/support/validated-app.js';
import { ExtendedFakeHerder } from '../../test/support/extended-fake-herder.js';
import { FakeHerder } from '../../test/support/fake-herder.js';
import { OPENAPI_DOCUMENT_PATH, openApiDocument } from './openapi-document.js';
import { createOpenApiValidator } from './openapi-validator.js';

type Json = Record<string, any>;
const doc = openApiDocument() as Json;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every (path, method) the app mounts, with Express `:param` turned into OpenAPI `{param}`. */
function mountedOperations(app: ReturnType<typeof createRealApp>): string[] {
  const out: string[] = [];
  const walk = (stack: Json[]) => {
    for (const layer of stack) {
      if (layer['route'] !== undefined) {
        const path = String(layer['route'].path).replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer['route'].methods)) if (method !== '_all') out.push(`${method.toUpperCase()} ${path}`);
      } else if (Array.isArray(layer['handle']?.stack)) walk(layer['handle'].stack);
    }
  };
  walk((app as unknown as { router: { stack: Json[] } }).router.stack);
  return out.sort();
}

function documentedOperations(): string[] {
  return Object.entries(doc['paths'] as Json)
    .flatMap(([path, item]) => METHODS.filter((m) => item[m] !== undefined).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, found));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refs(v, found);
    }
  }
  return found;
}

describe('api/openapi.json', () => {
  it('is an OpenAPI 3.1 document', () => {
    expect(doc['openapi']).toBe('3.1.0');
    expect(doc['info'].title).toBe('Sluice REST API');
  });

  it('documents exactly the operations a fully featured app mounts', () => {
    const app = createRealApp({ herder: new ExtendedFakeHerder(), internal: { sessionKey: () => null } });
    expect(documentedOperations()).toEqual(mountedOperations(app));
  });

  it('resolves every $ref', () => {
    for (const ref of refs(doc)) {
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], doc);
      expect(target, ref).toBeDefined();
    }
  });

  it('documents an error body, 401 and 500 for every operation, and has unique operation ids', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc['paths'] as Json)) {
      for (const method of METHODS.filter((m) => item[m] !== undefined)) {
        const op = item[method];
        expect(ids.has(op.operationId), `${method} ${path} operationId`).toBe(false);
        ids.add(op.operationId);
        if (path === '/health') continue; // its 500 is the unhealthy WorkerHealth, not an error body
        for (const status of ['401', '500']) expect(op.responses[status], `${method} ${path} ${status}`).toBeDefined();
      }
    }
  });
});

describe('GET /openapi.json', () => {
  it('serves the document kept in the repository, byte for byte as JSON', async () => {
    const res = await request(createApp({ herder: new FakeHerder() })).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual(JSON.parse(readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8')));
  });
});

describe('createOpenApiValidator', () => {
  const validator = createOpenApiValidator();
  const ok = { method: 'GET', path: '/connectors/a', status: 200, contentType: 'application/json' };
  const info = JSON.stringify({ name: 'a', config: { x: 'y' }, tasks: [{ connector: 'a', task: 0 }], type: 'sink' });

  it('accepts a conforming response', () => {
    expect(validator.check({ ...ok, body: info })).toEqual([]);
  });

  it('reports a body that breaks the schema, naming the field', () => {
    const bad = JSON.stringify({ name: 'a', config: { x: 1 }, tasks: [], type: 'sideways' });
    const problems = validator.check({ ...ok, body: bad });
    expect(problems.some((p) => p.includes('/config/x'))).toBe(true);
    expect(problems.some((p) => p.includes('/type'))).toBe(true);
    expect(() => validator.assert({ ...ok, body: bad })).toThrow(/does not match the OpenAPI document/);
  });

  it('reports undocumented statuses, paths and methods', () => {
    expect(validator.check({ ...ok, status: 418, body: info })).toEqual([
      'GET /connectors/a → 418: status 418 is not documented for GET /connectors/{name}',
    ]);
    expect(validator.check({ ...ok, path: '/nowhere', body: '' })[0]).toMatch(/path not in the OpenAPI document/);
    expect(validator.check({ ...ok, method: 'POST', body: '' })[0]).toMatch(/expected 405/);
  });

  it('reports a body where none is documented, and a wrong content type', () => {
    expect(validator.check({ method: 'DELETE', path: '/connectors/a', status: 204, body: '{}' })[0]).toMatch(
      /documented without a body/,
    );
    expect(validator.check({ ...ok, contentType: 'text/html', body: info })[0]).toMatch(/is not application\/json/);
  });

  it('matches literal path segments before templated ones', () => {
    const problems = validator.check({
      method: 'PUT',
      path: '/connector-plugins/FileStreamSink/config/validate',
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ name: 'x', error_count: 0, groups: [], configs: [] }),
    });
    expect(problems).toEqual([]);
  });
});
