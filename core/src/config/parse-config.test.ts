import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../errors/connect-error.js';
import type { ConfigSchema } from './config-schema.js';
import { parseConfig } from './parse-config.js';

const schema: ConfigSchema = {
  type: 'object',
  properties: {
    file: { type: 'string' },
    'tasks.max': { type: 'integer', minimum: 1, default: 1 },
    topics: { type: 'array', items: { type: 'string' }, default: ['a', 'b'] },
    token: { type: 'string', 'x-secret': true },
    batch: { type: 'integer' },
  },
  required: ['file'],
};

describe('parseConfig', () => {
  it('coerces, applies defaults, keeps unknown keys as strings and omits unset keys', () => {
    const c = parseConfig<{ file: string; 'tasks.max': number; topics: string[]; extra: string }>(schema, { file: 'f', extra: ' 5 ' });
    expect(c).toEqual({ file: 'f', 'tasks.max': 1, topics: ['a', 'b'], extra: ' 5 ' });
    expect('batch' in c).toBe(false);
  });

  it('returns a deeply frozen object without freezing the schema defaults', () => {
    const c = parseConfig<{ topics: string[] }>(schema, { file: 'f' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.topics)).toBe(true);
    expect(Object.isFrozen(schema.properties['topics']?.['default'])).toBe(false);
  });

  it('throws a ConfigValidationError listing every bad key and all messages', () => {
    let caught: unknown;
    try {
      parseConfig(schema, { 'tasks.max': '0', batch: 'many', token: 'sekrit' });
    } catch (err) {
      caught = err;
    }
    expect(ConfigValidationError.is(caught)).toBe(true);
    const err = caught as ConfigValidationError;
    expect(err.fields.map((f) => f.name)).toEqual(['file', 'tasks.max', 'batch']);
    expect(err.message).toContain('Missing required configuration "file" which has no default value.');
    expect(err.message).toContain('Invalid value 0 for configuration tasks.max: must be >= 1');
    expect(err.message).toContain('Invalid value many for configuration batch: must be an integer');
    expect(err.message).toMatch(/^Invalid configuration \(3 errors\)/);
  });

  it('never echoes a secret in its error message', () => {
    const strict: ConfigSchema = { type: 'object', properties: { token: { type: 'string', 'x-secret': true, pattern: '^tok_' } } };
    expect(() => parseConfig(strict, { token: 'sekrit' })).toThrow(/Invalid value \[hidden\] for configuration token/);
    expect(() => parseConfig(strict, { token: 'sekrit' })).not.toThrow(/sekrit/);
  });
});
