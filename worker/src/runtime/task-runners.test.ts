import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SinkRecord, SinkTask, SourceRecord, SourceTask } from '@sluice/core';
import { builtinConverterPlugins, DataError, noopLogger, RetriableError, Schemas, sourceRecord } from '@sluice/core';
import { buildConverters } from '../pipeline/converters.js';
import { ErrorHandler, errorHandlingConfig } from '../pipeline/error-handler.js';
import { TransformationChain } from '../pipeline/transformation-chain.js';
import { PluginRegistry } from '../plugins/plugin-registry.js';
import { EmbeddedLog } from '../storage/embedded/embedded-log.js';
import { OffsetStore } from '../storage/offset-store.js';
import { SinkTaskRunner } from './sink-task-runner.js';
import { SourceTaskRunner } from './source-task-runner.js';
import type { TaskStatusListener } from './task-runner.js';

const registry = new PluginRegistry().register(...builtinConverterPlugins);
const stringConverters = {
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
};

function recordingListener() {
  const events: string[] = [];
  let failure: Error | undefined;
  const listener: TaskStatusListener = {
    onStartup: () => events.push('running'),
    onPause: () => events.push('paused'),
    onResume: () => events.push('resumed'),
    onFailure: (e) => {
      failure = e;
      events.push('failed');
    },
    onShutdown: () => events.push('shutdown'),
  };
  return { listener, events, failure: () => failure };
}

