import express from 'express';
import type { RequestHandler } from 'express';
import { bodyReadError, hasBody } from './json-body.js';

/**
 * Middleware that reads the request body as the exact bytes sent (after Content-Encoding is
 * undone) into `req.body` as a Buffer, empty when there is none, whatever its content type.
 * Signed internal requests need the bytes the signature covers, not a re-serialisation. Size and
 * encoding failures become request errors (413 / 415 / 400).
 */
export function rawBody(maxBodyBytes: number): RequestHandler {
  const read = express.raw({ limit: maxBodyBytes, type: () => true });
  return (req, res, next) => {
    if (!hasBody(req)) {
      req.body = Buffer.alloc(0);
      next();
      return;
    }
    read(req, res, (err?: unknown) => {
      if (err !== undefined) {
        next(bodyReadError(err, maxBodyBytes));
        return;
      }
      if (!Buffer.isBuffer(req.body)) req.body = Buffer.alloc(0);
      next();
    });
  };
}
