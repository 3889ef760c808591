/**
 * What was wrong with a request, independent of how HTTP spells it. The error handler is the only
 * place that turns a kind into a status code, so route code never picks numbers for failures.
 */
export type RequestErrorKind =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'UNKNOWN_PATH'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SERVICE_UNAVAILABLE';

const BRAND = Symbol.for('sluice.api.RequestError');

/** Options of a {@link RequestError}. */
export interface RequestErrorOptions {
  cause?: unknown;
  /** Methods the path accepts; only for `METHOD_NOT_ALLOWED` (becomes the `Allow` header). */
  allowedMethods?: readonly string[];
  /** Extra response headers, e.g. `WWW-Authenticate` challenges on a 401. */
  headers?: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * A client mistake detected by the API layer itself (malformed JSON, wrong content type, a bad
 * path parameter, missing credentials, …). Its message is safe to echo to the caller: it never
 * contains config values or credentials.
 */
export class RequestError extends Error {
  readonly kind: RequestErrorKind;
  /** Methods the path accepts; set only for `METHOD_NOT_ALLOWED` (becomes the `Allow` header). */
  readonly allowedMethods: readonly string[];
  /** Headers the error response carries besides Content-Type. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;

  constructor(kind: RequestErrorKind, message: string, options: RequestErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RequestError';
    this.kind = kind;
    this.allowedMethods = options.allowedMethods ?? [];
    this.headers = options.headers ?? {};
    (this as unknown as Record<symbol, boolean>)[BRAND] = true;
  }

  /** True for a RequestError from any copy of this package. */
  static is(err: unknown): err is RequestError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Shorthand for the most common kind. */
export function badRequest(message: string): RequestError {
  return new RequestError('BAD_REQUEST', message);
}
