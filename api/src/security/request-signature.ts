import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the base64 HMAC of the request body (Kafka Connect's name, KIP-507). */
export const SIGNATURE_HEADER = 'X-Connect-Authorization';
/** Header naming the HMAC algorithm in Java's spelling, e.g. `HmacSHA256`. */
export const SIGNATURE_ALGORITHM_HEADER = 'X-Connect-Request-Signature-Algorithm';
/** Kafka Connect's default for `inter.worker.signature.algorithm`. */
export const DEFAULT_SIGNATURE_ALGORITHM = 'HmacSHA256';

/** Java Mac names Kafka Connect workers use → Node digest names. */
const DIGESTS: Readonly<Record<string, string>> = {
  HmacSHA1: 'sha1',
  HmacSHA224: 'sha224',
  HmacSHA256: 'sha256',
  HmacSHA384: 'sha384',
  HmacSHA512: 'sha512',
};

/** The inter-worker key the leader distributes through the config topic (`session-key` record). */
export interface SessionKey {
  /** Raw key bytes (the record holds them base64-encoded). */
  key: Uint8Array;
  /** Key generation algorithm, e.g. `HmacSHA256`; informational here. */
  algorithm: string;
}

/** Why a signed request was refused; `MISSING` and `UNSUPPORTED_ALGORITHM` are 400s, `INVALID` a 403. */
export type SignatureFailure = 'MISSING' | 'UNSUPPORTED_ALGORITHM' | 'INVALID';

/** Result of {@link verifyRequest}. */
export type SignatureCheck = { valid: true } | { valid: false; reason: SignatureFailure; message: string };

/** True when `algorithm` is a Java HMAC name this module can compute. */
export function isSupportedSignatureAlgorithm(algorithm: string): boolean {
  return Object.hasOwn(DIGESTS, algorithm);
}

/**
 * Signs an internal request the way a Kafka Connect worker does: HMAC(`key`, exact body bytes) with
 * `algorithm` (Java name), returned as the two headers to send. A string body is signed as UTF-8;
 * sign the bytes you send, not a re-serialisation. Throws for an unsupported algorithm.
 */
export function signRequest(
  key: Uint8Array,
  algorithm: string,
  body: Uint8Array | string,
): Record<typeof SIGNATURE_HEADER | typeof SIGNATURE_ALGORITHM_HEADER, string> {
  return {
    [SIGNATURE_HEADER]: hmac(key, algorithm, body).toString('base64'),
    [SIGNATURE_ALGORITHM_HEADER]: algorithm,
  };
}

/**
 * Checks the signature headers of an internal request against `key` and the exact `body` bytes.
 * `headers` are Node's lower-cased request headers. The request's algorithm must be one of
 * `allowedAlgorithms` (`inter.worker.verification.algorithms`). The comparison is constant time.
 * Pure; never throws.
 */
export function verifyRequest(
  key: Uint8Array,
  body: Uint8Array | string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  allowedAlgorithms: readonly string[] = [DEFAULT_SIGNATURE_ALGORITHM],
): SignatureCheck {
  const signature = single(headers[SIGNATURE_HEADER.toLowerCase()]);
  const algorithm = single(headers[SIGNATURE_ALGORITHM_HEADER.toLowerCase()]);
  if (signature === undefined || algorithm === undefined) {
    return { valid: false, reason: 'MISSING', message: 'Internal request missing required signature' };
  }
  if (!allowedAlgorithms.includes(algorithm) || !isSupportedSignatureAlgorithm(algorithm)) {
    return {
      valid: false,
      reason: 'UNSUPPORTED_ALGORITHM',
      message:
        `This worker does not support the '${algorithm}' key signing algorithm used by other workers. ` +
        `This worker is currently configured to use: ${allowedAlgorithms.join(', ')}.`,
    };
  }
  const given = Buffer.from(signature, 'base64');
  const expected = hmac(key, algorithm, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: 'INVALID', message: 'Internal request contained invalid signature.' };
  }
  return { valid: true };
}

function hmac(key: Uint8Array, algorithm: string, body: Uint8Array | string): Buffer {
  const digest = DIGESTS[algorithm];
  if (digest === undefined) throw new Error(`Unsupported request signature algorithm '${algorithm}'`);
  return createHmac(digest, key).update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body).digest();
}

function single(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
