import { SchemaBuilder, Schemas } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { SchemaCache } from './schema-cache.js';

const struct = (name: string) => SchemaBuilder.struct().name(name).field('a', Schemas.INT32).build();

describe('SchemaCache', () => {
  it('hits by identity and by structural equality', () => {
    const cache = new SchemaCache();
    const derived = Schemas.STRING;
    cache.set(struct('x'), derived);
    expect(cache.get(struct('x'))).toBe(derived);
    expect(cache.get(struct('y'))).toBeUndefined();
  });

  it('computes once per schema', () => {
    const cache = new SchemaCache();
    let calls = 0;
    const s = struct('x');
    const derive = () => {
      calls++;
      return Schemas.INT64;
    };
    cache.getOrCompute(s, derive);
    cache.getOrCompute(s, derive);
    cache.getOrCompute(struct('x'), derive);
    expect(calls).toBe(1);
  });

  it('evicts the least recently used schema beyond its capacity', () => {
    const cache = new SchemaCache(2);
    const a = struct('a');
    const b = struct('b');
    const c = struct('c');
    cache.set(a, Schemas.INT8);
    cache.set(b, Schemas.INT16);
    expect(cache.get(a)).toBe(Schemas.INT8);
    cache.set(c, Schemas.INT32);
    expect(cache.get(b)).toBeUndefined();
    expect(cache.get(a)).toBe(Schemas.INT8);
    expect(cache.get(c)).toBe(Schemas.INT32);
    expect(cache.size).toBe(2);
  });
});
