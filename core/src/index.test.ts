import { describe, expect, it } from 'vitest';
import * as core from './index.js';

describe('@sluice/core public API', () => {
  it('exports the data API, converters and config functions', () => {
    const names = [
      'SchemaBuilder', 'Schemas', 'schemaEquals', 'Struct', 'isStruct', 'Decimal', 'DateLogical', 'Time', 'Timestamp',
      'validateValue', 'inferSchema', 'valueEquals', 'JsonConverter', 'StringConverter', 'ByteArrayConverter',
      'SimpleHeaderConverter', 'builtinConverterPlugins', 'jsonConverterPlugin', 'validateConfig', 'parseConfig',
      'describeConfig', 'mergeConfigSchemas', 'countErrors', 'ConnectError', 'DataError', 'noopLogger', 'sourceRecord',
    ];
    const exported = core as Record<string, unknown>;
    expect(names.filter((n) => exported[n] === undefined)).toEqual([]);
  });

  it('builds a record value end to end through the public entry point', () => {
    const schema = core.SchemaBuilder.struct().field('id', core.Schemas.INT64).build();
    const value = new core.Struct(schema).put('id', 1);
    const json = new core.JsonConverter();
    json.configure({ 'schemas.enable': 'false' }, false);
    expect(Buffer.from(json.fromConnectData('t', schema, value)!).toString()).toBe('{"id":1}');
  });
});
