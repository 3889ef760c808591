import {
  ConfigValidationError,
  DataError,
  parseConfig,
  validateConfig,
  type ConfigFieldError,
  type ConfigSchema,
  type ConfigValidationResult,
  type ConnectorConfig,
} from '@sluice/core';
import { parseConnectionUrl } from '../connection/connection-url.js';
import type { PgEndpoint } from '../connection/pg-connection.js';

export type InsertMode = 'insert' | 'upsert' | 'update';
export type PrimaryKeyMode = 'none' | 'kafka' | 'record_key' | 'record_value';

/** Validated sink settings; frozen. */
export interface PostgresSinkSettings {
  readonly endpoint: PgEndpoint;
  readonly insertMode: InsertMode;
  readonly primaryKeyMode: PrimaryKeyMode;
  readonly primaryKeyFields: readonly string[];
  readonly deleteEnabled: boolean;
  readonly truncateEnabled: boolean;
  /** create missing tables */
  readonly autoCreate: boolean;
  /** add missing columns */
  readonly autoEvolve: boolean;
  readonly tableNameFormat: string;
  readonly batchSize: number;
  readonly quoteIdentifiers: boolean;
}

/** Confluent JDBC sink spellings accepted for the Debezium keys. */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'pk.mode': 'primary.key.mode',
  'pk.fields': 'primary.key.fields',
  'connection.user': 'connection.username',
  'collection.name.format': 'table.name.format',
});

/**
 * The PostgreSQL sink config: Debezium JDBC sink keys (`connection.url`, `insert.mode`,
 * `primary.key.mode`, `schema.evolution`, …), plus the Confluent JDBC sink spellings users know
 * (`pk.mode`, `pk.fields`, `auto.create`, `auto.evolve`, `connection.user`).
 */
export function postgresSinkConfigSchema(): ConfigSchema {
  let order = 0;
  const meta = (group: string, importance: 'HIGH' | 'MEDIUM' | 'LOW', displayName: string) => ({
    'x-group': group,
    'x-order': ++order,
    'x-importance': importance,
    'x-display-name': displayName,
  });
  const alias = (of: string) => ({
    type: 'string',
    description: `Confluent JDBC sink spelling of \`${of}\`.`,
    ...meta('Aliases', 'LOW', of),
  });
  return {
    type: 'object',
    properties: {
      'connection.url': {
        type: 'string',
        minLength: 1,
        'x-width': 'LONG',
        description:
          'JDBC URL `jdbc:postgresql://host:port/database` or libpq URL `postgres://host:port/database` (credentials in the URL are accepted but better kept in connection.username / connection.password).',
        ...meta('Connection', 'HIGH', 'Connection URL'),
      },
      'connection.username': {
        type: 'string',
        default: '',
        description: 'User to connect as.',
        ...meta('Connection', 'HIGH', 'Username'),
      },
      'connection.password': {
        type: 'string',
        default: '',
        'x-secret': true,
        'x-type': 'PASSWORD',
        description: 'Password. Masked in every response and never logged.',
        ...meta('Connection', 'HIGH', 'Password'),
      },
      'insert.mode': {
        type: 'string',
        enum: ['insert', 'upsert', 'update'],
        default: 'insert',
        description:
          '`insert`: plain INSERT; `upsert`: INSERT … ON CONFLICT (key) DO UPDATE (idempotent, recommended for CDC); `update`: UPDATE by key only.',
        ...meta('Writes', 'HIGH', 'Insert mode'),
      },
      'primary.key.mode': {
        type: 'string',
        enum: ['none', 'kafka', 'record_key', 'record_value'],
        default: 'none',
        description:
          'Where the primary key comes from: `none`; `kafka` (`__connect_topic`, `__connect_partition`, `__connect_offset`); `record_key` (the key struct, or a primitive key named by primary.key.fields); `record_value` (fields of the value).',
        ...meta('Writes', 'HIGH', 'Primary key mode'),
      },
      'primary.key.fields': {
        type: 'array',
        items: { type: 'string' },
        default: [],
        'x-type': 'LIST',
        description:
          'Key column names: a subset of the key or value fields (all of them when empty), the name of a primitive key, or three names replacing the `kafka` mode defaults.',
        ...meta('Writes', 'MEDIUM', 'Primary key fields'),
      },
      'delete.enabled': {
        type: 'boolean',
        default: false,
        description:
          'Delete rows for tombstones and Debezium delete events (`op: d`). Requires primary.key.mode=record_key.',
        ...meta('Writes', 'MEDIUM', 'Delete enabled'),
      },
      'truncate.enabled': {
        type: 'boolean',
        default: false,
        description: 'Truncate the table for Debezium truncate events (`op: t`).',
        ...meta('Writes', 'LOW', 'Truncate enabled'),
      },
      'schema.evolution': {
        type: 'string',
        enum: ['none', 'basic'],
        default: 'none',
        description:
          '`basic` creates missing tables from the record schema and adds missing columns (never drops or alters existing ones); `none` expects the tables to exist.',
        ...meta('Schema', 'MEDIUM', 'Schema evolution'),
      },
      'auto.create': {
        type: 'boolean',
        default: false,
        description: 'Create missing tables (Confluent spelling; implied by schema.evolution=basic).',
        ...meta('Schema', 'LOW', 'Auto create'),
      },
      'auto.evolve': {
        type: 'boolean',
        default: false,
        description: 'Add missing columns (Confluent spelling; implied by schema.evolution=basic).',
        ...meta('Schema', 'LOW', 'Auto evolve'),
      },
      'table.name.format': {
        type: 'string',
        minLength: 1,
        default: '${topic}',
        description:
          'Destination table. `${topic}` is the topic with dots replaced by underscores; `${source.db}`, `${source.schema}`, `${source.table}` come from a Debezium `source` block. A dot written in the format itself separates schema and table (`archive.${topic}`).',
        ...meta('Schema', 'MEDIUM', 'Table name format'),
      },
      'quote.identifiers': {
        type: 'boolean',
        default: false,
        description:
          'Keep table and column names exactly as given (quoted). When false, names are folded to lower case as PostgreSQL does with unquoted identifiers.',
        ...meta('Schema', 'LOW', 'Quote identifiers'),
      },
      'batch.size': {
        type: 'integer',
        minimum: 1,
        default: 500,
        description: 'Rows per multi-row statement. Each put() is written in one transaction.',
        ...meta('Writes', 'LOW', 'Batch size'),
      },
      'pk.mode': alias('primary.key.mode'),
      'pk.fields': alias('primary.key.fields'),
      'connection.user': alias('connection.username'),
      'collection.name.format': alias('table.name.format'),
    },
    required: ['connection.url'],
  };
}

