import { parseConfig, sourceRecord, validateConfig, type AnyRecord, type Predicate, type Transformation } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { plugins, predicatePlugins, transformationPlugins } from './index.js';

const EXPECTED = [
  'Cast$Key', 'Cast$Value', 'DropHeaders', 'ExtractField$Key', 'ExtractField$Value', 'Filter', 'Flatten$Key', 'Flatten$Value',
  'HeaderFrom$Key', 'HeaderFrom$Value', 'HoistField$Key', 'HoistField$Value', 'InsertField$Key', 'InsertField$Value', 'InsertHeader',
  'MaskField$Key', 'MaskField$Value', 'RegexRouter', 'ReplaceField$Key', 'ReplaceField$Value', 'SetSchemaMetadata$Key',
  'SetSchemaMetadata$Value', 'TimestampConverter$Key', 'TimestampConverter$Value', 'TimestampRouter', 'ValueToKey',
];

describe('plugins', () => {
  it('publishes every Kafka Connect SMT and predicate under its class name and short alias', () => {
    expect(transformationPlugins.map((p) => p.className)).toEqual(EXPECTED.map((n) => `org.apache.kafka.connect.transforms.${n}`));
    expect(transformationPlugins.map((p) => p.aliases)).toEqual(EXPECTED.map((n) => [n]));
    expect(predicatePlugins.map((p) => p.className)).toEqual(
      ['HasHeaderKey', 'RecordIsTombstone', 'TopicNameMatches'].map((n) => `org.apache.kafka.connect.transforms.predicates.${n}`),
    );
    expect(plugins).toHaveLength(EXPECTED.length + 3);
    expect(new Set(plugins.map((p) => p.className)).size).toBe(plugins.length);
    for (const p of plugins) expect(p.version).toBe('0.1.0');
  });

  it('creates a fresh instance per call', () => {
    for (const p of plugins) expect(p.create()).not.toBe(p.create());
  });

  it('declares config schemas that accept the Kafka Connect defaults and reject missing required keys', () => {
    for (const p of plugins) {
      const schema = p.configSchema?.();
      expect(schema?.type).toBe('object');
      const result = validateConfig(schema!, {});
      for (const key of schema?.required ?? []) {
        expect(result.configs.find((c) => c.name === key)?.errors.join()).toMatch(/Missing required configuration/);
      }
      if ((schema?.required ?? []).length === 0) expect(() => parseConfig(schema!, {})).not.toThrow();
    }
  });

  it('ignores the chain keys the worker passes along (type, predicate, negate)', () => {
    const p = transformationPlugins.find((x) => x.aliases?.[0] === 'RegexRouter');
    const t = p!.create();
    expect(() => t.configure({ type: 'RegexRouter', predicate: 'p', negate: 'true', regex: 'a', replacement: 'b' })).not.toThrow();
  });

  it('gates a Filter with a predicate the way the worker chains them', () => {
    const byAlias = (alias: string) => plugins.find((x) => x.aliases?.[0] === alias)!;
    const filter = byAlias('Filter').create() as Transformation;
    const tombstone = byAlias('RecordIsTombstone').create() as Predicate;
    const router = byAlias('RegexRouter').create() as Transformation;
    filter.configure({});
    tombstone.configure({});
    router.configure({ regex: '(.*)', replacement: 'routed-$1' });
    // transforms=dropTombstones,route; transforms.dropTombstones.predicate=isTombstone
    const chain = (r: AnyRecord): AnyRecord | null => {
      let current: AnyRecord | null = r;
      if (tombstone.test(current) !== false) current = filter.apply(current);
      return current === null ? null : router.apply(current);
    };
    const base = { sourcePartition: {}, sourceOffset: {}, topic: 't' };
    expect(chain(sourceRecord({ ...base, value: null }))).toBeNull();
    expect(chain(sourceRecord({ ...base, value: 'x' }))?.topic).toBe('routed-t');
  });
});
