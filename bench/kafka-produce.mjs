// Produce-path throughput of a Sluice source task into Apache Kafka, against kafkajs producing the
// same records directly (idempotent, acks=all, sequential batches of the same size) in the same run.
//
//   node bench/kafka-produce.mjs [--records 200000] [--sizes 100,1024] [--batch 1000]
import { Kafka, logLevel } from 'kafkajs';
import { startCluster } from '../scripts/kafka/cluster.mjs';
import { KafkaLog } from '../worker/dist/storage/kafka/kafka-log.js';
import { OffsetStore } from '../worker/dist/storage/offset-store.js';
import { SourceTaskRunner } from '../worker/dist/runtime/source-task-runner.js';
import { ErrorHandler, errorHandlingConfig } from '../worker/dist/pipeline/error-handler.js';
import { TransformationChain } from '../worker/dist/pipeline/transformation-chain.js';
import { buildConverters } from '../worker/dist/pipeline/converters.js';
import { PluginRegistry } from '../worker/dist/plugins/plugin-registry.js';
import { builtinConverterPlugins, noopLogger, sourceRecord, Schemas } from '../core/dist/index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RECORDS = Number(arg('records', '200000'));
const SIZES = arg('sizes', '100,1024').split(',').map(Number);
const BATCH = Number(arg('batch', '1000'));

const payload = (i, size) => {
  const head = `${i} `;
  return head + 'x'.repeat(Math.max(0, size - head.length));
};

async function baseline(brokers, topic, size) {
  const kafka = new Kafka({ brokers, clientId: 'bench-baseline', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const start = performance.now();
  for (let i = 0; i < RECORDS; i += BATCH) {
    const messages = [];
    for (let j = i; j < Math.min(RECORDS, i + BATCH); j++) messages.push({ value: payload(j, size), partition: 0 });
    await producer.send({ topic, acks: -1, messages });
  }
  const seconds = (performance.now() - start) / 1000;
  await producer.disconnect();
  return seconds;
}

async function sluice(brokers, topic, size) {
  const log = await KafkaLog.connect({ brokers, clientId: 'bench-sluice' });
  const offsetStore = new OffsetStore({ log, topic: `bench-offsets-${size}`, partitions: 1, replicationFactor: 1 });
  await offsetStore.start();
  const registry = new PluginRegistry().register(...builtinConverterPlugins);
  const connectorConfig = {
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  };
  let next = 0;
  let acked = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const partition = { generator: 'bench' };
  const task = {
    start() {},
    async poll() {
      if (next >= RECORDS) {
        await new Promise((r) => setTimeout(r, 50));
        return null;
      }
      const out = [];
      for (let j = next; j < Math.min(RECORDS, next + BATCH); j++) {
        out.push(sourceRecord({ sourcePartition: partition, sourceOffset: { seq: j }, topic, kafkaPartition: 0, valueSchema: Schemas.STRING, value: payload(j, size) }));
      }
      next += out.length;
      return out;
    },
    commitRecord() {
      if (++acked === RECORDS) resolveDone();
    },
    stop() {},
  };
  const runner = new SourceTaskRunner({
    connector: 'bench',
    taskId: 0,
    task,
    taskConfig: {},
    log,
    offsetStore,
    converters: buildConverters(registry, {}, connectorConfig),
    transforms: TransformationChain.build(registry, {}),
    errorHandler: new ErrorHandler(errorHandlingConfig({}), noopLogger),
    listener: { onStartup() {}, onPause() {}, onResume() {}, onFailure(e) { console.error(e); }, onShutdown() {} },
    logger: noopLogger,
    offsetFlushIntervalMs: 10_000,
    offsetFlushTimeoutMs: 5_000,
    ensureTopic: async () => {},
  });
  const start = performance.now();
  runner.start(false);
  await done;
  const seconds = (performance.now() - start) / 1000;
  await runner.stop(5000);
  await offsetStore.stop();
  await log.close();
  return seconds;
}

const cluster = await startCluster({ brokers: 1, log: () => {} });
try {
  const brokers = cluster.bootstrapServers;
  const admin = await KafkaLog.connect({ brokers, clientId: 'bench-admin' });
  const fmt = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
  console.log(`Source task → Kafka ${cluster.version} produce path: ${RECORDS.toLocaleString('en-US')} records per size, batches of ${BATCH}, 1 broker on 127.0.0.1`);
  for (const size of SIZES) {
    for (const t of [`bench-base-${size}`, `bench-sluice-${size}`]) await admin.createTopic({ name: t, partitions: 1, replicationFactor: 1 });
    const base = await baseline(brokers, `bench-base-${size}`, size);
    const sl = await sluice(brokers, `bench-sluice-${size}`, size);
    const mb = (RECORDS * size) / 1e6;
    console.log(`\n${size} B records`);
    console.log(`  kafkajs producer directly   ${fmt(RECORDS / base)} records/s  ${fmt(mb / base)} MB/s`);
    console.log(`  sluice source task runner   ${fmt(RECORDS / sl)} records/s  ${fmt(mb / sl)} MB/s`);
    console.log(`  ratio sluice/kafkajs        ${(base / sl).toFixed(3)}`);
  }
  await admin.close();
} finally {
  await cluster.stop();
}
