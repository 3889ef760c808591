import type { Logger } from '@sluice/core';
import { logLevel } from 'kafkajs';
import type { LogEntry, logCreator } from 'kafkajs';

/** kafkajs warns about this on every producer we create with bounded retries, on purpose (see KafkaSender). */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

/**
 * Routes kafkajs's log lines into a core `Logger`. kafkajs logs routine, retried events at ERROR
 * (a broker restarting, a coordinator still loading) and group membership changes at INFO, so its
 * levels shift down one step: ERROR → warn, WARN → warn, INFO → debug, DEBUG → trace. Failures that
 * matter reach the caller as errors anyway.
 */
export function kafkajsLogCreator(logger: Logger): logCreator {
  const base = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const line = namespace ? `[${namespace}] ${message}` : message;
      switch (level) {
        case logLevel.ERROR:
        case logLevel.WARN:
          if (EXPECTED_WARNINGS.some((w) => message.startsWith(w))) base.debug(line, fields);
          else base.warn(line, fields);
          break;
        case logLevel.INFO:
          base.debug(line, fields);
          break;
        default:
          base.trace(line, fields);
      }
    };
}
