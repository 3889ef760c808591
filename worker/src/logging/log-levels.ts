/**
 * Runtime log levels by logger name (Kafka Connect's `/admin/loggers`, KIP-495/976). Sluice's logger
 * names are `root`, a component (`rest`, `kafka`, `embedded-log`, `group-member`, …) and
 * `connector.<name>`; the most specific name set for a log line's bindings decides whether it is
 * written (connector over component over root).
 */
export type KafkaLevel = 'OFF' | 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE' | 'ALL';

const PINO_VALUE: Record<KafkaLevel, number> = { OFF: Infinity, FATAL: 60, ERROR: 50, WARN: 40, INFO: 30, DEBUG: 20, TRACE: 10, ALL: 0 };

export function kafkaLevel(pinoLevel: string): KafkaLevel {
  const map: Record<string, KafkaLevel> = { silent: 'OFF', fatal: 'FATAL', error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG', trace: 'TRACE' };
  return map[pinoLevel.toLowerCase()] ?? ((pinoLevel.toUpperCase() as KafkaLevel) in PINO_VALUE ? (pinoLevel.toUpperCase() as KafkaLevel) : 'INFO');
}

export class LogLevels {
  private readonly levels = new Map<string, { level: KafkaLevel; lastModified: number | null }>();

  constructor(rootLevel: KafkaLevel) {
    this.levels.set('root', { level: rootLevel, lastModified: null });
  }

  /** Every logger with an explicit level, Kafka Connect's response shape. */
  all(): Record<string, { level: string; last_modified: number | null }> {
    return Object.fromEntries([...this.levels].sort(([a], [b]) => a.localeCompare(b)).map(([n, v]) => [n, { level: v.level, last_modified: v.lastModified }]));
  }

  /** Sets a level; returns the names whose level changed (the name itself, and its sub-loggers for `root`). */
  set(name: string, level: KafkaLevel): string[] {
    const now = Date.now();
    const changed = [name];
    if (name === 'root') {
      // Setting root resets every more specific logger, as Log4j's root reconfiguration does.
      for (const n of [...this.levels.keys()]) if (n !== 'root') {
        this.levels.delete(n);
        changed.push(n);
      }
    }
    this.levels.set(name, { level, lastModified: now });
    return changed.sort();
  }

  /** Whether a line at pino level `value` with these bindings is written. */
  enabled(value: number, bindings: { component?: unknown; connector?: unknown }): boolean {
    const specific =
      (typeof bindings.connector === 'string' ? this.levels.get(`connector.${bindings.connector}`) : undefined) ??
      (typeof bindings.component === 'string' ? this.levels.get(bindings.component) : undefined) ??
      this.levels.get('root')!;
    return value >= PINO_VALUE[specific.level];
  }
}
