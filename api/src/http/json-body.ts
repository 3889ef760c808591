import express from 'express';
import type { Request, RequestHandler } from 'express';
import { RequestError } from './request-error.js';

/** Default cap on a request body: connector configs are small, so 1 MiB is generous. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Middleware for routes that read a JSON body. After it runs, `req.body` is the parsed value, or
 * `undefined` when the request carried no body at all (the route decides whether that is an error).
 *
 * A body with any other content type is rejected (415) rather than silently ignored, so a
 * `curl -d` without `-H 'Content-Type: application/json'` gets a clear answer. Parse, size and
 * charset failures become {@link RequestError}s; the caller's bytes are never logged.
 */
export function jsonBody(maxBodyBytes: number): RequestHandler[] {
  // Not strict: a top-level string or number parses, and the route answers "must be a JSON object"
  // instead of an opaque syntax error.
  const parse = express.json({ limit: maxBodyBytes, strict: false, type: JSON_TYPES });
  const requireJson: RequestHandler = (req, _res, next) => {
    if (hasBody(req) && !req.is(JSON_TYPES)) {
      const given = req.headers['content-type'];
      next(
        new RequestError(
          'UNSUPPORTED_MEDIA_TYPE',
          given === undefined || given.trim() === ''
            ? 'Request body must be JSON; set Content-Type: application/json'
            : `Unsupported Content-Type '${given}'; request bodies must be application/json`,
        ),
      );
      return;
    }
    if (!hasBody(req)) req.body = undefined;
    next();
  };
  const parseAndTranslate: RequestHandler = (req, res, next) => {
    if (!hasBody(req)) {
      next();
      return;
    }
    parse(req, res, (err?: unknown) => next(err === undefined ? undefined : bodyReadError(err, maxBodyBytes)));
  };
  return [requireJson, parseAndTranslate];
}

/** Content-Length 0 counts as "no body", so an empty PUT is a 400 about the body, not a 415. */
export function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/**
 * Turns body-parser's errors (identified by their `type`) into request errors; anything else is
 * returned unchanged. Shared by every route that reads a body, JSON or raw.
 */
export function bodyReadError(err: unknown, maxBodyBytes: number): unknown {
  const type = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  const message = err instanceof Error ? err.message : String(err);
  switch (type) {
    case 'entity.parse.failed':
      return new RequestError('BAD_REQUEST', `Malformed JSON in request body: ${message}`);
    case 'entity.too.large':
      return new RequestError('PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${maxBodyBytes} bytes`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new RequestError('UNSUPPORTED_MEDIA_TYPE', `Unsupported request body encoding: ${message}`);
    case 'request.aborted':
    case 'request.size.invalid':
    case 'entity.verify.failed':
      return new RequestError('BAD_REQUEST', `Could not read request body: ${message}`);
    default:
      // A body that fails to decompress surfaces as a bare 400 from body-parser.
      return (err as { status?: unknown }).status === 400
        ? new RequestError('BAD_REQUEST', `Could not read request body: ${message}`)
        : err;
  }
}
