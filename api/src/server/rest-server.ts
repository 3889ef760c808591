import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';

/** TLS material for an `https://` listener (PEM text or buffers, as `node:tls` takes them). */
export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** Key passphrase, if the key is encrypted. */
  passphrase?: string;
  /** CAs that client certificates must chain to; with `requireClientCert`, enables mTLS. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Refuse clients without a certificate signed by `ca` (Kafka Connect's `ssl.client.auth=required`). */
  requireClientCert?: boolean;
  /** Oldest protocol accepted. Default `TLSv1.2`. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/**
 * Creates (does not start) the HTTP or, with `tls`, HTTPS server for one REST listener serving
 * `handler` (usually `createApp(...)`). A TLS listener never answers plain HTTP. Throws if the TLS
 * material is invalid, so a misconfigured worker fails at startup rather than on first request.
 */
export function createRestServer(handler: RequestListener, tls?: TlsOptions): HttpServer | HttpsServer {
  if (tls === undefined) return createHttpServer(handler);
  return createHttpsServer(
    {
      cert: tls.cert,
      key: tls.key,
      ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      requestCert: tls.requireClientCert === true,
      rejectUnauthorized: tls.requireClientCert === true,
      minVersion: tls.minVersion ?? 'TLSv1.2',
    },
    handler,
  );
}
