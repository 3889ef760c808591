/**
 * Stable error codes. Checks use `code` (or the static `is()` guards) rather than `instanceof`,
 * because two copies of `@sluice/core` may be loaded in one process (a connector bundling its own).
 */
export type ErrorCode =
  | 'CONNECT_ERROR'
  | 'RETRIABLE'
  | 'DATA_ERROR'
  | 'CONFIG_INVALID'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ILLEGAL_STATE'
  | 'REBALANCE_IN_PROGRESS'
  | 'NOT_LEADER'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'TIMEOUT';

/** Structured context attached to an error; never contains record payloads. */
export interface ErrorContext {
  connector?: string;
  task?: number;
  topic?: string;
  partition?: number;
  offset?: number;
  [key: string]: unknown;
}

export interface ConnectErrorOptions {
  cause?: unknown;
  context?: ErrorContext;
  retriable?: boolean;
}

const BRAND = Symbol.for('sluice.ConnectError');

/** Root of every error Sluice raises on purpose. */
export class ConnectError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(message: string, options: ConnectErrorOptions = {}, code: ErrorCode = 'CONNECT_ERROR') {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
    (this as unknown as Record<symbol, boolean>)[BRAND] = true;
  }

  /** True for any ConnectError, from this or another copy of core. */
  static is(err: unknown): err is ConnectError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }

  static hasCode(err: unknown, code: ErrorCode): err is ConnectError {
    return ConnectError.is(err) && err.code === code;
  }
}

/** A transient failure: the caller should back off and retry (broker unavailable, lock timeout, …). */
export class RetriableError extends ConnectError {
  constructor(message: string, options: ConnectErrorOptions = {}) {
    super(message, { ...options, retriable: true }, 'RETRIABLE');
  }
  static override is(err: unknown): err is RetriableError {
    return ConnectError.is(err) && (err.code === 'RETRIABLE' || err.retriable);
  }
}

/** A record or value that does not fit its schema or cannot be converted. */
export class DataError extends ConnectError {
  constructor(message: string, options: ConnectErrorOptions = {}) {
    super(message, options, 'DATA_ERROR');
  }
  static override is(err: unknown): err is DataError {
    return ConnectError.hasCode(err, 'DATA_ERROR');
  }
}

/** One failed config field: `name` is the config key, `errors` the human-readable problems. */
export interface ConfigFieldError {
  name: string;
  errors: string[];
}

/** Thrown by `parse` when a config is invalid; `fields` names every bad key. */
export class ConfigValidationError extends ConnectError {
  readonly fields: ConfigFieldError[];
  constructor(message: string, fields: ConfigFieldError[] = [], options: ConnectErrorOptions = {}) {
    super(message, options, 'CONFIG_INVALID');
    this.fields = fields;
  }
  static override is(err: unknown): err is ConfigValidationError {
    return ConnectError.hasCode(err, 'CONFIG_INVALID');
  }
}

export class NotFoundError extends ConnectError {
  constructor(message: string, options: ConnectErrorOptions = {}) {
    super(message, options, 'NOT_FOUND');
  }
  static override is(err: unknown): err is NotFoundError {
    return ConnectError.hasCode(err, 'NOT_FOUND');
  }
}

export class AlreadyExistsError extends ConnectError {
  constructor(message: string, options: ConnectErrorOptions = {}) {
    super(message, options, 'ALREADY_EXISTS');
  }
  static override is(err: unknown): err is AlreadyExistsError {
    return ConnectError.hasCode(err, 'ALREADY_EXISTS');
  }
}

export class IllegalStateError extends ConnectError {
  constructor(message: string, options: ConnectErrorOptions = {}) {
    super(message, options, 'ILLEGAL_STATE');
  }
  static override is(err: unknown): err is IllegalStateError {
    return ConnectError.hasCode(err, 'ILLEGAL_STATE');
  }
}

/** Formats an error and its cause chain as text for status `trace` fields. Never includes payloads. */
export function errorTrace(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  let depth = 0;
  while (current !== undefined && current !== null && depth < 8) {
    if (current instanceof Error) {
      parts.push(depth === 0 ? (current.stack ?? `${current.name}: ${current.message}`) : `Caused by: ${current.stack ?? current.message}`);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(`${depth === 0 ? '' : 'Caused by: '}${String(current)}`);
      current = undefined;
    }
    depth++;
  }
  return parts.join('\n');
}
