// Types for kafka-dist.mjs.

export const DEFAULT_KAFKA_VERSION: string;
export const COMPAT_KAFKA_VERSION: string;
export const REPO_ROOT: string;
export function cacheRoot(): string;
export function isLegacyVersion(version: string): boolean;
export function loggingJvmArgs(version: string): string[];
/** human-readable descriptions of missing tools; empty when everything needed is on PATH */
export function missingPrerequisites(options?: { needMaven?: boolean }): string[];
export function cachedLibsDir(version: string): string | null;
export function fetchKafka(options?: { version?: string; log?: (message: string) => void }): Promise<string>;
