import path from 'node:path';
import { createApp } from '@sluice/api';
import type { ConnectorPlugin, Logger } from '@sluice/core';
import { builtinConverterPlugins } from '@sluice/core';
import { plugins as filePlugins } from '@sluice/connector-file';
import { plugins as mongoPlugins } from '@sluice/connector-mongodb';
import { plugins as s3Plugins } from '@sluice/connector-s3';
import { plugins as postgresPlugins } from '@sluice/connector-postgres';
import { plugins as transformPlugins } from '@sluice/transforms';
import { listenerAddress, type WorkerConfig } from './config/worker-config.js';
import { adminListenerConfig, checkListenerSecurity, clientOverrides, listen } from './rest/rest-listener.js';
import { secretKeys } from './herder/connector-config-def.js';
import { StandaloneHerder } from './herder/standalone-herder.js';
import type { Log } from './log/log.js';
import { PluginRegistry } from './plugins/plugin-registry.js';
import type { LogLevels } from './logging/log-levels.js';
import { EmbeddedLog } from './storage/embedded/embedded-log.js';
import { ConfigStore } from './storage/config-store.js';
import { OffsetStore } from './storage/offset-store.js';
import { StatusStore } from './storage/status-store.js';
import { WorkerMetrics } from './metrics/worker-metrics.js';
import { withMetricsEndpoint } from './metrics/metrics-endpoint.js';

export interface ConnectorDefinition {
  name: string;
  config: Record<string, string>;
}

export interface RunningWorker {
  readonly url: string;
  readonly herder: StandaloneHerder;
  readonly log: Log;
  /** Graceful stop: HTTP closes, tasks drain and commit, stores and log close. Idempotent. */
  stop(): Promise<void>;
}

/** Registry with every built-in plugin plus those listed in `plugin.path` (module names or files). */
export async function createRegistry(config: WorkerConfig): Promise<PluginRegistry> {
  const registry = new PluginRegistry();
  registry.register(...builtinConverterPlugins);
  registry.register(...(filePlugins as readonly ConnectorPlugin[]));
  registry.register(...(mongoPlugins as readonly ConnectorPlugin[]));
  registry.register(...(s3Plugins as readonly ConnectorPlugin[]));
  registry.register(...(postgresPlugins as readonly ConnectorPlugin[]));
  registry.register(...transformPlugins);
  for (const entry of (config['plugin.path'] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const specifier = entry.startsWith('.') || entry.startsWith('/') ? path.resolve(entry) : entry;
    await registry.load(specifier.startsWith('/') ? `file://${specifier}` : specifier);
  }
  return registry;
}

/**
 * Starts a standalone worker: embedded log in `data.dir`, internal stores, herder and REST listener.
 * Connector definitions given here are created or updated (PUT semantics) once the worker is up.
 */
export async function startStandalone(
  config: WorkerConfig,
  logger: Logger,
  connectors: readonly ConnectorDefinition[] = [],
  logLevels?: LogLevels,
): Promise<RunningWorker> {
  const dataDir = path.resolve(config['data.dir'] ?? './data');
  const { host } = listenerAddress(config);
  const registry = await createRegistry(config);
  const log = await EmbeddedLog.open({
    dataDir,
    sync: config['embedded.log.sync'] === 'normal' ? 'normal' : 'full',
    logger: logger.child({ component: 'embedded-log' }),
  });
  const storeOpts = { log, logger, requireCompaction: true };
  const configStore = new ConfigStore({ ...storeOpts, topic: config['config.storage.topic'] ?? 'connect-configs' });
  const offsetStore = new OffsetStore({
    ...storeOpts,
    topic: config['offset.storage.topic'] ?? 'connect-offsets',
    partitions: Number(config['offset.storage.partitions'] ?? '25'),
  });
  const statusStore = new StatusStore({
    ...storeOpts,
    topic: config['status.storage.topic'] ?? 'connect-status',
    partitions: Number(config['status.storage.partitions'] ?? '5'),
  });
  await configStore.start();
  await offsetStore.start();
  await statusStore.start();

  const { auth } = checkListenerSecurity(config, logger);
  const adminListeners = adminListenerConfig(config);
  const { server, port: boundPort, protocol } = await listen(config);
  const advertisedHost = config['rest.advertised.host.name'] ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const workerId = `${advertisedHost}:${config['rest.advertised.port'] ?? boundPort}`;
  const metrics = new WorkerMetrics();
  const herder = new StandaloneHerder({
    metrics,
    ...(logLevels ? { logLevels } : {}),
    log,
    registry,
    configStore,
    offsetStore,
    statusStore,
    logger,
    workerId,
    clusterId: 'standalone',
    workerConfig: config,
  });
  const app = createApp({
    herder,
    logger: logger.child({ component: 'rest' }),
    secretKeys: (c) => secretKeys(registry.find(c['connector.class'] ?? '', 'source', 'sink')),
    ...(auth ? { auth } : {}),
    ...(clientOverrides(config) ? { clientOverrides: clientOverrides(config)! } : {}),
    endpoints: adminListeners.mainEndpoints,
  });
  let adminServer: Awaited<ReturnType<typeof listen>>['server'] | null = null;
  if (adminListeners.admin) {
    checkListenerSecurity(adminListeners.admin, logger);
    const adminApp = createApp({ herder, logger: logger.child({ component: 'rest-admin' }), ...(auth ? { auth } : {}), endpoints: 'admin' });
    adminServer = (await listen(adminListeners.admin, adminApp)).server;
  }
  server.on('request', withMetricsEndpoint(metrics, app));
  await herder.start();
  for (const def of connectors) {
    await herder.putConnectorConfig(def.name, def.config, { allowReplace: true });
  }
  const url = `${protocol}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  logger.info('Sluice standalone worker started', { url, dataDir, workerId });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const errors: unknown[] = [];
      const step = async (fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (err) {
          errors.push(err);
        }
      };
      await step(() => new Promise<void>((resolve) => {
        adminServer?.close();
        adminServer?.closeAllConnections();
        server.close(() => resolve());
        server.closeAllConnections();
      }));
      await step(() => herder.stop());
      await step(() => statusStore.stop());
      await step(() => offsetStore.stop());
      await step(() => configStore.stop());
      await step(() => log.close());
      if (errors.length > 0) logger.warn('Errors during shutdown', { errors: errors.map(String) });
      logger.info('Sluice worker stopped');
    })();
    return stopping;
  };
  return { url, herder, log, stop };
}
