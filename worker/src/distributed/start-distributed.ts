import { createApp, type AuthOptions } from '@sluice/api';
import type { Logger } from '@sluice/core';
import { listenerAddress, type WorkerConfig } from '../config/worker-config.js';
import { adminListenerConfig, checkListenerSecurity, clientOverrides, listen } from '../rest/rest-listener.js';
import { secretKeys } from '../herder/connector-config-def.js';
import { createRegistry } from '../standalone.js';
import { ConfigStore } from '../storage/config-store.js';
import { KafkaLog } from '../storage/kafka/kafka-log.js';
import { createCluster } from '../storage/kafka/kafkajs-internals.js';
import { kafkajsLogCreator } from '../storage/kafka/kafkajs-logger.js';
import { OffsetStore } from '../storage/offset-store.js';
import { StatusStore } from '../storage/status-store.js';
import { WorkerMetrics } from '../metrics/worker-metrics.js';
import { withMetricsEndpoint } from '../metrics/metrics-endpoint.js';
import { DistributedHerder } from './distributed-herder.js';
import { kafkaSecurity } from './kafka-security.js';
import type { LogLevels } from '../logging/log-levels.js';
import type { GroupClusterAccess, GroupCoordinatorBroker } from './worker-group-member.js';

/** Defaults for distributed mode (Kafka Connect's, except where noted). */
export const DISTRIBUTED_DEFAULTS: Readonly<WorkerConfig> = {
  listeners: 'http://127.0.0.1:8083',
  'bootstrap.servers': 'localhost:9092',
  'offset.flush.interval.ms': '10000',
  'offset.flush.timeout.ms': '5000',
  'task.shutdown.graceful.timeout.ms': '5000',
  'shutdown.force.timeout.ms': '30000',
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'header.converter': 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
  'config.storage.replication.factor': '3',
  'offset.storage.replication.factor': '3',
  'status.storage.replication.factor': '3',
  'offset.storage.partitions': '25',
  'status.storage.partitions': '5',
  'session.timeout.ms': '10000',
  'heartbeat.interval.ms': '3000',
  'rebalance.timeout.ms': '60000',
  'scheduled.rebalance.max.delay.ms': '300000',
  'log.level': 'info',
};

const REQUIRED = ['group.id', 'config.storage.topic', 'offset.storage.topic', 'status.storage.topic'] as const;

/** Credentials for worker-to-worker forwarding: the first bearer token, else the first plaintext basic user. */
function forwardAuthorization(auth: AuthOptions | undefined): string | undefined {
  const token = auth?.bearer?.tokens[0];
  if (token) return `Bearer ${token}`;
  const user = Object.entries(auth?.basic?.users ?? {}).find(([, pw]) => !pw.startsWith('$scrypt$'));
  return user ? `Basic ${Buffer.from(`${user[0]}:${user[1]}`).toString('base64')}` : undefined;
}

export interface RunningDistributedWorker {
  readonly url: string;
  readonly herder: DistributedHerder;
  stop(): Promise<void>;
}

