import { describe, expect, it } from 'vitest';
import { isLoopback, requireAuthFor } from './listener-auth.js';

describe('requireAuthFor', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])(
    'lets loopback listener %s run without auth',
    (host) => {
      expect(requireAuthFor(host, undefined)).toEqual({ required: false, warning: null, problem: null });
    },
  );

  it.each(['0.0.0.0', '::', '', '10.0.0.5', 'connect.example.com', '[2001:db8::1]'])(
    'requires auth on %j and reports the missing credentials as a startup problem',
    (host) => {
      const decision = requireAuthFor(host, undefined);
      expect(decision.required).toBe(true);
      expect(decision.warning).toBeNull();
      expect(decision.problem).toMatch(/authentication is required/);
    },
  );

  it('is satisfied by configured basic or bearer credentials on a non-loopback listener', () => {
    expect(requireAuthFor('0.0.0.0', { bearer: { tokens: ['t'] } })).toEqual({
      required: true,
      warning: null,
      problem: null,
    });
    expect(requireAuthFor('0.0.0.0', { basic: { users: { a: 'b' } } }).problem).toBeNull();
  });

  it('returns a warning when auth is explicitly disabled on a non-loopback listener', () => {
    const decision = requireAuthFor('0.0.0.0', { disabled: true });
    expect(decision.required).toBe(false);
    expect(decision.problem).toBeNull();
    expect(decision.warning).toContain("REST authentication is disabled on listener host '0.0.0.0'");
  });

  it('does not warn when auth is disabled on loopback', () => {
    expect(requireAuthFor('127.0.0.1', { disabled: true }).warning).toBeNull();
  });
});

describe('isLoopback', () => {
  it('does not treat look-alike names or other private addresses as loopback', () => {
    expect(isLoopback('localhost.evil.com')).toBe(false);
    expect(isLoopback('128.0.0.1')).toBe(false);
    expect(isLoopback('::2')).toBe(false);
  });
});
