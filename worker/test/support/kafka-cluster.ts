/**
 * Real Apache Kafka for integration tests: a KRaft cluster of combined broker+controller nodes on
 * 127.0.0.1, started from jars the project fetches itself (scripts/kafka: Maven Central into
 * .cache/kafka-<version>/libs). Nothing here relies on a broker started by hand.
 *
 *   const gate = kafkaTestGate();               // before describe: skip (loudly) or fail under CI
 *   describe.skipIf(gate.skip)('…', () => {
 *     let kafka: KafkaCluster;
 *     beforeAll(async () => { kafka = await startKafkaCluster({ brokers: 1 }); });
 *     afterAll(() => kafka?.stop());
 *   });
 */
import { startCluster, type SecureListeners } from '../../../scripts/kafka/cluster.mjs';
import { COMPAT_KAFKA_VERSION, DEFAULT_KAFKA_VERSION, cachedLibsDir, missingPrerequisites } from '../../../scripts/kafka/kafka-dist.mjs';

export { COMPAT_KAFKA_VERSION, DEFAULT_KAFKA_VERSION };

export interface KafkaClusterOptions {
  /** combined broker+controller nodes */
  readonly brokers: 1 | 3;
  /** Kafka version (default DEFAULT_KAFKA_VERSION, a 4.x; COMPAT_KAFKA_VERSION is the 3.9 line) */
  readonly version?: string;
  /** extra or overriding server.properties entries */
  readonly config?: Record<string, string>;
  /** broker JVM max heap in MiB (default 512) */
  readonly heapMb?: number;
  /** add SASL_PLAINTEXT, SASL_SSL and SSL listeners (self-signed certificate, PLAIN and SCRAM users) */
  readonly security?: { users?: Record<string, string> };
}

/** A running test cluster. Broker indexes run 0..brokers-1 (node id = index + 1). */
export interface KafkaCluster {
  readonly version: string;
  readonly bootstrapServers: string[];
  /** the secure listeners when started with `security`, else null */
  readonly secure: SecureListeners | null;
  /** wall time from the call to a cluster answering metadata requests with every broker */
  readonly startupMs: number;
  /** SIGTERM (controlled shutdown), SIGKILL after a grace period; resolves when the JVM exited */
  stopBroker(i: number): Promise<void>;
  /** restarts a stopped broker with its ports and data; resolves when it is back in the metadata */
  startBroker(i: number): Promise<void>;
  /** SIGKILL, as a crash */
  kill(i: number): Promise<void>;
  /** the broker's log (stdout/stderr of the JVM), for diagnosing a failed test */
  logFile(i: number): string;
  /** stops every broker and deletes the data; idempotent */
  stop(): Promise<void>;
}

/** Starts a cluster and resolves once it serves metadata with every broker registered. */
export async function startKafkaCluster(options: KafkaClusterOptions): Promise<KafkaCluster> {
  const started = Date.now();
  const cluster = await startCluster({
    brokers: options.brokers,
    version: options.version ?? DEFAULT_KAFKA_VERSION,
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.heapMb !== undefined ? { heapMb: options.heapMb } : {}),
    ...(options.security !== undefined ? { security: options.security } : {}),
    log: (message) => process.stderr.write(`${message}\n`),
  });
  const startupMs = Date.now() - started;
  process.stderr.write(`Kafka ${cluster.version} (${options.brokers} broker${options.brokers > 1 ? 's' : ''}) ready in ${startupMs} ms at ${cluster.bootstrapServers.join(',')}\n`);
  return {
    version: cluster.version,
    bootstrapServers: cluster.bootstrapServers,
    secure: cluster.secure,
    startupMs,
    stopBroker: (i) => cluster.stopBroker(i),
    startBroker: (i) => cluster.startBroker(i),
    kill: (i) => cluster.kill(i),
    logFile: (i) => cluster.logFile(i),
    stop: () => cluster.stop(),
  };
}

/**
 * Whether Kafka integration tests can run here. Needs java on PATH, and mvn unless the jars for
 * `version` are already cached. Outside CI a missing tool skips the tests with a loud banner saying how
 * to enable them; with CI=true it throws, since nothing may be skipped there.
 */
export function kafkaTestGate(version: string = DEFAULT_KAFKA_VERSION): { skip: boolean; reason?: string } {
  const missing = missingPrerequisites({ needMaven: cachedLibsDir(version) === null });
  if (missing.length === 0) return { skip: false };
  const reason = `Kafka ${version} integration tests need: ${missing.join('; ')}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: Kafka tests may not be skipped)`);
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\n!! SKIPPING Kafka integration tests. ${reason}.\n` +
      `!! Install them, then run: npx vitest run worker/test/kafka  (jars come from Maven Central on first use)\n${bar}\n\n`,
  );
  return { skip: true, reason };
}
