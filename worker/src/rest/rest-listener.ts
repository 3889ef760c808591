import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { RequestListener } from 'node:http';
import { createRestServer, requireAuthFor, type AuthOptions, type ClientOverrideOptions, type ClientOverridePolicy, type TlsOptions } from '@sluice/api';
import type { Logger } from '@sluice/core';
import { listenerAddress, type WorkerConfig } from '../config/worker-config.js';

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * REST authentication from worker settings:
 * - `rest.auth.basic.users`: `user:password` pairs, comma-separated (a password may be a
 *   `hashPassword` string, `$scrypt$…`);
 * - `rest.auth.bearer.tokens`: accepted bearer tokens, comma-separated;
 * - `rest.auth.disabled=true`: explicitly open (a warning is logged on non-loopback listeners).
 */
export function restAuth(config: WorkerConfig): AuthOptions | undefined {
  const auth: AuthOptions = {};
  const users = list(config['rest.auth.basic.users']);
  if (users.length > 0) {
    const map: Record<string, string> = {};
    for (const pair of users) {
      const i = pair.indexOf(':');
      if (i <= 0) throw new Error('rest.auth.basic.users must be a comma-separated list of user:password pairs');
      map[pair.slice(0, i)] = pair.slice(i + 1);
    }
    auth.basic = { users: map };
  }
  const tokens = list(config['rest.auth.bearer.tokens']);
  if (tokens.length > 0) auth.bearer = { tokens };
  if ((config['rest.auth.disabled'] ?? 'false').toLowerCase() === 'true') auth.disabled = true;
  return auth.basic || auth.bearer || auth.disabled ? auth : undefined;
}

/** TLS for an `https://` listener: `listeners.https.ssl.*` (PEM files), falling back to `ssl.*`. */
export function restTls(config: WorkerConfig): TlsOptions | undefined {
  const { protocol } = listenerAddress(config);
  if (protocol !== 'https') return undefined;
  const get = (k: string) => config[`listeners.https.ssl.${k}`] ?? config[`ssl.${k}`];
  const cert = get('certificate.location');
  const key = get('key.location');
  if (!cert || !key) {
    throw new Error('An https listener needs listeners.https.ssl.certificate.location and listeners.https.ssl.key.location (PEM files)');
  }
  const tls: TlsOptions = { cert: readFileSync(cert), key: readFileSync(key) };
  const passphrase = get('key.password');
  if (passphrase) tls.passphrase = passphrase;
  const ca = get('ca.location');
  if (ca) tls.ca = readFileSync(ca);
  if ((get('client.auth') ?? 'none') === 'required') tls.requireClientCert = true;
  return tls;
}

/** `connector.client.config.override.policy` (+ `…allowlist`), default the API's safe Allowlist policy. */
export function clientOverrides(config: WorkerConfig): ClientOverrideOptions | undefined {
  const policy = config['connector.client.config.override.policy'] as ClientOverridePolicy | undefined;
  const allowlist = list(config['connector.client.config.override.allowlist']);
  if (!policy && allowlist.length === 0) return undefined;
  return { policy: policy ?? 'Allowlist', ...(allowlist.length > 0 ? { allowlist } : {}) };
}

/**
 * Checks the listener's security before anything listens: a listener reachable from other machines
 * must have authentication unless the operator disabled it explicitly (then a warning is logged).
 */
export function checkListenerSecurity(config: WorkerConfig, logger: Logger): { auth: AuthOptions | undefined } {
  const { host } = listenerAddress(config);
  const auth = restAuth(config);
  const decision = requireAuthFor(host, auth);
  if (decision.problem) throw new Error(decision.problem);
  if (decision.warning) logger.warn(decision.warning);
  return { auth: auth?.disabled ? undefined : auth };
}

/** Creates the (HTTP or HTTPS) server and binds it; resolves with the bound port. */
export async function listen(config: WorkerConfig, handler?: RequestListener): Promise<{ server: Server; port: number; protocol: string; host: string }> {
  const { host, port, protocol } = listenerAddress(config);
  const server = createRestServer(handler ?? (() => undefined), restTls(config)) as Server;
  if (!handler) server.removeAllListeners('request');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port, protocol, host };
}

/**
 * `admin.listeners` (Kafka Connect semantics): unset → `/admin/*` on the main listener; empty →
 * admin endpoints disabled; a URL → served only there (same auth and TLS settings).
 */
export function adminListenerConfig(config: WorkerConfig): { mainEndpoints: 'all' | 'public'; admin: WorkerConfig | null } {
  const admin = config['admin.listeners'];
  if (admin === undefined) return { mainEndpoints: 'all', admin: null };
  if (admin.trim() === '') return { mainEndpoints: 'public', admin: null };
  return { mainEndpoints: 'public', admin: { ...config, listeners: admin } };
}
