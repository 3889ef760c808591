import { describe, expect, it } from 'vitest';
import { digestEquals, hashPassword, isPasswordHash, verifyPassword } from './password-hash.js';

const FAST = { ln: 10, r: 8, p: 1 };

describe('hashPassword / verifyPassword', () => {
  it('produces a salted PHC scrypt string that verifies only the original password', async () => {
    const a = await hashPassword('pw', FAST);
    const b = await hashPassword('pw', FAST);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(isPasswordHash(a)).toBe(true);
    expect(await verifyPassword('pw', a)).toBe(true);
    expect(await verifyPassword('pw ', a)).toBe(false);
  });

  it('compares plaintext stored passwords exactly', async () => {
    expect(await verifyPassword('secret', 'secret')).toBe(true);
    expect(await verifyPassword('secre', 'secret')).toBe(false);
  });

  it('never matches a malformed or absurdly expensive hash', async () => {
    expect(await verifyPassword('pw', '$scrypt$ln=10$abc')).toBe(false);
    expect(await verifyPassword('pw', '$scrypt$ln=99,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==')).toBe(false);
  });

  it('compares digests of different lengths without throwing', () => {
    expect(digestEquals('a', 'a')).toBe(true);
    expect(digestEquals('a', 'ab')).toBe(false);
  });
});
