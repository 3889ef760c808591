import {
  ConfigValidationError,
  parseConfig,
  validateConfig,
  type ConfigFieldError,
  type ConfigValidationResult,
  type ConnectorConfig,
} from '@sluice/core';
import { quoteIdent, type PgEndpoint } from '../connection/pg-connection.js';
import type { TypeMappingOptions } from '../types/column-mapping.js';
import { postgresSourceConfigSchema } from './postgres-source-config-schema.js';
import { ColumnRules } from './column-rules.js';
import { CaptureFilter, compileWholeMatch, parseTableRules, type CaptureFilterLists } from './table-filter.js';

export { postgresSourceConfigSchema };

export type SnapshotMode = 'initial' | 'no_data' | 'initial_only' | 'always' | 'when_needed';
export type PublicationAutocreateMode = 'all_tables' | 'filtered' | 'disabled';
export type Operation = 'c' | 'u' | 'd' | 't';

/** One `replica.identity.autoset.values` entry: tables (whole-match regex) and the identity to set. */
export interface ReplicaIdentityRule {
  readonly table: string;
  /** `FULL`, `DEFAULT`, `NOTHING` or `USING INDEX "name"` (SQL after REPLICA IDENTITY) */
  readonly identity: string;
}

/** Splits database.initial.statements on ";" (";;" stands for a literal semicolon). */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === ';' && text[i + 1] === ';') {
      current += ';';
      i++;
    } else if (c === ';') {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Parses replica.identity.autoset.values; errors name the key. */
function parseReplicaIdentityRules(text: string, errors: ConfigFieldError[]): ReplicaIdentityRule[] {
  const identity = (value: string): string | null => {
    const index = /^INDEX\s+(\S+)$/i.exec(value);
    if (index !== null) return `USING INDEX ${quoteIdent(index[1] as string)}`;
    return /^(FULL|DEFAULT|NOTHING)$/i.test(value) ? value.toUpperCase() : null;
  };
  return parseTableRules(text, ',', 'replica.identity.autoset.values', '<schema>.<table>:<FULL|DEFAULT|NOTHING|INDEX index_name>', identity, errors).map(
    (r) => ({ table: r.table, identity: r.value }),
  );
}

/** Validated source settings; frozen. */
export interface PostgresSourceSettings {
  readonly endpoint: PgEndpoint;
  readonly topicPrefix: string;
  readonly slotName: string;
  readonly publicationName: string;
  readonly publicationAutocreateMode: PublicationAutocreateMode;
  readonly statusUpdateIntervalMs: number;
  readonly filterLists: CaptureFilterLists;
  readonly filter: CaptureFilter;
  /** message.key.columns and the column.mask / column.truncate rules */
  readonly columnRules: ColumnRules;
  /** `never` is normalised to `no_data` */
  readonly snapshotMode: SnapshotMode;
  readonly snapshotFetchSize: number;
  /** snapshot.include.collection.list: whole-match expressions over schema.table (empty: every captured table) */
  readonly snapshotInclude: readonly string[];
  /** schema.table → the SELECT its snapshot reads (snapshot.select.statement.overrides) */
  readonly snapshotSelectOverrides: ReadonlyMap<string, string>;
  /** `schema.table` of the signal table, null when signals are off */
  readonly signalTable: string | null;
  readonly incrementalChunkSize: number;
  readonly tombstonesOnDelete: boolean;
  readonly skippedOperations: ReadonlySet<Operation>;
  readonly provideTransactionMetadata: boolean;
  readonly transactionTopic: string;
  readonly heartbeatIntervalMs: number;
  readonly slotDropOnStop: boolean;
  /** database.initial.statements, split */
  readonly initialStatements: readonly string[];
  /** replica.identity.autoset.values */
  readonly replicaIdentityAutoset: readonly ReplicaIdentityRule[];
  readonly skipMessagesWithoutChange: boolean;
  /** publish.via.partition.root: partitioned tables captured as themselves */
  readonly publishViaPartitionRoot: boolean;
  /** SQL run with every heartbeat, null for none */
  readonly heartbeatActionQuery: string | null;
  readonly heartbeatTopic: string;
  readonly unavailableValuePlaceholder: string;
  readonly typeMapping: TypeMappingOptions;
  readonly maxBatchSize: number;
  readonly maxQueueSize: number;
  readonly pollIntervalMs: number;
}

interface RawSourceConfig {
  'database.hostname': string;
  'database.port': number;
  'database.user': string;
  'database.password': string;
  'database.dbname': string;
  'database.sslmode': PgEndpoint['sslMode'];
  'database.sslrootcert': string;
  'topic.prefix': string;
  'slot.name': string;
  'publication.name': string;
  'publication.autocreate.mode': PublicationAutocreateMode;
  'status.update.interval.ms': number;
  'schema.include.list': string[];
  'schema.exclude.list': string[];
  'table.include.list': string[];
  'table.exclude.list': string[];
  'column.include.list': string[];
  'column.exclude.list': string[];
  'snapshot.mode': SnapshotMode | 'never';
  'snapshot.fetch.size': number;
  'snapshot.include.collection.list': string[];
  'snapshot.select.statement.overrides': string[];
  'signal.data.collection': string;
  'heartbeat.action.query': string;
  'database.initial.statements': string;
  'replica.identity.autoset.values': string;
  'skip.messages.without.change': boolean;
  'publish.via.partition.root': boolean;
  'slot.drop.on.stop': boolean;
  'incremental.snapshot.chunk.size': number;
  'tombstones.on.delete': boolean;
  'message.key.columns': string;
  'skipped.operations': (Operation | 'none')[];
  'provide.transaction.metadata': boolean;
  'topic.transaction': string;
  'heartbeat.interval.ms': number;
  'heartbeat.topics.prefix': string;
  'unavailable.value.placeholder': string;
  'decimal.handling.mode': TypeMappingOptions['decimalHandling'];
  'time.precision.mode': TypeMappingOptions['timePrecision'];
  'interval.handling.mode': TypeMappingOptions['intervalHandling'];
  'binary.handling.mode': TypeMappingOptions['binaryHandling'];
  'money.fraction.digits': number;
  'max.batch.size': number;
  'max.queue.size': number;
  'poll.interval.ms': number;
}

const LIST_PAIRS = [
  ['schema.include.list', 'schema.exclude.list'],
  ['table.include.list', 'table.exclude.list'],
  ['column.include.list', 'column.exclude.list'],
] as const;

// Cross-field rules the JSON Schema cannot express; run only on a config that passed the schema.
function crossFieldErrors(raw: RawSourceConfig): ConfigFieldError[] {
  const errors: ConfigFieldError[] = [];
  for (const [include, exclude] of LIST_PAIRS) {
    if (raw[include].length > 0 && raw[exclude].length > 0) {
      errors.push({ name: exclude, errors: [`"${include}" and "${exclude}" cannot both be set`] });
    }
    for (const key of [include, exclude]) {
      for (const pattern of raw[key]) {
        try {
          compileWholeMatch(pattern);
        } catch (err) {
          errors.push({
            name: key,
            errors: [
              `Invalid value ${pattern} for configuration ${key}: not a valid regular expression (${(err as Error).message})`,
            ],
          });
        }
      }
    }
  }
  for (const pattern of raw['snapshot.include.collection.list']) {
    try {
      compileWholeMatch(pattern);
    } catch (err) {
      errors.push({
        name: 'snapshot.include.collection.list',
        errors: [`Invalid value ${pattern} for configuration snapshot.include.collection.list: not a valid regular expression (${(err as Error).message})`],
      });
    }
  }
  if (raw['max.queue.size'] <= raw['max.batch.size']) {
    errors.push({
      name: 'max.queue.size',
      errors: [
        `max.queue.size (${raw['max.queue.size']}) must be larger than max.batch.size (${raw['max.batch.size']})`,
      ],
    });
  }
  const ops = raw['skipped.operations'];
  if (ops.includes('none') && ops.length > 1) {
    errors.push({ name: 'skipped.operations', errors: ['"none" cannot be combined with other operations'] });
  }
  return errors;
}

/** The SELECT statements of snapshot.select.statement.overrides, or the errors naming the missing keys. */
function selectOverrides(raw: RawSourceConfig, config: ConnectorConfig): { overrides: Map<string, string>; errors: ConfigFieldError[] } {
  const overrides = new Map<string, string>();
  const errors: ConfigFieldError[] = [];
  for (const name of raw['snapshot.select.statement.overrides'].map((t) => t.trim()).filter((t) => t.length > 0)) {
    const key = `snapshot.select.statement.overrides.${name}`;
    const statement = config[key]?.trim() ?? '';
    if (!/^[^.]+\.[^.]+$/.test(name)) {
      errors.push({ name: 'snapshot.select.statement.overrides', errors: [`"${name}" in snapshot.select.statement.overrides is not a schema.table name`] });
    } else if (statement === '') {
      errors.push({ name: 'snapshot.select.statement.overrides', errors: [`${key} must hold the SELECT statement for ${name}`] });
    } else {
      overrides.set(name, statement.replace(/;\s*$/, ''));
    }
  }
  return { overrides, errors };
}

function toSettings(
  raw: RawSourceConfig,
  columnRules: ColumnRules,
  overrides: ReadonlyMap<string, string>,
  identityRules: readonly ReplicaIdentityRule[],
): PostgresSourceSettings {
  const filterLists: CaptureFilterLists = {
    schemaInclude: raw['schema.include.list'],
    schemaExclude: raw['schema.exclude.list'],
    tableInclude: raw['table.include.list'],
    tableExclude: raw['table.exclude.list'],
    columnInclude: raw['column.include.list'],
    columnExclude: raw['column.exclude.list'],
  };
  const mode = raw['snapshot.mode'];
  return Object.freeze({
    endpoint: Object.freeze({
      host: raw['database.hostname'],
      port: raw['database.port'],
      user: raw['database.user'],
      password: raw['database.password'],
      database: raw['database.dbname'],
      sslMode: raw['database.sslmode'],
      sslRootCert: raw['database.sslrootcert'],
    }),
    topicPrefix: raw['topic.prefix'],
    slotName: raw['slot.name'],
    publicationName: raw['publication.name'],
    publicationAutocreateMode: raw['publication.autocreate.mode'],
    statusUpdateIntervalMs: raw['status.update.interval.ms'],
    filterLists,
    filter: new CaptureFilter(filterLists),
    columnRules,
    snapshotMode: mode === 'never' ? 'no_data' : mode,
    snapshotFetchSize: raw['snapshot.fetch.size'],
    snapshotInclude: raw['snapshot.include.collection.list'],
    snapshotSelectOverrides: overrides,
    signalTable: raw['signal.data.collection'].trim() === '' ? null : raw['signal.data.collection'].trim().split('.').map((p: string) => p.replace(/^"(.*)"$/, '$1')).join('.'),
    incrementalChunkSize: raw['incremental.snapshot.chunk.size'],
    tombstonesOnDelete: raw['tombstones.on.delete'],
    skippedOperations: new Set(raw['skipped.operations'].filter((o): o is Operation => o !== 'none')),
    provideTransactionMetadata: raw['provide.transaction.metadata'],
    transactionTopic: `${raw['topic.prefix']}.${raw['topic.transaction']}`,
    heartbeatIntervalMs: raw['heartbeat.interval.ms'],
    slotDropOnStop: raw['slot.drop.on.stop'],
    heartbeatActionQuery: raw['heartbeat.action.query'].trim() === '' ? null : raw['heartbeat.action.query'],
    initialStatements: splitStatements(raw['database.initial.statements']),
    replicaIdentityAutoset: identityRules,
    skipMessagesWithoutChange: raw['skip.messages.without.change'],
    publishViaPartitionRoot: raw['publish.via.partition.root'],
    heartbeatTopic: `${raw['heartbeat.topics.prefix']}.${raw['topic.prefix']}`,
    unavailableValuePlaceholder: raw['unavailable.value.placeholder'],
    typeMapping: Object.freeze({
      decimalHandling: raw['decimal.handling.mode'],
      timePrecision: raw['time.precision.mode'],
      intervalHandling: raw['interval.handling.mode'],
      binaryHandling: raw['binary.handling.mode'],
      moneyFractionDigits: raw['money.fraction.digits'],
    }),
    maxBatchSize: raw['max.batch.size'],
    maxQueueSize: raw['max.queue.size'],
    pollIntervalMs: raw['poll.interval.ms'],
  });
}

/**
 * Parses a wire config for the connector and its task.
 * @throws ConfigValidationError naming every bad key (schema errors, then cross-field rules).
 */
export function parseSourceConfig(config: ConnectorConfig): PostgresSourceSettings {
  const raw = parseConfig<RawSourceConfig>(postgresSourceConfigSchema(), config);
  const { rules, errors: ruleErrors } = ColumnRules.parse(config);
  const { overrides, errors: overrideErrors } = selectOverrides(raw, config);
  const identityErrors: ConfigFieldError[] = [];
  const identityRules = parseReplicaIdentityRules(raw['replica.identity.autoset.values'], identityErrors);
  const errors = [...crossFieldErrors(raw), ...ruleErrors, ...overrideErrors, ...identityErrors];
  if (errors.length > 0) {
    throw new ConfigValidationError(`Invalid configuration: ${errors.flatMap((e) => e.errors).join('; ')}`, errors);
  }
  return toSettings(raw, rules, overrides, identityRules);
}

/** Schema validation plus the cross-field rules, as the validate endpoint reports them. Never throws. */
export function validateSourceConfig(config: ConnectorConfig): ConfigValidationResult {
  const result = validateConfig(postgresSourceConfigSchema(), config);
  if (result.configs.some((c) => c.errors.length > 0)) return result;
  try {
    parseSourceConfig(config);
  } catch (err) {
    if (!ConfigValidationError.is(err)) throw err;
    for (const field of err.fields) {
      const entry = result.configs.find((c) => c.name === field.name);
      if (entry !== undefined) entry.errors.push(...field.errors);
      // pattern keys (column.mask.with.<n>.chars, …) have no definition: report them on their own entry
      else result.configs.push({ name: field.name, value: String(config[field.name] ?? ''), recommendedValues: [], errors: [...field.errors], visible: true });
    }
  }
  return result;
}
