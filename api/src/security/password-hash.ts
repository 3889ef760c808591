import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cost parameters of a new hash: N = 2^ln (CPU/memory cost), r (block size), p (parallelism). */
export interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

/** OWASP's scrypt baseline (N=2^17, r=8, p=1): about 100 ms and 128 MiB per check on a 2020s core. */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = { ln: 17, r: 8, p: 1 };

const PREFIX = '$scrypt$';
const KEY_BYTES = 32;
const SALT_BYTES = 16;
// ln, r and p are bounded so a crafted hash in a config file cannot make a check take minutes.
const HASH_PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/**
 * Hashes `password` with scrypt and a random salt into the PHC string
 * `$scrypt$ln=17,r=8,p=1$<salt base64>$<hash base64>`, the form `auth.basic.users` accepts in place
 * of a plaintext password. Runs on libuv's thread pool; never blocks the event loop.
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(password, salt, params);
  return `${PREFIX}ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `stored` looks like a hash from {@link hashPassword} (else it is a plaintext password). */
export function isPasswordHash(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/**
 * Checks `password` against `stored`: a {@link hashPassword} string, or a plaintext password
 * (compared as SHA-256 digests so neither length nor content leaks through timing). Constant time
 * in the password's content. A malformed hash never matches. Does not throw.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (!isPasswordHash(stored)) return digestEquals(password, stored);
  const match = HASH_PATTERN.exec(stored);
  if (match === null) return false;
  const [, ln, r, p, salt, hash] = match;
  const expected = Buffer.from(hash ?? '', 'base64');
  if (expected.length < 16) return false;
  try {
    const actual = await scryptAsync(password, Buffer.from(salt ?? '', 'base64'), {
      ln: Number(ln),
      r: Number(r),
      p: Number(p),
    }, expected.length);
    return timingSafeEqual(actual, expected);
  } catch {
    // Parameters the platform refuses (e.g. over the memory limit) are a non-matching hash.
    return false;
  }
}

/** Equality of two secrets in time independent of where they differ and of their lengths. */
export function digestEquals(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function scryptAsync(password: string, salt: Buffer, params: ScryptParams, keyBytes = KEY_BYTES): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyBytes, options, (err, key) => (err === null ? resolve(key) : reject(err))),
  );
}
