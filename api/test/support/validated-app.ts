/**
 * `createApp` for the API's unit tests: the same app, with every response it writes checked against
 * api/openapi.json. A response that departs from the document fails the test that caused it (in
 * `afterEach`), so each test of the suite is also a test of the document.
 *
 *   import { createApp } from '../../test/support/validated-app.js';
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { afterEach, expect } from 'vitest';
import { createApp as createRealApp, type AppOptions } from '../../src/app.js';
import { createOpenApiValidator } from '../../src/openapi/openapi-validator.js';

const validator = createOpenApiValidator();
let problems: string[] = [];
let checked = 0;

/** How many responses the validator has checked in this test file so far. */
export function checkedResponses(): number {
  return checked;
}

afterEach(() => {
  const found = problems;
  problems = [];
  expect(found, 'responses must match api/openapi.json').toEqual([]);
});

/** Builds the real app and wraps it so every response is validated once it has been written. */
export function createApp(options: AppOptions): express.Express {
  const app = createRealApp(options);
  const wrapper = express();
  wrapper.disable('x-powered-by');
  wrapper.use((req, res, next) => {
    observe(req, res);
    app(req, res, next);
  });
  return wrapper;
}

function observe(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  const keep = (chunk: unknown) => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  (res as { write: unknown }).write = (...args: unknown[]) => {
    keep(args[0]);
    return write(...args);
  };
  (res as { end: unknown }).end = (...args: unknown[]) => {
    if (typeof args[0] !== 'function') keep(args[0]);
    return end(...args);
  };
  res.once('finish', () => {
    checked++;
    const contentType = res.getHeader('content-type');
    problems.push(
      ...validator.check({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status: res.statusCode,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      }),
    );
  });
}
