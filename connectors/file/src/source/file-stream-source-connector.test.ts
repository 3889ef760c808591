import { describe, expect, it } from 'vitest';
import { countErrors, validateConfig } from '@sluice/core';
import { FileStreamSourceConnector } from './file-stream-source-connector.js';

describe('FileStreamSourceConnector', () => {
  it('creates exactly one task config whatever tasks.max is', async () => {
    const connector = new FileStreamSourceConnector();
    connector.start({ file: '/var/log/app.log', topic: 'logs' });
    expect(connector.taskConfigs(4)).toEqual([{ file: '/var/log/app.log', topic: 'logs' }]);
  });

  it('rejects batch.size below 1 and a missing topic', () => {
    const connector = new FileStreamSourceConnector();
    const result = validateConfig(connector.configSchema(), { 'batch.size': '0' });
    const bad = result.configs
      .filter((c) => c.errors.length > 0)
      .map((c) => c.name)
      .sort();
    expect(bad).toEqual(['batch.size', 'topic']);
    expect(() => connector.start({ topic: 'x', 'batch.size': '0' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('reports a comma-separated topic list as an error on topic', () => {
    const result = new FileStreamSourceConnector().validate({ topic: 'a,b' });
    expect(countErrors(result)).toBe(1);
    expect(result.configs[0]?.name).toBe('topic');
  });

  it('supports exactly-once for a file but not for standard input', () => {
    const connector = new FileStreamSourceConnector();
    expect(connector.exactlyOnceSupport({ file: 'a.txt', topic: 't' })).toBe('SUPPORTED');
    expect(connector.exactlyOnceSupport({ file: '', topic: 't' })).toBe('UNSUPPORTED');
    expect(connector.exactlyOnceSupport({ topic: 't' })).toBe('UNSUPPORTED');
  });

  it('accepts altered offsets with a filename partition and a valid position, and rejects others', () => {
    const connector = new FileStreamSourceConnector();
    const config = { file: 'a.txt', topic: 't' };
    expect(connector.alterOffsets(config, new Map([[{ filename: 'a.txt' }, { position: 10 }]]))).toBe(true);
    expect(connector.alterOffsets(config, new Map([[{ filename: 'a.txt' }, null]]))).toBe(true);
    expect(() => connector.alterOffsets(config, new Map([[{ file: 'a.txt' }, { position: 1 }]]))).toThrow(/filename/);
    expect(() => connector.alterOffsets(config, new Map([[{ filename: 'a.txt' }, { position: -5 }]]))).toThrow(
      /position/,
    );
  });
});