interface RawSinkConfig {
  'connection.url': string;
  'connection.username': string;
  'connection.password': string;
  'insert.mode': InsertMode;
  'primary.key.mode': PrimaryKeyMode;
  'primary.key.fields': string[];
  'delete.enabled': boolean;
  'truncate.enabled': boolean;
  'schema.evolution': 'none' | 'basic';
  'auto.create': boolean;
  'auto.evolve': boolean;
  'table.name.format': string;
  'quote.identifiers': boolean;
  'batch.size': number;
}

// Folds alias keys onto their canonical names; a conflicting pair is an error on the alias.
function normalise(config: ConnectorConfig): { config: Record<string, string>; errors: ConfigFieldError[] } {
  const out: Record<string, string> = { ...config };
  const errors: ConfigFieldError[] = [];
  for (const [aliasKey, canonical] of Object.entries(ALIASES)) {
    const value = config[aliasKey];
    if (value === undefined) continue;
    const existing = config[canonical];
    if (existing !== undefined && existing.trim() !== value.trim()) {
      errors.push({
        name: aliasKey,
        errors: [`"${aliasKey}" and "${canonical}" are the same setting but have different values`],
      });
    } else {
      out[canonical] = value;
    }
  }
  return { config: out, errors };
}

function crossFieldErrors(raw: RawSinkConfig): ConfigFieldError[] {
  const errors: ConfigFieldError[] = [];
  const mode = raw['primary.key.mode'];
  if (raw['insert.mode'] !== 'insert' && mode === 'none') {
    errors.push({
      name: 'insert.mode',
      errors: [`insert.mode=${raw['insert.mode']} needs a primary key: set primary.key.mode`],
    });
  }
  if (raw['delete.enabled'] && mode !== 'record_key') {
    errors.push({ name: 'delete.enabled', errors: ['delete.enabled=true requires primary.key.mode=record_key'] });
  }
  if (mode === 'kafka' && raw['primary.key.fields'].length !== 0 && raw['primary.key.fields'].length !== 3) {
    errors.push({
      name: 'primary.key.fields',
      errors: ['with primary.key.mode=kafka, primary.key.fields must be empty or name exactly three columns'],
    });
  }
  try {
    parseConnectionUrl(raw['connection.url'], raw['connection.username'], raw['connection.password']);
  } catch (err) {
    if (!DataError.is(err)) throw err;
    errors.push({ name: 'connection.url', errors: [err.message] });
  }
  return errors;
}

/**
 * Parses a wire config for the sink connector and its tasks.
 * @throws ConfigValidationError naming every bad key.
 */
export function parseSinkConfig(config: ConnectorConfig): PostgresSinkSettings {
  const { config: normalised, errors: aliasErrors } = normalise(config);
  const raw = parseConfig<RawSinkConfig>(postgresSinkConfigSchema(), normalised);
  const errors = [...aliasErrors, ...crossFieldErrors(raw)];
  if (errors.length > 0)
    throw new ConfigValidationError(`Invalid configuration: ${errors.flatMap((e) => e.errors).join('; ')}`, errors);
  const evolution = raw['schema.evolution'] === 'basic';
  return Object.freeze({
    endpoint: Object.freeze(
      parseConnectionUrl(raw['connection.url'], raw['connection.username'], raw['connection.password']),
    ),
    insertMode: raw['insert.mode'],
    primaryKeyMode: raw['primary.key.mode'],
    primaryKeyFields: Object.freeze([...raw['primary.key.fields']]),
    deleteEnabled: raw['delete.enabled'],
    truncateEnabled: raw['truncate.enabled'],
    autoCreate: evolution || raw['auto.create'],
    autoEvolve: evolution || raw['auto.evolve'],
    tableNameFormat: raw['table.name.format'],
    batchSize: raw['batch.size'],
    quoteIdentifiers: raw['quote.identifiers'],
  });
}

/** Schema validation plus alias and cross-field rules, as the validate endpoint reports them. Never throws. */
export function validateSinkConfig(config: ConnectorConfig): ConfigValidationResult {
  const { config: normalised } = normalise(config);
  const result = validateConfig(postgresSinkConfigSchema(), normalised);
  if (result.configs.some((c) => c.errors.length > 0)) return result;
  try {
    parseSinkConfig(config);
  } catch (err) {
    if (!ConfigValidationError.is(err)) throw err;
    for (const field of err.fields) {
      const entry = result.configs.find((c) => c.name === field.name);
      if (entry !== undefined) entry.errors.push(...field.errors);
      else
        result.configs.push({
          name: field.name,
          value: null,
          recommendedValues: [],
          errors: [...field.errors],
          visible: true,
        });
    }
  }
  return result;
}
