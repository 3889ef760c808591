import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProperties, resolveConfigProviders } from './config-providers.js';

let root: string;
let secrets: string;
let outside: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'sluice-providers-'));
  secrets = path.join(root, 'secrets');
  outside = path.join(root, 'outside');
  mkdirSync(secrets);
  mkdirSync(outside);
  writeFileSync(path.join(secrets, 'db.properties'), '# db\npassword=hunter2\nuser : app\nlong = a\\\n  b\n');
  writeFileSync(path.join(secrets, 'token'), 'tok-123');
  writeFileSync(path.join(outside, 'shadow.properties'), 'root=x\n');
  symlinkSync(path.join(outside, 'shadow.properties'), path.join(secrets, 'link.properties'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const opts = () => ({ allowedPaths: [secrets], env: { PG_PASSWORD: 'pg-secret' } });

describe('resolveConfigProviders', () => {
  it('resolves env, file and dir references and names the keys that now hold secrets', async () => {
    const config = {
      'connection.password': '${env:PG_PASSWORD}',
      'db.password': `\${file:${secrets}/db.properties:password}`,
      'db.url': `postgres://\${file:${secrets}/db.properties:user}@host/db`,
      token: `\${dir:${secrets}:token}`,
      plain: 'no references',
    };
    const result = await resolveConfigProviders(config, opts());
    expect(result.errors).toEqual([]);
    expect(result.config).toEqual({
      'connection.password': 'pg-secret',
      'db.password': 'hunter2',
      'db.url': 'postgres://app@host/db',
      token: 'tok-123',
      plain: 'no references',
    });
    expect(result.resolvedKeys.sort()).toEqual(['connection.password', 'db.password', 'db.url', 'token']);
  });

  it('does not mutate its input, so the stored config keeps the references', async () => {
    const config = { p: '${env:PG_PASSWORD}' };
    await resolveConfigProviders(config, opts());
    expect(config).toEqual({ p: '${env:PG_PASSWORD}' });
  });

  it.each([
    ['a file outside the allowed paths', () => `\${file:${outside}/shadow.properties:root}`, /outside the allowed paths/],
    ['a symlink escaping the allowed paths', () => `\${file:${secrets}/link.properties:root}`, /outside the allowed paths/],
    ['a path climbing out with ..', () => `\${file:${secrets}/../outside/shadow.properties:root}`, /outside the allowed paths/],
    ['a relative path', () => '${file:secrets/db.properties:password}', /must be absolute/],
    ['a dir file name with a slash', () => `\${dir:${secrets}:../outside/shadow.properties}`, /is not a file name/],
    ['an unset environment variable', () => '${env:NOPE}', /Environment variable 'NOPE' is not set or not allowed/],
    ['a missing key', () => `\${file:${secrets}/db.properties:nokey}`, /Key 'nokey' not found/],
    ['an unknown provider', () => '${vault:secret/x:y}', /Unknown config provider 'vault'/],
  ])('refuses %s and leaves the reference unresolved', async (_label, value, message) => {
    const result = await resolveConfigProviders({ k: value() }, opts());
    expect(result.config['k']).toBe(value());
    expect(result.resolvedKeys).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.name).toBe('k');
    expect(result.errors[0]?.errors[0]).toMatch(message);
    // The message never contains a value read from disk.
    expect(JSON.stringify(result.errors)).not.toContain('hunter2');
  });

  it('disables file and dir providers entirely when no paths are allowed', async () => {
    const result = await resolveConfigProviders(
      { k: `\${file:${secrets}/db.properties:password}` },
      { allowedPaths: [], env: {} },
    );
    expect(result.errors[0]?.errors[0]).toBe('The file config provider is disabled: no allowed paths are configured');
  });

  it('does not reveal whether a disallowed file exists', async () => {
    const missing = await resolveConfigProviders({ k: '${file:/etc/nonexistent-file:x}' }, opts());
    const present = await resolveConfigProviders({ k: '${file:/etc/hostname:x}' }, opts());
    expect(missing.errors[0]?.errors[0]).toMatch(/outside the allowed paths/);
    expect(present.errors[0]?.errors[0]).toMatch(/outside the allowed paths/);
  });
});

describe('parseProperties', () => {
  it('reads separators, comments, continuations and escapes as Java does', () => {
    expect(parseProperties('a=1\nb: 2\nc 3\n! bang\n# hash\nd=x\\\n   y\ne=tab\\tend\nf=\\u0041')).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: 'xy',
      e: 'tab\tend',
      f: 'A',
    });
  });
});
