/**
 * Runs Apache Kafka Connect (the real one, `org.apache.kafka.connect.cli.ConnectDistributed`) as a
 * one-worker distributed cluster on a test broker, for side-by-side REST comparisons with Sluice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_KAFKA_VERSION, loggingJvmArgs } from '../../../scripts/kafka/kafka-dist.mjs';

export interface KafkaConnectProcess {
  readonly url: string;
  readonly logFile: string;
  /** The last lines of the worker's log, for failure messages. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after 15 s; deletes the scratch directory. Idempotent. */
  stop(): Promise<void>;
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/**
 * Starts a Kafka Connect distributed worker from the jars in `libs` against `bootstrapServers`
 * and resolves once `GET /health` answers 200. Internal topics get unique names, so reruns on the
 * same broker never see old state.
 */
export async function startKafkaConnect(options: {
  libs: string;
  bootstrapServers: readonly string[];
  timeoutMs?: number;
}): Promise<KafkaConnectProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-kafka-connect-'));
  const port = await freePort();
  const id = `compat-${process.pid}-${Date.now()}`;
  const properties = {
    'bootstrap.servers': options.bootstrapServers.join(','),
    'group.id': id,
    'config.storage.topic': `${id}-configs`,
    'offset.storage.topic': `${id}-offsets`,
    'status.storage.topic': `${id}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'offset.storage.partitions': '1',
    'status.storage.partitions': '1',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'offset.flush.interval.ms': '1000',
    listeners: `http://127.0.0.1:${port}`,
    'rest.advertised.host.name': '127.0.0.1',
    'rest.advertised.port': String(port),
    // Plugins are on the class path; scanning only it keeps startup short.
    'plugin.discovery': 'only_scan',
    'scheduled.rebalance.max.delay.ms': '1000',
  };
  const propsFile = path.join(dir, 'worker.properties');
  writeFileSync(propsFile, Object.entries(properties).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const logFile = path.join(dir, 'connect.log');
  const log = createWriteStream(logFile);
  const proc: ChildProcess = spawn(
    'java',
    [
      '-Xmx512m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      ...loggingJvmArgs(DEFAULT_KAFKA_VERSION),
      '-cp',
      path.join(options.libs, '*'),
      'org.apache.kafka.connect.cli.ConnectDistributed',
      propsFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.pipe(log, { end: false });
  proc.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const tail = (lines = 60) => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
      if (process.env['SLUICE_KEEP_COMPAT_LOGS'] === undefined) rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  while (Date.now() < deadline && !exitedEarly) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return { url, logFile, tail, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const output = tail();
  await stop();
  throw new Error(`Kafka Connect did not become healthy${exitedEarly ? ' (it exited)' : ''}:\n${output}`);
}
