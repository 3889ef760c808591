import { parseConfig, type ConfigSchema, type ConnectorConfig } from '@sluice/core';

/**
 * The FileStream sink's config: Kafka Connect's `file` (absent or empty = standard output), plus the
 * framework's `topics` / `topics.regex`, declared so that validation and docs show them.
 */
export function fileStreamSinkConfigSchema(): ConfigSchema {
  return {
    type: 'object',
    properties: {
      file: {
        type: 'string',
        description: 'Destination filename. If not specified (or empty), the standard output will be used.',
        'x-importance': 'HIGH',
        'x-order': 1,
        'x-width': 'LONG',
        'x-display-name': 'File',
      },
      topics: {
        type: 'string',
        description: 'Comma-separated list of topics to consume. Use either this or topics.regex.',
        'x-type': 'LIST',
        'x-importance': 'HIGH',
        'x-order': 2,
        'x-width': 'LONG',
        'x-display-name': 'Topics',
      },
      'topics.regex': {
        type: 'string',
        description: 'Regular expression of the topics to consume. Use either this or topics.',
        'x-importance': 'HIGH',
        'x-order': 3,
        'x-width': 'LONG',
        'x-display-name': 'Topics regex',
      },
    },
  };
}

/** Validated sink settings. `file` is null for standard output. */
export interface FileStreamSinkSettings {
  readonly file: string | null;
}

/** Parses a sink config. Throws ConfigValidationError naming every bad key. */
export function parseSinkConfig(config: ConnectorConfig): FileStreamSinkSettings {
  const parsed = parseConfig<{ file?: string }>(fileStreamSinkConfigSchema(), config);
  return Object.freeze({ file: parsed.file === undefined || parsed.file === '' ? null : parsed.file });
}
