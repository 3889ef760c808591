import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '@sluice/core';
import { parseOperationTime, parseSourceConfig, validateSourceConfig } from './mongo-source-config.js';

const URI = 'mongodb://user:secret@127.0.0.1:27017';

describe('MongoSource config', () => {
  it('derives the watch scope from database and collection', () => {
    expect(parseSourceConfig({ 'connection.uri': URI }).scope).toEqual({ kind: 'deployment' });
    expect(parseSourceConfig({ 'connection.uri': URI, database: 'd' }).scope).toEqual({ kind: 'database', database: 'd' });
    expect(parseSourceConfig({ 'connection.uri': URI, database: 'd', collection: 'c' }).scope).toEqual({ kind: 'collection', database: 'd', collection: 'c' });
  });

  it("uses the official connector's defaults and honours its deprecated copy.existing", () => {
    const s = parseSourceConfig({ 'connection.uri': URI, 'copy.existing': 'true', 'publish.full.document.only': 'true' });
    expect(s.startupMode).toBe('copy_existing');
    expect(s.fullDocument).toBe('updateLookup');
    expect(s.maxBatchSize).toBe(1000);
    expect(s.awaitTimeMs).toBe(5000);
    expect(s.heartbeatTopic).toBe('__mongodb_heartbeats');
    expect(s.jsonFormatter).toBe('relaxed');
  });

  it('parses start-at operation times in all three official formats', () => {
    expect(parseOperationTime('30')?.toString()).toBe('128849018880');
    expect(parseOperationTime('1970-01-01T00:00:30Z')?.t).toBe(30);
    expect(parseOperationTime('{"$timestamp": {"t": 30, "i": 2}}')?.i).toBe(2);
    expect(parseOperationTime('')).toBeNull();
    expect(parseOperationTime('yesterday')).toBeUndefined();
  });

  it('reports bad pipelines, collations, start times and a collection without database, never echoing the URI', () => {
    const config = { 'connection.uri': URI, collection: 'c', pipeline: '{"$match": {}}', collation: '[]', 'startup.mode.timestamp.start.at.operation.time': 'soon' };
    const err = (() => {
      try {
        parseSourceConfig(config);
      } catch (e) {
        return e;
      }
    })();
    expect(ConfigValidationError.is(err)).toBe(true);
    const names = (err as ConfigValidationError).fields.map((f) => f.name).sort();
    expect(names).toEqual(['collation', 'collection', 'pipeline', 'startup.mode.timestamp.start.at.operation.time']);
    expect(JSON.stringify(validateSourceConfig(config))).not.toContain('secret');
    expect(validateSourceConfig(config).configs.map((c) => c.name).sort()).toEqual(names);
  });

  it('rejects a connection URI that is not a MongoDB URI without showing it', () => {
    const result = validateSourceConfig({ 'connection.uri': 'postgres://u:pw@h/db' });
    expect(result.configs.map((c) => [c.name, c.value])).toEqual([['connection.uri', '[hidden]']]);
    expect(JSON.stringify(result)).not.toContain('pw@');
  });
});
