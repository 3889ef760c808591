import {
  AlreadyExistsError,
  ConfigValidationError,
  ConnectError,
  DataError,
  IllegalStateError,
  NotFoundError,
  RetriableError,
  type ErrorCode,
} from '@sluice/core';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../test/support/validated-app.js';
import { errorResponse, INTERNAL_ERROR_MESSAGE } from './error-handler.js';
import { RequestError } from './http/request-error.js';
import { FakeHerder, RecordingLogger } from '../test/support/fake-herder.js';

const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

function appFailing(method: Parameters<FakeHerder['failWith']>[0], err: unknown) {
  const herder = new FakeHerder().seed('a', { 'connector.class': SOURCE }).failWith(method, err);
  const logger = new RecordingLogger();
  return { app: createApp({ herder, logger }), logger };
}

describe('error mapping of herder errors', () => {
  it.each([
    ['NOT_FOUND', 404],
    ['ALREADY_EXISTS', 409],
    ['CONFIG_INVALID', 400],
    ['ILLEGAL_STATE', 400],
    ['DATA_ERROR', 400],
    ['REBALANCE_IN_PROGRESS', 409],
    ['NOT_LEADER', 409],
    ['UNAUTHORIZED', 401],
    ['FORBIDDEN', 403],
    ['TIMEOUT', 500],
    ['RETRIABLE', 500],
    ['CONNECT_ERROR', 500],
  ] as [ErrorCode, number][])('answers %s with %i and the error message', async (code, status) => {
    const { app } = appFailing('connectorInfo', new ConnectError(`failure coded ${code}`, {}, code));
    const res = await request(app).get('/connectors/a');
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual({ error_code: status, message: `failure coded ${code}` });
  });

  it.each([
    [new NotFoundError('nf'), 404],
    [new AlreadyExistsError('ae'), 409],
    [new ConfigValidationError('cv', [{ name: 'x', errors: ['bad'] }]), 400],
    [new IllegalStateError('is'), 400],
    [new DataError('de'), 400],
    [new RetriableError('re'), 500],
  ])('maps the core error class %s', async (err, status) => {
    const { app } = appFailing('connectorStatus', err);
    const res = await request(app).get('/connectors/a/status');
    expect(res.body).toEqual({ error_code: status, message: err.message });
  });

  it('recognises a ConnectError from another copy of core by its brand, not instanceof', async () => {
    const foreign = Object.assign(new Error('Connector x already exists'), {
      code: 'ALREADY_EXISTS',
      retriable: false,
      context: {},
      [Symbol.for('sluice.ConnectError')]: true,
    });
    expect(foreign instanceof ConnectError).toBe(false);
    const { app } = appFailing('connectorInfo', foreign);
    const res = await request(app).get('/connectors/a');
    expect(res.body).toEqual({ error_code: 409, message: 'Connector x already exists' });
  });

  it('logs a server-side ConnectError at error level', async () => {
    const { app, logger } = appFailing('connectorInfo', new ConnectError('Request timed out', {}, 'TIMEOUT'));
    await request(app).get('/connectors/a');
    const entry = logger.entries.find((e) => e.level === 'error');
    expect(entry?.fields).toMatchObject({ method: 'GET', path: '/connectors/a', status: 500 });
  });
});

describe('unexpected errors', () => {
  it('answers 500 with a generic message and never the error text', async () => {
    const { app } = appFailing('connectorInfo', new Error('password=hunter2 leaked in a stack'));
    const res = await request(app).get('/connectors/a');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error_code: 500, message: INTERNAL_ERROR_MESSAGE });
    expect(res.text).not.toContain('hunter2');
  });

  it('logs the failure with its stack and cause', async () => {
    const { app, logger } = appFailing('connectors', new TypeError('boom', { cause: new Error('root cause') }));
    await request(app).get('/connectors');
    const entry = logger.entries.find((e) => e.level === 'error');
    expect(entry?.msg).toBe('REST request failed');
    const error = entry?.fields?.['error'] as Record<string, unknown>;
    expect(error['name']).toBe('TypeError');
    expect(error['message']).toBe('boom');
    expect(String(error['stack'])).toContain('TypeError: boom');
    expect(error['cause']).toMatchObject({ message: 'root cause' });
  });

  it('handles a thrown non-Error value', async () => {
    const { app } = appFailing('connectors', 'a string');
    const res = await request(app).get('/connectors');
    expect(res.status).toBe(500);
    expect(res.body.message).toBe(INTERNAL_ERROR_MESSAGE);
  });

  it('handles errors thrown synchronously by the herder', async () => {
    const { app } = appFailing('serverInfo', new Error('sync failure'));
    const res = await request(app).get('/');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error_code: 500, message: INTERNAL_ERROR_MESSAGE });
  });

  it('logs client mistakes at debug level only, without the message', async () => {
    const { app, logger } = appFailing('connectorInfo', new NotFoundError('Connector a not found'));
    await request(app).get('/connectors/a');
    expect(logger.entries.filter((e) => e.level === 'error')).toEqual([]);
    const debug = logger.entries.find((e) => e.msg === 'REST request rejected');
    expect(debug?.fields).toEqual({ method: 'GET', path: '/connectors/a', status: 404 });
  });
});

describe('errorResponse', () => {
  it.each([
    ['BAD_REQUEST', 400],
    ['UNKNOWN_PATH', 404],
    ['METHOD_NOT_ALLOWED', 405],
    ['PAYLOAD_TOO_LARGE', 413],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
  ] as const)('maps request error kind %s to %i', (kind, status) => {
    expect(errorResponse(new RequestError(kind, 'm'))).toEqual({ status, message: 'm', serverFault: false });
  });

  it('maps a URIError (bad percent-encoding) to 400', () => {
    expect(errorResponse(new URIError('URI malformed')).status).toBe(400);
  });

  it("keeps the status of Express's exposed client errors", () => {
    const err = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
    expect(errorResponse(err)).toEqual({ status: 413, message: 'request entity too large', serverFault: false });
  });

  it('does not trust an unexposed status', () => {
    const err = Object.assign(new Error('internal detail'), { status: 400, expose: false });
    expect(errorResponse(err)).toEqual({ status: 500, message: INTERNAL_ERROR_MESSAGE, serverFault: true });
  });
});
