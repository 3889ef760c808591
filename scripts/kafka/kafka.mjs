#!/usr/bin/env node
// Human entry point for the test Kafka: `node scripts/kafka/kafka.mjs fetch|start|stop|status`.
// Tests do not use this file; they call worker/test/support/kafka-cluster.ts, which shares cluster.mjs.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, stopDetached } from './cluster.mjs';
import { DEFAULT_KAFKA_VERSION, cacheRoot, fetchKafka } from './kafka-dist.mjs';

const usage = `Usage: node scripts/kafka/kafka.mjs <command> [options]

Commands:
  fetch              download the broker jars into .cache/kafka-<version>/libs (Maven Central)
  start              start a KRaft cluster on 127.0.0.1 in the background and print its bootstrap servers
  stop               stop the cluster started by \`start\` and delete its data
  status             print the running cluster's bootstrap servers

Options:
  --version <v>      Kafka version (default ${DEFAULT_KAFKA_VERSION}; 3.9.x works too)
  --brokers <n>      number of combined broker+controller nodes for \`start\` (default 1)
  --heap-mb <n>      broker JVM heap (default 512)
  --full-jit         use the C2 JIT (slower start, faster broker; for benchmarks)
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    version: { type: 'string', default: DEFAULT_KAFKA_VERSION },
    brokers: { type: 'string', default: '1' },
    'heap-mb': { type: 'string', default: '512' },
    'full-jit': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const stateFile = join(cacheRoot(), 'kafka-run', 'state.json');
const log = (msg) => process.stderr.write(`${msg}\n`);

async function main() {
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(usage);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'fetch': {
      const libs = await fetchKafka({ version: values.version, log });
      process.stdout.write(`${libs}\n`);
      return 0;
    }
    case 'start': {
      if (existsSync(stateFile)) {
        log(`A cluster is already recorded in ${stateFile}; run \`stop\` first.`);
        return 1;
      }
      const started = Date.now();
      const cluster = await startCluster({
        brokers: Number(values.brokers),
        version: values.version,
        heapMb: Number(values['heap-mb']),
        fastStartup: !values['full-jit'],
        detached: true,
        log,
      });
      mkdirSync(dirname(stateFile), { recursive: true });
      copyFileSync(join(cluster.dir, 'state.json'), stateFile);
      log(`Kafka ${cluster.version} ready in ${Date.now() - started} ms (data and logs in ${cluster.dir})`);
      process.stdout.write(`${cluster.bootstrapServers.join(',')}\n`);
      return 0;
    }
    case 'stop': {
      if (!existsSync(stateFile)) {
        log('No cluster recorded; nothing to stop.');
        return 0;
      }
      const state = await stopDetached(stateFile);
      log(`Stopped Kafka at ${state.bootstrapServers.join(',')}`);
      return 0;
    }
    case 'status': {
      if (!existsSync(stateFile)) {
        log('No cluster recorded.');
        return 1;
      }
      const state = JSON.parse(readFileSync(stateFile, 'utf8'));
      process.stdout.write(`${state.bootstrapServers.join(',')}\n`);
      return 0;
    }
    default:
      process.stderr.write(usage);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