async function until(fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('task runners on the embedded log', () => {
  let dir: string;
  let log: EmbeddedLog;
  let offsets: OffsetStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'runner-'));
    log = await EmbeddedLog.open({ dataDir: dir, sync: 'normal' });
    offsets = new OffsetStore({ log, topic: 'offsets', partitions: 1 });
    await offsets.start();
  });
  afterEach(async () => {
    await offsets.stop();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function sourceRunner(task: SourceTask, listener: TaskStatusListener, connectorConfig: Record<string, string> = stringConverters) {
    return new SourceTaskRunner({
      connector: 'src',
      taskId: 0,
      task,
      taskConfig: {},
      log,
      offsetStore: offsets,
      converters: buildConverters(registry, {}, connectorConfig),
      transforms: TransformationChain.build(registry, {}),
      errorHandler: new ErrorHandler(errorHandlingConfig(connectorConfig), noopLogger),
      listener,
      logger: noopLogger,
      offsetFlushIntervalMs: 60_000,
      offsetFlushTimeoutMs: 5_000,
      ensureTopic: async (topic) => {
        await log.createTopic({ name: topic, partitions: 1 });
      },
    });
  }

  it('retries a poll that throws a RetriableError without failing the task', async () => {
    let calls = 0;
    const committed: number[] = [];
    const task: SourceTask = {
      start() {},
      async poll() {
        calls++;
        if (calls === 1) throw new RetriableError('upstream busy');
        if (calls === 2) return [sourceRecord({ sourcePartition: { s: 1 }, sourceOffset: { n: 1 }, topic: 'out', valueSchema: Schemas.STRING, value: 'v' })];
        await new Promise((r) => setTimeout(r, 20));
        return null;
      },
      commitRecord: (_r: SourceRecord, meta) => {
        if (meta) committed.push(meta.offset);
      },
      stop() {},
    };
    const rl = recordingListener();
    const runner = sourceRunner(task, rl.listener);
    runner.start(false);
    await until(() => committed.length === 1, 5000);
    await runner.stop(5000);
    expect(rl.events).toEqual(['running', 'shutdown']);
    expect(offsets.get('src', { s: 1 })).toEqual({ n: 1 });
  });

  it('starts PAUSED when paused while its start() was still running, and resumes from there', async () => {
    let release!: () => void;
    const started = new Promise<void>((r) => (release = r));
    let polls = 0;
    const task: SourceTask = {
      async start() {
        await started;
      },
      async poll() {
        polls++;
        await new Promise((r) => setTimeout(r, 10));
        return null;
      },
      stop() {},
    };
    const rl = recordingListener();
    const runner = sourceRunner(task, rl.listener);
    runner.start(false);
    runner.pause();
    release();
    await until(() => rl.events.includes('paused'));
    expect(runner.state).toBe('PAUSED');
    expect(polls).toBe(0);
    runner.resume();
    await until(() => polls > 0);
    expect(rl.events).toEqual(['paused', 'resumed']);
    await runner.stop(1000);
  });

  it('fails the task with the cause in the trace on a non-retriable error', async () => {
    const task: SourceTask = {
      start() {},
      async poll() {
        throw new DataError('corrupt upstream page 7');
      },
      stop() {},
    };
    const rl = recordingListener();
    const runner = sourceRunner(task, rl.listener);
    runner.start(false);
    await until(() => rl.events.includes('failed'));
    expect(rl.failure()?.message).toContain('corrupt upstream page 7');
    expect(runner.state).toBe('FAILED');
    await runner.stop(1000);
  });

  it('commits the offsets of acknowledged records on a graceful stop and calls commit()', async () => {
    let n = 0;
    let commits = 0;
    const task: SourceTask = {
      start() {},
      async poll() {
        if (n >= 30) {
          await new Promise((r) => setTimeout(r, 10));
          return null;
        }
        const out = Array.from({ length: 10 }, () =>
          sourceRecord({ sourcePartition: { s: 1 }, sourceOffset: { n: ++n }, topic: 'out', valueSchema: Schemas.STRING, value: `v${n}` }),
        );
        return out;
      },
      commit() {
        commits++;
      },
      stop() {},
    };
    const runner = sourceRunner(task, recordingListener().listener);
    runner.start(false);
    await until(() => n >= 30);
    await new Promise((r) => setTimeout(r, 50));
    await runner.stop(5000);
    expect(offsets.get('src', { s: 1 })).toEqual({ n: 30 });
    expect(commits).toBeGreaterThanOrEqual(1);
    expect((await log.endOffsets('out'))[0]).toBe(30);
  });

  it('redelivers the same batch after a RetriableError from put and commits only what preCommit returns', async () => {
    await log.createTopic({ name: 'in', partitions: 1 });
    await log.produce('in', Array.from({ length: 5 }, (_, i) => ({ key: null, value: Buffer.from(`r${i}`) })));
    const deliveries: string[][] = [];
    let failOnce = true;
    const task: SinkTask = {
      start() {},
      put(records: readonly SinkRecord[]) {
        deliveries.push(records.map((r) => String(r.value)));
        if (failOnce) {
          failOnce = false;
          throw new RetriableError('target unavailable');
        }
      },
      // Durable only up to offset 3 (exclusive): the runner must commit 3, not 5.
      preCommit(offsets) {
        return new Map([...offsets].map(([k, v]) => [k, { tp: v.tp, offset: Math.min(v.offset, 3) }]));
      },
      stop() {},
    };
    const rl = recordingListener();
    const runner = new SinkTaskRunner({
      connector: 'snk',
      taskId: 0,
      task,
      taskConfig: {},
      connectorConfig: { topics: 'in', ...stringConverters },
      log,
      converters: buildConverters(registry, {}, stringConverters),
      transforms: TransformationChain.build(registry, {}),
      errorHandler: new ErrorHandler(errorHandlingConfig({}), noopLogger),
      listener: rl.listener,
      logger: noopLogger,
      offsetFlushIntervalMs: 60_000,
      groupId: 'connect-snk',
    });
    runner.start(false);
    await until(() => deliveries.length >= 2, 10_000);
    expect(deliveries[0]).toEqual(deliveries[1]);
    await runner.stop(5000);
    expect(rl.events).not.toContain('failed');
    expect(await log.fetchGroupOffsets('connect-snk')).toEqual([{ topic: 'in', partition: 0, offset: 3 }]);
  });
});
