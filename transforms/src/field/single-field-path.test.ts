import { SchemaBuilder, Schemas, Struct } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { FieldPathSyntaxError, SingleFieldPath } from './single-field-path.js';

const v2 = (path: string): readonly string[] => new SingleFieldPath(path, 'V2').steps;

describe('SingleFieldPath notation', () => {
  it('keeps a V1 path as one step, dots and backticks included', () => {
    for (const p of ['foo.bar.baz', 'foo`bar`', 'foo.`bar.baz`']) expect(new SingleFieldPath(p, 'V1').steps).toEqual([p]);
  });

  it('splits V2 paths on dots, keeping empty names', () => {
    expect(v2('foobarbaz')).toEqual(['foobarbaz']);
    expect(v2('foo.bar.baz')).toEqual(['foo', 'bar', 'baz']);
    expect(v2('..')).toEqual(['', '', '']);
    expect(v2('foo..')).toEqual(['foo', '', '']);
    expect(v2('.bar.')).toEqual(['', 'bar', '']);
    expect(v2('..baz')).toEqual(['', '', 'baz']);
  });

  it('reads backtick-wrapped names that contain dots', () => {
    expect(v2('foo`bar`baz')).toEqual(['foo`bar`baz']);
    expect(v2('`foo.bar.baz`')).toEqual(['foo.bar.baz']);
    expect(v2('foo.`bar.baz`')).toEqual(['foo', 'bar.baz']);
    expect(v2('`foo.bar`.baz')).toEqual(['foo.bar', 'baz']);
    expect(v2('foo.`bar`.baz')).toEqual(['foo', 'bar', 'baz']);
  });

  it('keeps backticks that are not followed by a dot as part of the name', () => {
    expect(v2('foo.``bar.baz`')).toEqual(['foo', '`bar.baz']);
    expect(v2('foo.`bar.baz``')).toEqual(['foo', 'bar.baz`']);
    expect(v2('foo.`ba`r.baz`')).toEqual(['foo', 'ba`r.baz']);
    expect(v2('foo.ba`r.baz')).toEqual(['foo', 'ba`r', 'baz']);
    expect(v2('foo.``bar``.baz')).toEqual(['foo', '`bar`', 'baz']);
    expect(v2('``foo.bar.baz``')).toEqual(['`foo.bar.baz`']);
  });

  it('treats a backslash before a backtick-dot as an escape', () => {
    expect(v2('foo.`bar\\`.baz`')).toEqual(['foo', 'bar`.baz']);
    expect(v2('foo.`bar.`baz`')).toEqual(['foo', 'bar.`baz']);
    expect(v2('foo.`bar\\`.`baz`')).toEqual(['foo', 'bar`.`baz']);
    expect(v2('foo.`bar\\\\`.\\`baz`')).toEqual(['foo', 'bar\\`.\\`baz']);
  });

  it('reports the position of an unclosed backtick', () => {
    for (const [path, at] of [['`foo.bar.baz', 0], ['foo.`bar.baz', 4], ['foo.bar.`baz', 8], ['foo.bar.`baz\\`', 8]] as const) {
      expect(() => v2(path)).toThrow(FieldPathSyntaxError);
      expect(() => v2(path)).toThrow(new RegExp(`position ${at} `));
    }
    expect(() => v2('')).toThrow(/at least one field/);
  });
});

describe('SingleFieldPath lookups', () => {
  const bar = SchemaBuilder.struct().field('bar', Schemas.INT32).field('baz', Schemas.OPTIONAL_INT32).build();
  const schema = SchemaBuilder.struct().field('foo', bar).field('opt', SchemaBuilder.struct().optional().field('x', Schemas.INT32).build()).build();
  const struct = new Struct(schema).put('foo', new Struct(bar).put('bar', 42));

  it('finds fields in schemas', () => {
    expect(new SingleFieldPath('foo.bar', 'V2').fieldFrom(schema)).toBe(bar.field('bar'));
    expect(new SingleFieldPath('foo', 'V2').fieldFrom(schema)).toBe(schema.field('foo'));
    for (const p of ['un.known', 'foo.unknown', 'unknown']) expect(new SingleFieldPath(p, 'V2').fieldFrom(schema)).toBeUndefined();
    expect(new SingleFieldPath('test', 'V2').fieldFrom(null)).toBeUndefined();
  });

  it('reads values from structs, null for missing steps', () => {
    expect(new SingleFieldPath('foo.bar', 'V2').valueFromStruct(struct)).toBe(42);
    expect(new SingleFieldPath('foo.baz', 'V2').valueFromStruct(struct)).toBeNull();
    expect(new SingleFieldPath('opt.x', 'V2').valueFromStruct(struct)).toBeNull();
    for (const p of ['un.known', 'foo.unknown', 'unknown']) expect(new SingleFieldPath(p, 'V2').valueFromStruct(struct)).toBeNull();
    expect(() => new SingleFieldPath('foo.bar.inner', 'V2').valueFromStruct(struct)).toThrow(/nested field access/);
  });

  it('reads values from maps, null for missing steps', () => {
    const map = new Map<string, unknown>([['foo', { bar: 42, baz: null }]]);
    expect(new SingleFieldPath('foo.bar', 'V2').valueFromMap(map)).toBe(42);
    expect(new SingleFieldPath('foo.baz', 'V2').valueFromMap(map)).toBeNull();
    for (const p of ['un.known', 'foo.unknown', 'unknown', 'foo.baz.inner']) expect(new SingleFieldPath(p, 'V2').valueFromMap(map)).toBeNull();
    expect(() => new SingleFieldPath('foo.bar.inner', 'V2').valueFromMap(map)).toThrow(/nested field access/);
  });
});
