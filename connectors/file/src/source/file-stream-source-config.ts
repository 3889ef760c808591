import { ConfigValidationError, parseConfig, type ConfigSchema, type ConnectorConfig } from '@sluice/core';

/** Kafka Connect's FileStreamSourceConnector default for `batch.size` (KAFKA-4335). */
export const DEFAULT_BATCH_SIZE = 2000;

/**
 * The FileStream source's config keys, exactly Kafka Connect's: `file` (absent or empty = standard
 * input), `topic` (one topic) and `batch.size`.
 */
export function fileStreamSourceConfigSchema(): ConfigSchema {
  return {
    type: 'object',
    properties: {
      file: {
        type: 'string',
        description: 'Source filename. If not specified (or empty), the standard input will be used.',
        'x-importance': 'HIGH',
        'x-order': 1,
        'x-width': 'LONG',
        'x-display-name': 'File',
      },
      topic: {
        type: 'string',
        minLength: 1,
        description: 'The topic to publish data to. Exactly one topic.',
        'x-importance': 'HIGH',
        'x-order': 2,
        'x-width': 'MEDIUM',
        'x-display-name': 'Topic',
      },
      'batch.size': {
        type: 'integer',
        minimum: 1,
        default: DEFAULT_BATCH_SIZE,
        description: 'The maximum number of records the source task can read from the file each time it is polled.',
        'x-importance': 'LOW',
        'x-order': 3,
        'x-width': 'SHORT',
        'x-display-name': 'Batch size',
      },
    },
    required: ['topic'],
  };
}

/** Validated source settings. `file` is null for standard input. */
export interface FileStreamSourceSettings {
  readonly file: string | null;
  readonly topic: string;
  readonly batchSize: number;
}

interface RawSourceConfig {
  file?: string;
  topic: string;
  'batch.size': number;
}

/** Problems beyond what the schema expresses; [] when none. Never throws. */
export function singleTopicErrors(config: ConnectorConfig): string[] {
  const topic = config['topic'];
  return topic !== undefined && topic.includes(',') ? [`'topic' must name a single topic, got a list: ${topic}`] : [];
}

/** Parses and checks a source config. Throws ConfigValidationError naming every bad key. */
export function parseSourceConfig(config: ConnectorConfig): FileStreamSourceSettings {
  const parsed = parseConfig<RawSourceConfig>(fileStreamSourceConfigSchema(), config);
  const topicErrors = singleTopicErrors(config);
  if (topicErrors.length > 0) {
    throw new ConfigValidationError('invalid FileStreamSource config', [{ name: 'topic', errors: topicErrors }]);
  }
  const file = parsed.file === undefined || parsed.file === '' ? null : parsed.file;
  return Object.freeze({ file, topic: parsed.topic, batchSize: parsed['batch.size'] });
}
