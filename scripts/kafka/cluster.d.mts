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
  /**
   * Adds SASL_PLAINTEXT, SASL_SSL, SSL and MTLS (SSL with client certificates) listeners next to PLAINTEXT: a self-signed certificate for
   * 127.0.0.1, SASL PLAIN and SCRAM-SHA-256/512 for `users` (default { sluice: 'sluice-secret' }).
   */
  security?: { users?: Record<string, string> };
}

export interface SecureListeners {
  /** bootstrap servers per security protocol */
  /** bootstrap servers per listener; MTLS is an SSL listener that requires a client certificate */
  readonly bootstrapServers: Record<'SASL_PLAINTEXT' | 'SASL_SSL' | 'SSL' | 'MTLS', string[]>;
  /** a PKCS12 key store with a client certificate the MTLS listener trusts */
  readonly clientKeystore: { readonly file: string; readonly password: string };
  /** PEM certificate the brokers present (self-signed: trust it as the CA) */
  readonly caFile: string;
  /** SASL users and passwords (PLAIN and SCRAM) */
  readonly users: Record<string, string>;
}

export interface RunningCluster {
  readonly version: string;
  readonly clusterId: string;
  /** temp directory holding every node's config, data and server.log; removed by stop() */
  readonly dir: string;
  readonly bootstrapServers: string[];
  /** the secure listeners when started with `security`, else null */
  readonly secure: SecureListeners | null;
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
