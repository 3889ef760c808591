import type { Logger } from '@sluice/core';

/** Log levels of the core `Logger` interface, lowest first. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** One captured log call; `bindings` are the merged `child()` bindings of the logger that made it. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly bindings: Readonly<Record<string, unknown>>;
}

/**
 * A `Logger` that keeps every call in memory so tests can assert on warnings (e.g. "file was
 * rotated"). Children share their parent's entry list. Set `SLUICE_TEST_LOG=1` to also echo entries
 * to stderr while debugging a test.
 */
export class CapturingLogger implements Logger {
  readonly entries: LogEntry[];
  readonly bindings: Readonly<Record<string, unknown>>;

  constructor(bindings: Record<string, unknown> = {}, entries: LogEntry[] = []) {
    this.bindings = Object.freeze({ ...bindings });
    this.entries = entries;
  }

  trace(msg: string, fields?: Record<string, unknown>): void {
    this.log('trace', msg, fields);
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }

  child(bindings: Record<string, unknown>): CapturingLogger {
    return new CapturingLogger({ ...this.bindings, ...bindings }, this.entries);
  }

  /** Entries at `level` (all levels when omitted), oldest first. */
  at(level?: LogLevel): LogEntry[] {
    return level === undefined ? [...this.entries] : this.entries.filter((e) => e.level === level);
  }

  /** True when some entry at `level` has a message matching `pattern`. */
  has(level: LogLevel, pattern: RegExp | string): boolean {
    return this.entries.some(
      (e) => e.level === level && (typeof pattern === 'string' ? e.msg.includes(pattern) : pattern.test(e.msg)),
    );
  }

  /** Forgets every captured entry (shared with children). */
  clear(): void {
    this.entries.length = 0;
  }

  private log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    const entry: LogEntry = Object.freeze({
      level,
      msg,
      fields: Object.freeze({ ...fields }),
      bindings: this.bindings,
    });
    this.entries.push(entry);
    if (process.env['SLUICE_TEST_LOG']) {
      process.stderr.write(`[${level}] ${msg} ${JSON.stringify({ ...this.bindings, ...fields })}\n`);
    }
  }
}
