import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedLog } from './embedded/embedded-log.js';
import { ConfigStore } from './config-store.js';

describe('ConfigStore on the config topic', () => {
  let dir: string;
  let log: EmbeddedLog;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'configstore-'));
    log = await EmbeddedLog.open({ dataDir: dir, sync: 'normal' });
  });
  afterEach(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const raw = async (key: string, value: unknown) =>
    log.produce('configs', [{ key: Buffer.from(key), value: value === null ? null : Buffer.from(JSON.stringify(value)) }]);

  it('reads back connector configs, task generations and target states after a restart', async () => {
    const a = new ConfigStore({ log, topic: 'configs' });
    await a.start();
    await a.putConnectorConfig('my-conn', { 'connector.class': 'X', name: 'my-conn' }, 'PAUSED');
    await a.putTaskConfigs('my-conn', [{ t: '0' }, { t: '1' }]);
    await a.stop();
    const b = new ConfigStore({ log, topic: 'configs' });
    await b.start();
    expect(b.connectors()).toEqual(['my-conn']);
    expect(b.tasks('my-conn')).toEqual([{ t: '0' }, { t: '1' }]);
    expect(b.targetState('my-conn')).toBe('PAUSED');
    await b.stop();
  });

  it('applies task configs only when a commit record covers a complete generation', async () => {
    const s = new ConfigStore({ log, topic: 'configs' });
    await s.start();
    await s.putConnectorConfig('c-with-dashes', { 'connector.class': 'X' });
    await s.putTaskConfigs('c-with-dashes', [{ gen: '1' }]);
    // A second generation whose task-1 record never arrived: the commit must be ignored.
    await raw('task-c-with-dashes-0', { properties: { gen: '2' } });
    await raw('commit-c-with-dashes', { tasks: 2 });
    await s.readToEnd();
    expect(s.tasks('c-with-dashes')).toEqual([{ gen: '1' }]);
    expect(s.isInconsistent('c-with-dashes')).toBe(true);
    await s.stop();
  });

  it('prefers state.v2 and treats a missing target state as STARTED; deletes tombstone both records', async () => {
    const s = new ConfigStore({ log, topic: 'configs' });
    await s.start();
    await s.putConnectorConfig('x', { 'connector.class': 'X' });
    expect(s.targetState('x')).toBe('STARTED');
    await raw('target-state-x', { state: 'PAUSED', 'state.v2': 'STOPPED' });
    await s.readToEnd();
    expect(s.targetState('x')).toBe('STOPPED');
    await s.removeConnectorConfig('x');
    expect(s.connectors()).toEqual([]);
    const records = await log.fetch('configs', 0, 0, { maxRecords: 100 });
    const tombstones = records.filter((r) => r.value === null).map((r) => r.key?.toString());
    expect(tombstones).toEqual(['connector-x', 'target-state-x']);
    await s.stop();
  });
});
