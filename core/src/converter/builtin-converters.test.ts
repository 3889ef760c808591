import { describe, expect, it } from 'vitest';
import { Schemas } from '../data/schema-builder.js';
import { validateConfig, countErrors } from '../config/validate-config.js';
import type { Converter, HeaderConverter } from './converter.js';
import { builtinConverterPlugins } from './builtin-converters.js';

const find = (id: string, type: 'converter' | 'header_converter') =>
  builtinConverterPlugins.find((p) => p.type === type && (p.className === id || (p.aliases ?? []).includes(id)));

describe('builtinConverterPlugins', () => {
  it('registers Kafka Connect class names with short aliases', () => {
    const ids = builtinConverterPlugins.map((p) => `${p.type}:${p.className}`).sort();
    expect(ids).toEqual([
      'converter:org.apache.kafka.connect.converters.ByteArrayConverter',
      'converter:org.apache.kafka.connect.json.JsonConverter',
      'converter:org.apache.kafka.connect.storage.StringConverter',
      'header_converter:org.apache.kafka.connect.converters.ByteArrayConverter',
      'header_converter:org.apache.kafka.connect.json.JsonConverter',
      'header_converter:org.apache.kafka.connect.storage.SimpleHeaderConverter',
      'header_converter:org.apache.kafka.connect.storage.StringConverter',
    ]);
    for (const alias of ['JsonConverter', 'StringConverter', 'ByteArrayConverter']) expect(find(alias, 'converter')).toBeDefined();
    for (const alias of ['JsonConverter', 'StringConverter', 'SimpleHeaderConverter']) expect(find(alias, 'header_converter')).toBeDefined();
    expect(find('SimpleHeaderConverter', 'converter')).toBeUndefined();
  });

  it('creates a fresh, working instance per call', () => {
    const plugin = find('JsonConverter', 'converter')!;
    const a = plugin.create() as Converter;
    expect(a).not.toBe(plugin.create());
    a.configure({ 'schemas.enable': 'false' }, false);
    expect(Buffer.from(a.fromConnectData('t', Schemas.INT32, 3)!).toString()).toBe('3');
    const h = find('SimpleHeaderConverter', 'header_converter')!.create() as HeaderConverter;
    h.configure({});
    expect(h.toConnectHeader('t', 'k', h.fromConnectHeader('t', 'k', Schemas.BOOLEAN, true)).value).toBe(true);
  });

  it('publishes config schemas that validate their own defaults', () => {
    for (const p of builtinConverterPlugins) {
      const schema = p.configSchema?.();
      expect(schema, p.className).toBeDefined();
      expect(countErrors(validateConfig(schema!, {})), p.className).toBe(0);
      expect(p.version).toMatch(/^\d+\.\d+\.\d+/);
    }
  });
});
