import { MongoClient, type MongoClientOptions } from 'mongodb';
import { ConfigValidationError, RetriableError } from '@sluice/core';

const URI_RE = /^(mongodb(?:\+srv)?):\/\/(?:[^@/]*@)?([^/?]*)(?:\/([^?]*))?/;

/** The parts of a connection URI that are safe to log and to use as an identity: no credentials, no options. */
export interface UriIdentity {
  readonly scheme: 'mongodb' | 'mongodb+srv';
  /** comma-separated host[:port] list, as written */
  readonly hosts: string;
}

/**
 * Extracts scheme and hosts from a MongoDB connection URI without its credentials or options.
 * @throws ConfigValidationError when `uri` is not a `mongodb://` or `mongodb+srv://` URI.
 */
export function uriIdentity(uri: string): UriIdentity {
  const m = URI_RE.exec(uri.trim());
  if (m === null || m[2] === undefined || m[2] === '') {
    throw new ConfigValidationError('connection.uri must be a mongodb:// or mongodb+srv:// URI with at least one host', [
      { name: 'connection.uri', errors: ['must be a mongodb:// or mongodb+srv:// URI with at least one host'] },
    ]);
  }
  return { scheme: m[1] as UriIdentity['scheme'], hosts: m[2] };
}

/** `scheme://hosts` with credentials and options removed: what logs and error messages may show. */
export function redactUri(uri: string): string {
  try {
    const { scheme, hosts } = uriIdentity(uri);
    return `${scheme}://${hosts}`;
  } catch {
    return '<unparseable connection.uri>';
  }
}

/** Problems with a connection URI for the validate endpoint; [] when it looks usable. Never throws. */
export function connectionUriErrors(uri: string | undefined): string[] {
  if (uri === undefined) return [];
  return URI_RE.test(uri.trim()) && (URI_RE.exec(uri.trim())?.[2] ?? '') !== ''
    ? []
    : ['must be a mongodb:// or mongodb+srv:// URI with at least one host'];
}

/**
 * Connects a client for a connector or task. `appName` shows up in the server's logs and `currentOp`.
 * A failure to reach the deployment is retriable; the URI (which may hold a password) is never part
 * of the error message.
 */
export async function connectMongo(uri: string, appName: string, options: MongoClientOptions = {}): Promise<MongoClient> {
  const client = new MongoClient(uri, { appName, serverSelectionTimeoutMS: 30_000, ...options });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.close().catch(() => {});
    throw new RetriableError(`cannot connect to MongoDB at ${redactUri(uri)}: ${errorMessage(err)}`, { cause: err });
  }
}

/** An error's message without assuming its type. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
