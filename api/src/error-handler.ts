import { ConnectError, type ErrorCode, type Logger } from '@sluice/core';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { RequestError, type RequestErrorKind } from './http/request-error.js';
import { sendJson } from './http/send-json.js';

/** The body of every error response, as Kafka Connect's `ConnectExceptionMapper` writes it. */
export interface ErrorBody {
  error_code: number;
  message: string;
}

/** How one error is answered: the status, the body's message, and whether it is the server's fault. */
export interface ErrorResponse {
  status: number;
  message: string;
  /** True for 5xx: logged at error level with the stack. Client mistakes are logged at debug. */
  serverFault: boolean;
}

/** Statuses for herder errors; exhaustive so a new core error code cannot silently become a 500. */
const CONNECT_ERROR_STATUS: Record<ErrorCode, number> = {
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFIG_INVALID: 400,
  ILLEGAL_STATE: 400,
  DATA_ERROR: 400,
  REBALANCE_IN_PROGRESS: 409,
  NOT_LEADER: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  // Kafka Connect answers a request timeout with 500, and clients rely on that.
  TIMEOUT: 500,
  RETRIABLE: 500,
  CONNECT_ERROR: 500,
};

const REQUEST_ERROR_STATUS: Record<RequestErrorKind, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  UNKNOWN_PATH: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SERVICE_UNAVAILABLE: 503,
};

/** Never reveals internals of an unexpected failure; the log has the details. */
export const INTERNAL_ERROR_MESSAGE = 'Internal server error; see the worker log for details';

/**
 * The single mapping from errors to HTTP statuses. Pure: does not log or write anything.
 * - {@link RequestError}s (client mistakes found by the API layer) by kind;
 * - `@sluice/core` errors by `code` (see herder.ts), keeping their message;
 * - malformed percent-encoding in the path and Express's own exposed 4xx errors → their 4xx;
 * - anything else → 500 with a generic message.
 */
export function errorResponse(err: unknown): ErrorResponse {
  if (RequestError.is(err)) {
    return { status: REQUEST_ERROR_STATUS[err.kind], message: err.message, serverFault: false };
  }
  if (ConnectError.is(err)) {
    const status = CONNECT_ERROR_STATUS[err.code] ?? 500;
    return { status, message: err.message, serverFault: status >= 500 };
  }
  if (err instanceof URIError) {
    return { status: 400, message: 'Malformed percent-encoding in the request path', serverFault: false };
  }
  const status = exposedClientStatus(err);
  if (status !== undefined) {
    return { status, message: (err as Error).message, serverFault: false };
  }
  return { status: 500, message: INTERNAL_ERROR_MESSAGE, serverFault: true };
}

/** http-errors marks client errors safe to show with `expose`; used by Express and body-parser. */
function exposedClientStatus(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const { status, expose } = err as Error & { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Express error middleware writing `{"error_code", "message"}` with the status from
 * {@link errorResponse}. Server faults are logged with their stack; request bodies never are.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const response = errorResponse(err);
    const fields = { method: req.method, path: req.path, status: response.status };
    if (response.serverFault) {
      logger.error('REST request failed', { ...fields, error: describe(err) });
    } else {
      // The message is not logged: a JSON parse error quotes the body, which may hold a secret.
      logger.debug('REST request rejected', fields);
    }
    if (res.headersSent) {
      // Too late for a JSON error; Express's default handler aborts the connection.
      next(err);
      return;
    }
    if (RequestError.is(err)) {
      if (err.allowedMethods.length > 0) res.setHeader('Allow', err.allowedMethods.join(', '));
      for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
    }
    const body: ErrorBody = { error_code: response.status, message: response.message };
    sendJson(res, response.status, body);
  };
}

/** Final middleware: whatever no route matched is an unknown path (404 JSON, not Express's HTML). */
export function unknownPath(): RequestHandler {
  return (req: Request, _res, next) =>
    next(new RequestError('UNKNOWN_PATH', `Unknown path: ${req.method} ${req.path}`));
}

/** Name, message, stack and cause chain of a server-side failure, for the log only. */
function describe(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { value: String(err) };
  const out: Record<string, unknown> = { name: err.name, message: err.message, stack: err.stack };
  if (ConnectError.is(err)) out['code'] = err.code;
  // Bounded: a cause chain can be cyclic.
  if (err.cause !== undefined && depth < 5) out['cause'] = describe(err.cause, depth + 1);
  return out;
}
