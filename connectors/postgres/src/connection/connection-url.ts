import { DataError } from '@sluice/core';
import type { PgEndpoint } from './pg-connection.js';

const SSL_MODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);

/**
 * Parses a JDBC URL (`jdbc:postgresql://host[:port]/db[?user=…&password=…&sslmode=…]`) or a libpq URL
 * (`postgres[ql]://[user[:password]@]host[:port]/db[?sslmode=…]`). Credentials given separately
 * (`username`, `password`) win over those in the URL. Only the first host of a multi-host URL is used.
 * @throws DataError naming what is wrong (never echoing a password).
 */
export function parseConnectionUrl(url: string, username: string, password: string): PgEndpoint {
  const trimmed = url.trim();
  const jdbc = /^jdbc:postgresql:/i.test(trimmed);
  const rest = jdbc ? trimmed.replace(/^jdbc:postgresql:/i, '') : trimmed;
  if (!jdbc && !/^postgres(ql)?:\/\//i.test(rest)) {
    throw new DataError('connection.url must start with jdbc:postgresql:// or postgres:// (postgresql://)');
  }
  // WHATWG URL cannot parse a host list (`h1:1,h2:2`): keep the first host only
  const single = rest.replace(
    /^((?:[a-z]+:)?\/\/(?:[^@/]*@)?)([^/?]*)/i,
    (_m, head: string, hosts: string) => `${head}${hosts.split(',')[0] ?? ''}`,
  );
  let parsed: URL;
  try {
    // URL needs a scheme it knows how to split; the authority/path rules are the same
    parsed = new URL(jdbc ? `postgresql:${single}` : single);
  } catch {
    throw new DataError('connection.url is not a valid URL');
  }
  const host = decodeURIComponent(parsed.hostname).replace(/^\[|\]$/g, '');
  if (host === '') throw new DataError('connection.url has no host');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') throw new DataError('connection.url has no database name');
  const params = parsed.searchParams;
  const sslMode = (params.get('sslmode') ?? (params.get('ssl') === 'true' ? 'require' : 'prefer')).toLowerCase();
  if (!SSL_MODES.has(sslMode)) throw new DataError(`connection.url has an unknown sslmode "${sslMode}"`);
  const user = username !== '' ? username : (params.get('user') ?? decodeURIComponent(parsed.username));
  if (user === '') throw new DataError('No user: set connection.username or put the user in connection.url');
  return {
    host,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user,
    password: password !== '' ? password : (params.get('password') ?? decodeURIComponent(parsed.password)),
    database,
    sslMode: sslMode as PgEndpoint['sslMode'],
    sslRootCert: params.get('sslrootcert') ?? '',
  };
}
