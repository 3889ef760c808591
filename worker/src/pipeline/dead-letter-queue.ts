import type { Logger } from '@sluice/core';
import type { Log, LogHeader, LogRecord } from '../log/log.js';
import type { FailureContext } from './error-handler.js';

export const ERROR_HEADER_PREFIX = '__connect.errors.';

export interface DeadLetterQueueOptions {
  log: Log;
  topic: string;
  replicationFactor: number;
  connector: string;
  taskId: number;
  contextHeaders: boolean;
  logger: Logger;
}

/**
 * Writes records that failed conversion, transformation or `put` to the dead-letter queue topic
 * (Kafka Connect's DeadLetterQueueReporter): the original raw key, value and headers, plus, with
 * `errors.deadletterqueue.context.headers.enable`, `__connect.errors.*` headers describing the failure.
 * The topic is created on first use with one partition.
 */
export class DeadLetterQueueReporter {
  private ensured = false;

  constructor(private readonly options: DeadLetterQueueOptions) {}

  async report(context: FailureContext): Promise<void> {
    const raw = context.raw;
    if (!raw) {
      this.options.logger.warn('Cannot write to the dead letter queue: the original record is unknown', { stage: context.stage });
      return;
    }
    await this.ensureTopic();
    const headers: LogHeader[] = [...raw.headers];
    if (this.options.contextHeaders) headers.push(...contextHeaders(context, raw, this.options));
    await this.options.log.produce(this.options.topic, [
      { key: raw.key, value: raw.value, headers, timestamp: raw.timestamp, partition: 0 },
    ]);
  }

  private async ensureTopic(): Promise<void> {
    if (this.ensured) return;
    const { log, topic, replicationFactor } = this.options;
    if (!(await log.describeTopic(topic))) {
      await log.createTopic({ name: topic, partitions: 1, replicationFactor });
    }
    this.ensured = true;
  }
}

function contextHeaders(context: FailureContext, raw: LogRecord, options: DeadLetterQueueOptions): LogHeader[] {
  const h = (name: string, value: string): LogHeader => ({ key: ERROR_HEADER_PREFIX + name, value: Buffer.from(value, 'utf8') });
  const error = context.error;
  return [
    h('topic', raw.topic),
    h('partition', String(raw.partition)),
    h('offset', String(raw.offset)),
    h('connector.name', options.connector),
    h('task.id', String(options.taskId)),
    h('stage', context.stage),
    h('class.name', context.pluginName),
    h('exception.class.name', error.name),
    h('exception.message', error.message),
    h('exception.stacktrace', error.stack ?? `${error.name}: ${error.message}`),
  ];
}
