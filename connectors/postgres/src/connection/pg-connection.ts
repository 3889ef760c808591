import { readFileSync } from 'node:fs';
import { ConnectError, RetriableError } from '@sluice/core';
import pg from 'pg';

/** How to reach the server; the password is never logged (see `describeEndpoint`). */
export interface PgEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly sslMode: 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
  /** PEM file with CA certificates for verify-ca / verify-full; empty for the system CAs */
  readonly sslRootCert: string;
}

/**
 * Session settings both connections use, so the text output of every type is in one known format
 * whatever the server's defaults are: UTC, ISO dates, ISO-8601 intervals, hex bytea, shortest exact
 * floats.
 */
export const SESSION_OPTIONS =
  '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c bytea_output=hex -c extra_float_digits=3 -c lc_monetary=C';

/** `pg.ClientConfig` plus the `replication` startup parameter the typings do not declare. */
export type PgClientConfig = pg.ClientConfig & { replication?: 'database' };

function sslFor(endpoint: PgEndpoint): pg.ClientConfig['ssl'] {
  switch (endpoint.sslMode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full': {
      const ca = endpoint.sslRootCert === '' ? undefined : readFileSync(endpoint.sslRootCert, 'utf8');
      return {
        rejectUnauthorized: true,
        ...(ca === undefined ? {} : { ca }),
        // verify-ca checks the chain only, not that the certificate names this host
        ...(endpoint.sslMode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
      };
    }
  }
}

/** Client settings for a regular (`replication: false`) or logical replication connection. */
export function clientConfig(
  endpoint: PgEndpoint,
  options: { replication?: boolean; applicationName?: string } = {},
): PgClientConfig {
  return {
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password,
    database: endpoint.database,
    ssl: sslFor(endpoint),
    options: SESSION_OPTIONS,
    application_name: options.applicationName ?? 'sluice',
    connectionTimeoutMillis: 30_000,
    keepAlive: true,
    ...(options.replication === true ? { replication: 'database' as const } : {}),
  };
}

/** `user@host:port/db` for logs and messages (never the password). */
export function describeEndpoint(endpoint: Pick<PgEndpoint, 'host' | 'port' | 'user' | 'database'>): string {
  return `${endpoint.user}@${endpoint.host}:${endpoint.port}/${endpoint.database}`;
}

/** Opens a client; the error names the endpoint and is retriable when the failure is transient. */
export async function connectClient(config: PgClientConfig, what: string): Promise<pg.Client> {
  const client = new pg.Client(config);
  // A server shutdown or a dropped socket is emitted as an 'error' event: without a listener it would
  // crash the worker. The failure still reaches the caller through its pending and next queries.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw wrapPgError(err, `Could not open the ${what} connection to ${describeEndpoint(config as PgEndpoint)}`);
  }
  return client;
}

// SQLSTATE classes / codes worth retrying: connection failures, shutdowns, serialization failures,
// deadlocks, lock timeouts, too many connections.
const RETRIABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '53300', '57P01', '57P02', '57P03', '58000', '58030']);
const RETRIABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** The SQLSTATE of a driver error, or undefined. */
export function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; syscall?: unknown; errno?: unknown } | null;
  const code = e?.code;
  // Node's socket errors look like SQLSTATEs at times (EPIPE is five capitals): they carry a syscall.
  if (e?.syscall !== undefined || typeof e?.errno === 'number' || (typeof code === 'string' && RETRIABLE_NODE_CODES.has(code))) return undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True for failures that may succeed when retried (lost connection, shutdown, deadlock, …). */
export function isTransientPgError(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined) return state.startsWith('08') || RETRIABLE_SQLSTATES.has(state);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RETRIABLE_NODE_CODES.has(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed and is not queryable/i.test(
    message,
  );
}

/**
 * Wraps a driver error with context: a RetriableError for transient failures, else a ConnectError.
 * The driver's message is kept (it names SQLSTATE problems) but never a query's parameters.
 */
export function wrapPgError(err: unknown, context: string): ConnectError {
  if (ConnectError.is(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const state = sqlState(err);
  const text = `${context}: ${message}${state === undefined ? '' : ` (SQLSTATE ${state})`}`;
  return isTransientPgError(err) ? new RetriableError(text, { cause: err }) : new ConnectError(text, { cause: err });
}

/** Quotes an identifier for SQL (`"my ""table"""`). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for SQL (only for commands that take no parameters, e.g. replication). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
