import type { Response } from 'express';

/**
 * Writes `body` as the whole response. The Content-Type is exactly `application/json` (what Kafka
 * Connect sends): JSON is UTF-8 by definition, so Express's `; charset=utf-8` suffix is left off.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const payload = JSON.stringify(body) ?? 'null';
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}

/** Ends the response with `status` and no body (202 Accepted, 204 No Content). */
export function sendEmpty(res: Response, status: number): void {
  res.statusCode = status;
  res.end();
}
