// Types for cluster.mjs, so the TypeScript test helper can import it under `strict`.

export interface StartClusterOptions {
  /** combined broker+controller nodes (default 1) */
  brokers?: number;
  /** Kafka version to fetch and run (default DEFAULT_KAFKA_VERSION) */
  version?: string;
  /** broker JVM max heap in MiB (default 512) */
  heapMb?: number;
  /** C1-only JIT for a faster start (default true) */
  fastStartup?: boolean;
  /** extra or overriding server.properties entries */
  config?: Record<string, string>;
  /** let the brokers outlive this process (the CLI); tests leave this off */
  detached?: boolean;
  readyTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface RunningCluster {
  readonly version: string;
  readonly clusterId: string;
  /** temp directory holding every node's config, data and server.log; removed by stop() */
  readonly dir: string;
  readonly bootstrapServers: string[];
  /** KRaft node ids, by broker index (index i has node id i + 1) */
  readonly nodeIds: number[];
  /** SIGTERM (controlled shutdown), SIGKILL after a grace period; resolves when the JVM exited */
  stopBroker(i: number): Promise<void>;
  /** SIGKILL, as a crash; resolves when the JVM exited */
  kill(i: number): Promise<void>;
  /** restarts a stopped broker with its old ports and data; resolves once it is back in the metadata */
  startBroker(i: number): Promise<void>;
  isRunning(i: number): boolean;
  logFile(i: number): string;
  /** stops every node and deletes the cluster directory; idempotent */
  stop(): Promise<void>;
}

export function startCluster(options?: StartClusterOptions): Promise<RunningCluster>;
export function stopDetached(stateFile: string): Promise<{ bootstrapServers: string[]; dir: string }>;
