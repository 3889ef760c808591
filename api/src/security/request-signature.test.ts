import { describe, expect, it } from 'vitest';
import { SIGNATURE_ALGORITHM_HEADER, SIGNATURE_HEADER, signRequest, verifyRequest } from './request-signature.js';

const KEY = Buffer.from('Jefe');
const BODY = 'what do ya want for nothing?';
const lower = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

describe('signRequest', () => {
  it('signs with HMAC-SHA256 under the Java algorithm name (RFC 4231 test case 2)', () => {
    const headers = signRequest(KEY, 'HmacSHA256', BODY);
    expect(headers[SIGNATURE_ALGORITHM_HEADER]).toBe('HmacSHA256');
    expect(Buffer.from(headers[SIGNATURE_HEADER], 'base64').toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('uses the header names Kafka Connect workers send', () => {
    expect(Object.keys(signRequest(KEY, 'HmacSHA512', BODY)).sort()).toEqual([
      'X-Connect-Authorization',
      'X-Connect-Request-Signature-Algorithm',
    ]);
  });

  it('refuses an algorithm it cannot compute', () => {
    expect(() => signRequest(KEY, 'HmacMD5', BODY)).toThrow(/Unsupported request signature algorithm/);
  });
});

describe('verifyRequest', () => {
  it('accepts the exact signed bytes', () => {
    expect(verifyRequest(KEY, Buffer.from(BODY), lower(signRequest(KEY, 'HmacSHA256', BODY)))).toEqual({ valid: true });
  });

  it('rejects a body changed after signing as INVALID', () => {
    const check = verifyRequest(KEY, `${BODY} `, lower(signRequest(KEY, 'HmacSHA256', BODY)));
    expect(check).toEqual({ valid: false, reason: 'INVALID', message: 'Internal request contained invalid signature.' });
  });

  it('rejects a signature made with another key as INVALID', () => {
    const check = verifyRequest(KEY, BODY, lower(signRequest(Buffer.from('other'), 'HmacSHA256', BODY)));
    expect(check.valid).toBe(false);
    expect(!check.valid && check.reason).toBe('INVALID');
  });

  it('reports missing headers as MISSING', () => {
    expect(verifyRequest(KEY, BODY, {})).toEqual({
      valid: false,
      reason: 'MISSING',
      message: 'Internal request missing required signature',
    });
    const onlySignature = { 'x-connect-authorization': 'abc' };
    expect(verifyRequest(KEY, BODY, onlySignature).valid).toBe(false);
  });

  it('reports an algorithm outside the verification list as UNSUPPORTED_ALGORITHM', () => {
    const headers = lower(signRequest(KEY, 'HmacSHA512', BODY));
    const check = verifyRequest(KEY, BODY, headers, ['HmacSHA256']);
    expect(!check.valid && check.reason).toBe('UNSUPPORTED_ALGORITHM');
    expect(verifyRequest(KEY, BODY, headers, ['HmacSHA256', 'HmacSHA512'])).toEqual({ valid: true });
  });
});
