import { describe, expect, it } from 'vitest';
import type { ConfigSchema } from './config-schema.js';
import { describeConfig, mergeConfigSchemas } from './describe-config.js';

const schema: ConfigSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'Connector name', 'x-importance': 'HIGH', 'x-group': 'Common', 'x-order': 1, 'x-width': 'MEDIUM', 'x-display-name': 'Connector name' },
    'tasks.max': { type: 'integer', minimum: 1, default: 1, 'x-dependents': ['tasks.max.enforce'] },
    'offset.ms': { type: 'integer', maximum: 2 ** 53 },
    ratio: { type: 'number', default: 0.5 },
    enabled: { type: 'boolean', default: true },
    topics: { type: 'array', items: { type: 'string' }, default: ['a', 'b'] },
    password: { type: 'string', 'x-secret': true, default: 'changeme' },
    'connector.class': { type: 'string', 'x-type': 'CLASS' },
    nullable: { type: ['null', 'integer'] },
  },
  required: ['name', 'tasks.max', 'connector.class'],
};

describe('describeConfig', () => {
  const defs = Object.fromEntries(describeConfig(schema).map((d) => [d.name, d]));

  it('describes keys in schema order with Kafka Connect ConfigKeyInfo semantics', () => {
    expect(describeConfig(schema).map((d) => d.name)).toEqual(Object.keys(schema.properties));
    expect(defs['name']).toEqual({
      name: 'name',
      type: 'STRING',
      required: true,
      defaultValue: null,
      importance: 'HIGH',
      documentation: 'Connector name',
      group: 'Common',
      order: 1,
      width: 'MEDIUM',
      displayName: 'Connector name',
      dependents: [],
      secret: false,
    });
  });

  it('fills defaults for missing metadata', () => {
    expect(defs['ratio']).toMatchObject({ importance: 'MEDIUM', width: 'NONE', group: null, order: -1, displayName: 'ratio', documentation: '' });
    expect(defs['tasks.max']?.dependents).toEqual(['tasks.max.enforce']);
  });

  it('infers the Kafka Connect type from the JSON type', () => {
    const types = Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, d.type]));
    expect(types).toEqual({
      name: 'STRING',
      'tasks.max': 'INT',
      'offset.ms': 'LONG',
      ratio: 'DOUBLE',
      enabled: 'BOOLEAN',
      topics: 'LIST',
      password: 'PASSWORD',
      'connector.class': 'CLASS',
      nullable: 'INT',
    });
  });

  it('is required only when listed and without a default; renders defaults as strings', () => {
    expect(defs['tasks.max']).toMatchObject({ required: false, defaultValue: '1' });
    expect(defs['connector.class']?.required).toBe(true);
    expect(defs['ratio']?.defaultValue).toBe('0.5');
    expect(defs['enabled']?.defaultValue).toBe('true');
    expect(defs['topics']?.defaultValue).toBe('a,b');
    expect(defs['password']).toMatchObject({ defaultValue: '[hidden]', secret: true });
  });
});

describe('mergeConfigSchemas', () => {
  it('unites properties and required lists, later schemas winning per key', () => {
    const a: ConfigSchema = { type: 'object', properties: { x: { type: 'string' }, y: { type: 'integer' } }, required: ['x'] };
    const b: ConfigSchema = { type: 'object', properties: { y: { type: 'number' }, z: { type: 'boolean' } }, required: ['z', 'x'], additionalProperties: false };
    const m = mergeConfigSchemas(a, b);
    expect(m).toEqual({
      type: 'object',
      properties: { x: { type: 'string' }, y: { type: 'number' }, z: { type: 'boolean' } },
      required: ['x', 'z'],
      additionalProperties: false,
    });
    expect(a.properties['y']).toEqual({ type: 'integer' });
  });
});