/** Starts a worker of a distributed cluster: Kafka log, internal stores, group membership, REST. */
export async function startDistributed(config: WorkerConfig, logger: Logger, logLevels?: LogLevels): Promise<RunningDistributedWorker> {
  for (const key of REQUIRED) {
    if (!config[key]) throw new Error(`Missing required worker configuration "${key}" which has no default value.`);
  }
  const brokers = (config['bootstrap.servers'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const security = kafkaSecurity(config);
  const clientId = config['client.id'] ?? `sluice-${config['group.id']}`;
  const registry = await createRegistry(config);
  const log = await KafkaLog.connect({ brokers, clientId, ...security, logger: logger.child({ component: 'kafka' }) });
  const rf = (k: string) => Number(config[k] ?? '3');
  const configStore = new ConfigStore({
    log,
    logger,
    topic: config['config.storage.topic']!,
    replicationFactor: rf('config.storage.replication.factor'),
    requireCompaction: true,
  });
  const offsetStore = new OffsetStore({
    log,
    logger,
    topic: config['offset.storage.topic']!,
    partitions: Number(config['offset.storage.partitions'] ?? '25'),
    replicationFactor: rf('offset.storage.replication.factor'),
    requireCompaction: true,
  });
  const statusStore = new StatusStore({
    log,
    logger,
    topic: config['status.storage.topic']!,
    partitions: Number(config['status.storage.partitions'] ?? '5'),
    replicationFactor: rf('status.storage.replication.factor'),
    requireCompaction: true,
  });
  try {
    await configStore.start();
    await offsetStore.start();
    await statusStore.start();
  } catch (err) {
    await log.close().catch(() => undefined);
    throw err;
  }

  const { host } = listenerAddress(config);
  const { auth } = checkListenerSecurity(config, logger);
  const adminListeners = adminListenerConfig(config);
  const { server, port: boundPort, protocol } = await listen(config);
  const advertisedHost = config['rest.advertised.host.name'] ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const advertisedPort = config['rest.advertised.port'] ?? String(boundPort);
  const workerId = `${advertisedHost}:${advertisedPort}`;
  const url = `${protocol}://${workerId}/`;

  const cluster = createCluster({
    brokers,
    clientId: `${clientId}-group`,
    ssl: security.ssl,
    sasl: security.sasl,
    connectionTimeoutMs: 3000,
    requestTimeoutMs: Number(config['rebalance.timeout.ms'] ?? '60000') + 5000,
    logCreator: kafkajsLogCreator(logger.child({ component: 'kafka-group' })),
    logLevel: 2,
  });
  await cluster.connect();
  const groupAccess: GroupClusterAccess = {
    findGroupCoordinator: async (args) => (await cluster.findGroupCoordinator(args)) as unknown as GroupCoordinatorBroker,
  };
  const metrics = new WorkerMetrics();
  const herder = new DistributedHerder({
    metrics,
    ...(logLevels ? { logLevels } : {}),
    log,
    registry,
    configStore,
    offsetStore,
    statusStore,
    logger,
    workerId,
    clusterId: config['group.id']!,
    workerConfig: config,
    url,
    cluster: groupAccess,
    ...(forwardAuthorization(auth) ? { forwardAuthorization: forwardAuthorization(auth)! } : {}),
  });
  const app = createApp({
    herder,
    logger: logger.child({ component: 'rest' }),
    secretKeys: (c) => secretKeys(registry.find(c['connector.class'] ?? '', 'source', 'sink')),
    ...(auth ? { auth } : {}),
    ...(clientOverrides(config) ? { clientOverrides: clientOverrides(config)! } : {}),
    endpoints: adminListeners.mainEndpoints,
    internal: { sessionKey: () => herder.sessionKey() },
  });
  let adminServer: Awaited<ReturnType<typeof listen>>['server'] | null = null;
  if (adminListeners.admin) {
    checkListenerSecurity(adminListeners.admin, logger);
    const adminApp = createApp({ herder, logger: logger.child({ component: 'rest-admin' }), ...(auth ? { auth } : {}), endpoints: 'admin' });
    adminServer = (await listen(adminListeners.admin, adminApp)).server;
  }
  server.on('request', withMetricsEndpoint(metrics, app));
  await herder.start();
  logger.info('Sluice distributed worker started', { url, workerId, groupId: config['group.id'] });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const step = async (fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (err) {
          logger.warn('Error during shutdown', { error: String(err) });
        }
      };
      await step(() => herder.stop());
      await step(
        () =>
          new Promise<void>((resolve) => {
            adminServer?.close();
            adminServer?.closeAllConnections();
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      );
      await step(() => cluster.disconnect());
      await step(() => statusStore.stop());
      await step(() => offsetStore.stop());
      await step(() => configStore.stop());
      await step(() => log.close());
      logger.info('Sluice worker stopped');
    })();
    return stopping;
  };
  return { url: url.replace(/\/$/, ''), herder, stop };
}
