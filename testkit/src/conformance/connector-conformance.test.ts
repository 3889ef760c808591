import { describe, expect, it } from 'vitest';
import type { ConfigSchema, ConnectorConfig, ConnectorPlugin, SourceConnector, SourceTask } from '@sluice/core';
import { connectorConformance } from './connector-conformance.js';

const schema: ConfigSchema = {
  type: 'object',
  properties: {
    topic: { type: 'string', minLength: 1, description: 'Topic to write to.' },
    'poll.interval.ms': { type: 'integer', minimum: 1, default: 100, description: 'How often to poll.' },
  },
  required: ['topic'],
};

interface Quirks {
  version?: string;
  taskCount?: (max: number) => number;
  stopTwiceFails?: boolean;
  undocumented?: boolean;
  taskStopNeedsStart?: boolean;
}

function fakePlugin(quirks: Quirks = {}): ConnectorPlugin {
  const version = quirks.version ?? '1.2.3';
  return {
    className: 'io.example.FakeSourceConnector',
    aliases: ['FakeSource'],
    type: 'source',
    version,
    create(): SourceConnector {
      let config: ConnectorConfig | null = null;
      let stops = 0;
      return {
        type: 'source',
        version: () => version,
        configSchema: () =>
          quirks.undocumented === true
            ? { ...schema, properties: { ...schema.properties, extra: { type: 'string' } } }
            : schema,
        start(c) {
          config = c;
        },
        taskConfigs(max) {
          const n = quirks.taskCount?.(max) ?? Math.min(max, 2);
          return Array.from({ length: n }, (_, i) => ({ ...config, 'task.index': String(i) }));
        },
        stop() {
          stops++;
          if (quirks.stopTwiceFails === true && stops > 1) throw new Error('already stopped');
        },
        createTask(): SourceTask {
          let started = false;
          return {
            start() {
              started = true;
            },
            async poll() {
              return null;
            },
            stop() {
              if (quirks.taskStopNeedsStart === true && !started) throw new Error('not started');
            },
          };
        },
      };
    },
  };
}

/** Registers the suite with a recording runner, runs every test, and returns the names that failed. */
async function failingChecks(plugin: ConnectorPlugin): Promise<string[]> {
  const tests: { name: string; body: () => Promise<void> | void }[] = [];
  connectorConformance(plugin, {
    validConfig: { topic: 'events' },
    describe: (_name, body) => body(),
    it: (name, body) => tests.push({ name, body }),
    expect,
  });
  const failed: string[] = [];
  for (const t of tests) {
    try {
      await t.body();
    } catch {
      failed.push(t.name);
    }
  }
  return failed;
}

describe('connectorConformance', () => {
  connectorConformance(fakePlugin(), { validConfig: { topic: 'events' }, describe, it, expect });

  it('passes every check for a well-behaved connector', async () => {
    expect(await failingChecks(fakePlugin())).toEqual([]);
  });

  it('fails the metadata check for a non-semver version', async () => {
    expect(await failingChecks(fakePlugin({ version: 'v1' }))).toContain(
      'declares a canonical class name, unique aliases, its type and a semver version',
    );
  });

  it('fails when taskConfigs returns no configs or more than tasks.max', async () => {
    const failed = await failingChecks(fakePlugin({ taskCount: (max) => (max === 1 ? 0 : max + 1) }));
    expect(failed).toEqual([
      'starts and splits work into 1..1 task configs when tasks.max=1',
      'starts and splits work into 1..2 task configs when tasks.max=2',
      'starts and splits work into 1..3 task configs when tasks.max=3',
    ]);
  });

  it('fails when stop() is not idempotent', async () => {
    expect(await failingChecks(fakePlugin({ stopTwiceFails: true }))).toContain(
      'stops idempotently, including concurrent and repeated calls',
    );
  });

  it('fails when a config key has no description', async () => {
    expect(await failingChecks(fakePlugin({ undocumented: true }))).toEqual([
      'exposes an object config schema that describeConfig can describe',
    ]);
  });

  it('fails when a task cannot be stopped before it was started', async () => {
    expect(await failingChecks(fakePlugin({ taskStopNeedsStart: true }))).toEqual([
      'creates tasks that can be stopped without being started',
    ]);
  });
});
