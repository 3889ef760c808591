import { createHmac, randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { RequestError } from '../http/request-error.js';
import { digestEquals, isPasswordHash, verifyPassword } from './password-hash.js';

/**
 * Who may call the REST API. With neither `basic` nor `bearer` (and not `disabled`) every request
 * is refused: configuring auth with no credentials is a mistake, not a way to open the API.
 */
export interface AuthOptions {
  /** HTTP Basic: user name → plaintext password or a `hashPassword` string (`$scrypt$…`). */
  basic?: { users: Readonly<Record<string, string>> };
  /** `Authorization: Bearer <token>`: any of these opaque tokens is accepted. */
  bearer?: { tokens: readonly string[] };
  /** Turns authentication off explicitly (the operator's choice; see `requireAuthFor`). */
  disabled?: boolean;
}

/** What a successful authentication established; kept in `res.locals.principal`. */
export interface Principal {
  scheme: 'basic' | 'bearer';
  /** The user name for basic; `bearer` for a token (tokens carry no identity). */
  name: string;
}

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  /** Requests that skip authentication (e.g. `GET /health`, signed internal requests). */
  isPublic?: (req: Request) => boolean;
  /** Realm named in the `WWW-Authenticate` challenges. Default `sluice`. */
  realm?: string;
}

/** Successful scrypt checks remembered, so a script's every call does not pay ~100 ms. */
const VERIFIED_CACHE_SIZE = 256;

/**
 * Express middleware enforcing `auth`. A request without acceptable credentials fails with a 401
 * carrying one `WWW-Authenticate` challenge per configured scheme; the message never says whether
 * the user exists. Secrets are compared in constant time. With `auth` undefined or `disabled`, it
 * lets everything through. Does not mutate `auth`.
 */
export function authenticate(auth: AuthOptions | undefined, options: AuthenticateOptions = {}): RequestHandler {
  if (auth === undefined || auth.disabled === true) return (_req, _res, next) => next();
  const realm = options.realm ?? 'sluice';
  const users = new Map(Object.entries(auth.basic?.users ?? {}));
  const tokens = [...(auth.bearer?.tokens ?? [])];
  const challenges = [
    ...(auth.basic !== undefined ? [`Basic realm="${realm}", charset="UTF-8"`] : []),
    ...(auth.bearer !== undefined ? [`Bearer realm="${realm}"`] : []),
  ];
  const headers: Record<string, string[]> = challenges.length > 0 ? { 'WWW-Authenticate': challenges } : {};
  const fail = (message: string) => new RequestError('UNAUTHORIZED', message, { headers });
  // A stored value to burn equal time on for unknown users, so response time does not reveal them.
  const decoy = [...users.values()].find(isPasswordHash) ?? [...users.values()][0] ?? '';
  const cacheKey = randomBytes(32);
  const verified = new Set<string>();

  const checkBasic = async (user: string, password: string): Promise<boolean> => {
    const stored = users.get(user);
    if (stored === undefined || !isPasswordHash(stored)) {
      const ok = await verifyPassword(password, stored ?? decoy);
      return ok && stored !== undefined;
    }
    const key = createHmac('sha256', cacheKey).update(user).update('\0').update(password).digest('base64');
    if (verified.has(key)) return true;
    if (!(await verifyPassword(password, stored))) return false;
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.values().next().value as string);
    verified.add(key);
    return true;
  };
  const checkBearer = (token: string): boolean =>
    // No early exit: every configured token is compared, so timing does not tell which was close.
    tokens.reduce((found, candidate) => digestEquals(token, candidate) || found, false);

  return (req, res, next) => {
    if (options.isPublic?.(req) === true) {
      next();
      return;
    }
    if (challenges.length === 0) {
      next(fail('No authentication scheme is configured on this listener; every request is refused'));
      return;
    }
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') {
      next(fail('Authentication required'));
      return;
    }
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const credentials = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'bearer' && auth.bearer !== undefined) {
      if (credentials !== '' && checkBearer(credentials)) {
        res.locals['principal'] = { scheme: 'bearer', name: 'bearer' } satisfies Principal;
        next();
      } else next(fail('Invalid credentials'));
      return;
    }
    if (scheme === 'basic' && auth.basic !== undefined) {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) {
        next(fail('Malformed Basic credentials'));
        return;
      }
      const user = decoded.slice(0, colon);
      checkBasic(user, decoded.slice(colon + 1)).then(
        (ok) => {
          if (!ok) {
            next(fail('Invalid credentials'));
            return;
          }
          res.locals['principal'] = { scheme: 'basic', name: user } satisfies Principal;
          next();
        },
        (err: unknown) => next(err),
      );
      return;
    }
    next(fail(`Unsupported authentication scheme; use ${challenges.map((c) => c.split(' ')[0]).join(' or ')}`));
  };
}
