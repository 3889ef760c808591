#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadWorkerConfig, parseProperties } from '../config/worker-config.js';
import { createRootLogger } from '../logging/pino-logger.js';
import { startStandalone, type ConnectorDefinition } from '../standalone.js';
import { SLUICE_VERSION } from '../version.js';
import type { Logger } from '@sluice/core';
import { DISTRIBUTED_DEFAULTS, startDistributed } from '../distributed/start-distributed.js';

const USAGE = `Usage:
  sluice standalone [--config <worker.properties|.json>] [connector.json|connector.properties ...]
  sluice distributed <worker.properties|.json>
  sluice --version

Standalone mode runs one worker with every connector, on an embedded log in ./data
(override with SLUICE_DATA_DIR or data.dir). The REST API listens on http://127.0.0.1:8083
(listeners=http://host:port). Any worker setting can also be given as an environment variable:
SLUICE_OFFSET_FLUSH_INTERVAL_MS=5000 sets offset.flush.interval.ms.

Distributed mode runs one worker of a cluster on Apache Kafka. The worker file uses Kafka Connect's
keys: bootstrap.servers, group.id, config.storage.topic, offset.storage.topic, status.storage.topic
(all required), *.replication.factor, *.partitions, rest.advertised.host.name, security.protocol, ...
`;

/** Reads a connector file: Kafka Connect's REST JSON `{name, config}`, a flat JSON map, or .properties. */
export function readConnectorFile(file: string): ConnectorDefinition {
  const text = readFileSync(file, 'utf8');
  let raw: Record<string, unknown>;
  if (file.endsWith('.json')) {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    raw = parsed['config'] && typeof parsed['config'] === 'object' ? { name: parsed['name'], ...(parsed['config'] as object) } : parsed;
  } else {
    raw = parseProperties(text);
  }
  const config = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
  const name = config['name'];
  if (!name) throw new Error(`Connector file ${file} has no "name"`);
  return { name, config };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${SLUICE_VERSION}\n`);
    return 0;
  }
  if (command === 'distributed') return runDistributed(rest);
  if (command !== 'standalone') {
    process.stderr.write(command === undefined || command === '--help' || command === '-h' ? USAGE : `Unknown command ${command}\n\n${USAGE}`);
    return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
  let workerFile: string | undefined;
  const connectorFiles: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--config' || arg === '-c') workerFile = rest[++i];
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else connectorFiles.push(arg);
  }
  const config = loadWorkerConfig(workerFile, process.env);
  const { logger, pino, levels } = createRootLogger(config['log.level'] ?? 'info');
  let connectors: ConnectorDefinition[];
  try {
    connectors = connectorFiles.map((f) => readConnectorFile(path.resolve(f)));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  let worker;
  try {
    worker = await startStandalone(config, logger, connectors, levels);
  } catch (err) {
    logger.error('Worker failed to start', { error: err instanceof Error ? err.message : String(err) });
    pino.flush();
    process.stderr.write(`sluice: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.stdout.write(`Sluice ${SLUICE_VERSION} standalone worker listening on ${worker.url}\n`);
  return waitForSignals(worker, config, logger, pino);
}

async function runDistributed(args: string[]): Promise<number> {
  const file = args.find((a) => !a.startsWith('-'));
  const config = loadWorkerConfig(file, process.env, DISTRIBUTED_DEFAULTS);
  const { logger, pino, levels } = createRootLogger(config['log.level'] ?? 'info');
  let worker;
  try {
    worker = await startDistributed(config, logger, levels);
  } catch (err) {
    logger.error('Worker failed to start', { error: err instanceof Error ? err.message : String(err) });
    pino.flush();
    process.stderr.write(`sluice: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.stdout.write(`Sluice ${SLUICE_VERSION} distributed worker listening on ${worker.url}\n`);
  return waitForSignals(worker, config, logger, pino);
}

function waitForSignals(
  worker: { stop(): Promise<void> },
  config: Record<string, string>,
  logger: Logger,
  pino: { flush(): void },
): Promise<number> {
  const forceMs = Number(config['shutdown.force.timeout.ms'] ?? '30000');
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        // A second signal forces: committed offsets stay as they are; uncommitted work is redone on restart.
        logger.warn('Second signal received; forcing exit', { signal });
        pino.flush();
        resolve(130);
        return;
      }
      logger.info('Shutting down gracefully (send the signal again to force)', { signal });
      const force = setTimeout(() => {
        logger.error('Graceful shutdown exceeded its budget; forcing exit', { forceMs });
        resolve(1);
      }, forceMs);
      force.unref();
      worker.stop().then(
        () => {
          clearTimeout(force);
          resolve(0);
        },
        () => resolve(1),
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    // The exit code holds even when nothing is left to run before the timer fires.
    process.exitCode = code;
    // Give pino's async destination a moment to drain before exiting.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (err) => {
    process.stderr.write(`sluice: ${String(err)}\n`);
    process.exit(1);
  },
);
