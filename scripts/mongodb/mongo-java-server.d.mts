// Types for mongo-java-server.mjs.

export const MONGO_JAVA_SERVER_VERSION: string;
export const REPO_ROOT: string;
export function cacheDir(): string;
/** human-readable descriptions of missing tools; empty when everything needed is on PATH */
export function missingPrerequisites(options?: { needMaven?: boolean }): string[];
export function cachedInstall(): string | null;
export function fetchMongoJavaServer(options?: { log?: (message: string) => void }): Promise<string>;

export interface MongoJavaServer {
  readonly version: string;
  readonly port: number;
  /** `mongodb://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number | undefined;
  /** everything the JVM printed so far */
  output(): string;
  /** closes the JVM's stdin (it exits), SIGKILL after 5 s; idempotent */
  stop(): Promise<void>;
}

export function startMongoJavaServer(options?: {
  port?: number;
  log?: (message: string) => void;
  startTimeoutMs?: number;
}): Promise<MongoJavaServer>;
