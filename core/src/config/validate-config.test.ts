import { describe, expect, it } from 'vitest';
import type { ConfigSchema } from './config-schema.js';
import { countErrors, NULL_VALUE_MESSAGE, validateConfig } from './validate-config.js';
import type { ConfigValueResult } from './validate.js';

const schema: ConfigSchema = {
  type: 'object',
  properties: {
    file: { type: 'string', minLength: 1, description: 'Path to read' },
    'tasks.max': { type: 'integer', minimum: 1, default: 1 },
    ratio: { type: 'number', maximum: 1 },
    enabled: { type: 'boolean', default: false },
    mode: { type: 'string', enum: ['bulk', 'incremental'], default: 'bulk' },
    topics: { type: 'array', items: { type: 'string' }, minItems: 1 },
    ports: { type: 'array', items: { type: 'integer', maximum: 65535 } },
    password: { type: 'string', 'x-secret': true, minLength: 8 },
  },
  required: ['file'],
};

function byName(config: Record<string, string | null>, s: ConfigSchema = schema): Record<string, ConfigValueResult> {
  return Object.fromEntries(validateConfig(s, config).configs.map((c) => [c.name, c]));
}

describe('validateConfig', () => {
  it('returns one result per defined key in schema order, coerced values rendered back as strings', () => {
    const result = validateConfig(schema, { file: ' /tmp/x ', 'tasks.max': '4', ratio: '0.5', enabled: 'TRUE', topics: 'a, b ,c', ports: '80,443' });
    expect(result.configs.map((c) => c.name)).toEqual(['file', 'tasks.max', 'ratio', 'enabled', 'mode', 'topics', 'ports', 'password']);
    const r = Object.fromEntries(result.configs.map((c) => [c.name, c.value]));
    expect(r).toEqual({ file: '/tmp/x', 'tasks.max': '4', ratio: '0.5', enabled: 'true', mode: 'bulk', topics: 'a,b,c', ports: '80,443', password: null });
    expect(countErrors(result)).toBe(0);
    expect(result.configs.every((c) => c.visible)).toBe(true);
  });

  it('says in plain words what is wrong with a value', () => {
    const r = byName({ file: 'f', 'tasks.max': 'abc', ratio: 'x', enabled: 'yes', ports: '80,http' });
    expect(r['tasks.max']?.errors).toEqual(['Invalid value abc for configuration tasks.max: must be an integer']);
    expect(r['ratio']?.errors).toEqual(['Invalid value x for configuration ratio: must be a number']);
    expect(r['enabled']?.errors).toEqual(['Invalid value yes for configuration enabled: must be true or false']);
    expect(r['ports']?.errors[0]).toMatch(/^Invalid value 80,http for configuration ports: must be a comma-separated list whose items each be an integer/);
    expect(r['tasks.max']?.value).toBe('abc');
  });

  it('reports schema constraints after coercion', () => {
    const r = byName({ file: 'f', 'tasks.max': '0', ratio: '2', topics: '', ports: '70000' });
    expect(r['tasks.max']?.errors).toEqual(['Invalid value 0 for configuration tasks.max: must be >= 1']);
    expect(r['ratio']?.errors).toEqual(['Invalid value 2 for configuration ratio: must be <= 1']);
    expect(r['topics']?.errors).toEqual(['Invalid value  for configuration topics: must have at least 1 items']);
    expect(r['ports']?.errors).toEqual(['Invalid value 70000 for configuration ports: each item must be <= 65535']);
  });

  it('reports a missing required key without a default', () => {
    const r = byName({});
    expect(r['file']?.errors).toEqual(['Missing required configuration "file" which has no default value.']);
    expect(r['file']?.value).toBeNull();
    expect(r['tasks.max']?.errors).toEqual([]);
  });

  it('lists enum values as recommended values and explains a bad choice', () => {
    const r = byName({ file: 'f', mode: 'stream' });
    expect(r['mode']?.recommendedValues).toEqual(['bulk', 'incremental']);
    expect(r['mode']?.errors).toEqual(['Invalid value stream for configuration mode: must be one of bulk, incremental']);
  });

  it('rejects null values, for known and unknown keys', () => {
    const result = validateConfig(schema, { file: null, extra: null, other: 'kept' });
    const r = Object.fromEntries(result.configs.map((c) => [c.name, c]));
    expect(r['file']?.errors).toEqual([NULL_VALUE_MESSAGE]);
    expect(r['extra']).toEqual({ name: 'extra', value: null, recommendedValues: [], errors: [NULL_VALUE_MESSAGE], visible: true });
    expect(r['other']).toBeUndefined();
    expect(NULL_VALUE_MESSAGE).toBe('Null value can not be supplied as the configuration value.');
  });

  it('hides secret values, also inside error messages', () => {
    const ok = byName({ file: 'f', password: 'hunter2hunter2' });
    expect(ok['password']?.value).toBe('[hidden]');
    const bad = byName({ file: 'f', password: 'hunter2' });
    expect(bad['password']?.value).toBe('[hidden]');
    expect(bad['password']?.errors).toEqual(['Invalid value [hidden] for configuration password: must be at least 8 characters long']);
    expect(JSON.stringify(bad)).not.toContain('hunter2');
  });

  it('reports unknown keys only when the schema forbids them', () => {
    const closed: ConfigSchema = { ...schema, additionalProperties: false };
    const r = byName({ file: 'f', typo: 'x' }, closed);
    expect(r['typo']?.errors).toEqual(['Unknown configuration "typo" is not allowed.']);
    expect(r['typo']?.value).toBe('x');
  });

  it('applies conditional requirements from if/then and dependentRequired', () => {
    const conditional: ConfigSchema = {
      type: 'object',
      properties: { 'ssl.enabled': { type: 'boolean', default: false }, 'ssl.cert': { type: 'string' }, user: { type: 'string' }, pass: { type: 'string' } },
      if: { properties: { 'ssl.enabled': { const: true } } },
      then: { required: ['ssl.cert'] },
      dependentRequired: { user: ['pass'] },
    };
    expect(countErrors(validateConfig(conditional, {}))).toBe(0);
    const r = byName({ 'ssl.enabled': 'true', user: 'u' }, conditional);
    expect(r['ssl.cert']?.errors).toEqual(['Missing required configuration "ssl.cert" which has no default value.']);
    expect(r['pass']?.errors).toEqual(['Missing required configuration "pass", which is needed when "user" is set.']);
  });

  it('never throws, even for a broken schema', () => {
    const broken = { type: 'object', properties: { a: { type: 'integer', minimum: 'one' } } } as unknown as ConfigSchema;
    const result = validateConfig(broken, { a: '1' });
    expect(countErrors(result)).toBe(1);
    expect(result.configs[0]?.errors[0]).toMatch(/config schema is invalid/);
  });

  it('counts every error message', () => {
    expect(countErrors(validateConfig(schema, { 'tasks.max': 'x', extra: null }))).toBe(3);
  });
});
