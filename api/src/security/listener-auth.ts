import { isIP } from 'node:net';
import type { AuthOptions } from './authentication.js';

/** Whether a REST listener must authenticate callers, and what the operator should be told. */
export interface ListenerAuthDecision {
  /** True unless the listener is reachable only from this machine, or auth was explicitly disabled. */
  required: boolean;
  /** Set when auth is explicitly disabled on a listener others can reach: log it at warn level. */
  warning: string | null;
  /**
   * Set when auth is required but no credentials are configured: the worker must refuse to start
   * with this text rather than serve an open API.
   */
  problem: string | null;
}

/**
 * Decides whether the REST listener bound to `listenerHost` (a host name or IP, brackets allowed,
 * as in `listeners=http://HOST:port`) needs authentication. Loopback-only listeners (127.0.0.0/8,
 * ::1, localhost) may run without it, as the quick start does; any other host, including the
 * wildcard `0.0.0.0` / `::` / empty host, requires it unless `auth.disabled` is set, in which case
 * a warning text is returned. Pure; never throws.
 */
export function requireAuthFor(listenerHost: string, auth: AuthOptions | undefined): ListenerAuthDecision {
  const host = listenerHost.trim().replace(/^\[(.*)\]$/, '$1');
  const configured = auth !== undefined && (auth.basic !== undefined || auth.bearer !== undefined);
  if (isLoopback(host)) return { required: false, warning: null, problem: null };
  if (auth?.disabled === true) {
    return {
      required: false,
      warning:
        `REST authentication is disabled on listener host '${listenerHost}', which is reachable from other ` +
        'machines: anyone who can connect can create connectors, which run code on this worker. ' +
        'Configure basic or bearer authentication, or bind the listener to 127.0.0.1.',
      problem: null,
    };
  }
  return {
    required: true,
    warning: null,
    problem: configured
      ? null
      : `REST listener host '${listenerHost}' is reachable from other machines, so authentication is required: ` +
        'configure basic users or bearer tokens, bind the listener to 127.0.0.1, or disable authentication explicitly.',
  };
}

/** True for names and addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  switch (isIP(h)) {
    case 4:
      return h.startsWith('127.');
    case 6:
      return h === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(h) || /^::ffff:127\./.test(h);
    default:
      return false;
  }
}
