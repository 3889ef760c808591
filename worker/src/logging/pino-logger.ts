import { destination as pinoDestination, pino, type Logger as Pino, type LevelWithSilent } from 'pino';
import type { Logger } from '@sluice/core';
import { LogLevels, kafkaLevel } from './log-levels.js';

/** Adapts a pino logger to the SDK's `Logger` interface (message first, structured fields second). */
export function fromPino(p: Pino): Logger {
  const wrap =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (fields) p[level](fields, msg);
      else p[level](msg);
    };
  return {
    trace: wrap('trace'),
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    child: (bindings) => fromPino(p.child(bindings)),
  };
}

/**
 * The worker's root logger: JSON lines on stdout (stderr with `destination: 2`). Levels are decided
 * per line by `levels` (changeable at runtime through `/admin/loggers`), so pino itself runs at trace.
 */
export function createRootLogger(level: string, destination: 1 | 2 = 1): { logger: Logger; pino: Pino; levels: LogLevels } {
  const levels = new LogLevels(kafkaLevel(level));
  const p = pino(
    {
      level: 'trace' as LevelWithSilent,
      base: { pid: process.pid },
      hooks: {
        logMethod(args, method, levelValue) {
          if (levels.enabled(levelValue, (this as unknown as Pino).bindings())) method.apply(this, args);
        },
      },
    },
    pinoDestination({ dest: destination, sync: false }),
  );
  return { logger: fromPino(p), pino: p, levels };
}
