import {
  ConfigValidationError,
  countErrors,
  parseConfig,
  validateConfig,
  type ConnectorConfig,
  type ConfigValidationResult,
} from '@sluice/core';
import { BSON, Timestamp, type Document } from 'mongodb';
import { connectionUriErrors } from '../connection/mongo-connection.js';
import { jsonFormatterFor, type JsonFormatter } from '../bson/extended-json.js';
import { mongoSourceConfigSchema } from './mongo-source-config-schema.js';

export { mongoSourceConfigSchema };
import { compileTopicMapper, type TopicMapper } from './topic-mapper.js';

export type StartupMode = 'latest' | 'timestamp' | 'copy_existing';
export type OutputFormat = 'json' | 'bson' | 'schema';
/** What the stream watches: one collection, every collection of a database, or the whole deployment. */
export type WatchScope =
  | { readonly kind: 'collection'; readonly database: string; readonly collection: string }
  | { readonly kind: 'database'; readonly database: string }
  | { readonly kind: 'deployment' };

/** Validated source settings; frozen. */
export interface MongoSourceSettings {
  readonly connectionUri: string;
  readonly scope: WatchScope;
  readonly pipeline: readonly Document[];
  readonly fullDocument: string | null;
  readonly fullDocumentBeforeChange: string | null;
  readonly publishFullDocumentOnly: boolean;
  readonly tombstoneOnDelete: boolean;
  readonly documentKeyAsKey: boolean;
  readonly showExpandedEvents: boolean;
  readonly collation: Document | null;
  readonly cursorBatchSize: number;
  readonly maxBatchSize: number;
  readonly awaitTimeMs: number;
  readonly startupMode: StartupMode;
  readonly startAtOperationTime: Timestamp | null;
  readonly copyNamespaceRegex: RegExp | null;
  readonly copyPipeline: readonly Document[];
  readonly copyAllowDiskUse: boolean;
  readonly keyFormat: OutputFormat;
  readonly valueFormat: OutputFormat;
  readonly jsonFormatter: JsonFormatter;
  readonly inferValueSchema: boolean;
  readonly topicMapper: TopicMapper;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTopic: string;
  readonly offsetPartitionName: string;
}

interface RawSourceConfig {
  'connection.uri': string;
  database: string;
  collection: string;
  pipeline: string;
  'change.stream.full.document': string;
  'change.stream.full.document.before.change': string;
  'publish.full.document.only': boolean;
  'publish.full.document.only.tombstone.on.delete': boolean;
  'change.stream.document.key.as.key': boolean;
  'change.stream.show.expanded.events': boolean;
  collation: string;
  'batch.size': number;
  'poll.max.batch.size': number;
  'poll.await.time.ms': number;
  'startup.mode': StartupMode;
  'startup.mode.timestamp.start.at.operation.time': string;
  'startup.mode.copy.existing.namespace.regex': string;
  'startup.mode.copy.existing.pipeline': string;
  'startup.mode.copy.existing.allow.disk.use': boolean;
  'copy.existing': boolean;
  'copy.existing.namespace.regex': string;
  'copy.existing.pipeline': string;
  'output.format.key': OutputFormat;
  'output.format.value': OutputFormat;
  'output.json.formatter': string;
  'output.schema.infer.value': boolean;
  'topic.prefix': string;
  'topic.suffix': string;
  'topic.separator': string;
  'topic.namespace.map': string;
  'heartbeat.interval.ms': number;
  'heartbeat.topic.name': string;
  'offset.partition.name': string;
}

const { EJSON } = BSON;

type FieldErrors = Map<string, string[]>;

function addError(errors: FieldErrors, name: string, message: string): void {
  errors.set(name, [...(errors.get(name) ?? []), message]);
}

function parseStages(errors: FieldErrors, name: string, text: string): Document[] {
  if (text.trim() === '') return [];
  try {
    const v: unknown = EJSON.parse(text, { relaxed: true });
    if (Array.isArray(v) && v.every((s) => typeof s === 'object' && s !== null && !Array.isArray(s))) return v as Document[];
  } catch {
    // reported below
  }
  addError(errors, name, `Invalid value for configuration ${name}: must be a JSON array of aggregation stage documents`);
  return [];
}

/** Parses `startup.mode.timestamp.start.at.operation.time`; null for empty, undefined when invalid. */
export function parseOperationTime(text: string): Timestamp | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  if (/^\d+$/.test(t)) {
    const seconds = Number(t);
    return seconds <= 0xffffffff ? new Timestamp({ t: seconds, i: 0 }) : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) || ms < 0 ? undefined : new Timestamp({ t: Math.floor(ms / 1000), i: 0 });
  }
  try {
    const v: unknown = EJSON.parse(t, { relaxed: false });
    if (typeof v === 'object' && v !== null && (v as { _bsontype?: unknown })._bsontype === 'Timestamp') return v as Timestamp;
  } catch {
    // invalid
  }
  return undefined;
}

/** Cross-field and format problems the JSON Schema cannot express, by key. Never throws. */
function checkSettings(raw: Readonly<RawSourceConfig>, errors: FieldErrors): Omit<MongoSourceSettings, 'connectionUri'> {
  const database = raw.database;
  const collection = raw.collection;
  if (collection !== '' && database === '') addError(errors, 'collection', 'Invalid value for configuration collection: a collection needs a database');
  const scope: WatchScope =
    database === '' ? { kind: 'deployment' } : collection === '' ? { kind: 'database', database } : { kind: 'collection', database, collection };
  const pipeline = parseStages(errors, 'pipeline', raw.pipeline);
  const copyPipelineText = raw['startup.mode.copy.existing.pipeline'] !== '[]' || raw['copy.existing.pipeline'] === '' ? raw['startup.mode.copy.existing.pipeline'] : raw['copy.existing.pipeline'];
  const copyPipeline = parseStages(errors, 'startup.mode.copy.existing.pipeline', copyPipelineText);
  let collation: Document | null = null;
  if (raw.collation.trim() !== '') {
    try {
      const v: unknown = EJSON.parse(raw.collation, { relaxed: true });
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      collation = v as Document;
    } catch {
      addError(errors, 'collation', 'Invalid value for configuration collation: must be a JSON object such as {"locale": "en"}');
    }
  }
  const startAt = parseOperationTime(raw['startup.mode.timestamp.start.at.operation.time']);
  if (startAt === undefined) {
    addError(
      errors,
      'startup.mode.timestamp.start.at.operation.time',
      'Invalid value for configuration startup.mode.timestamp.start.at.operation.time: must be seconds since the epoch, an ISO-8601 instant or {"$timestamp": {"t": …, "i": …}}',
    );
  }
  const regexText = raw['startup.mode.copy.existing.namespace.regex'] || raw['copy.existing.namespace.regex'];
  let copyNamespaceRegex: RegExp | null = null;
  if (regexText !== '') {
    try {
      copyNamespaceRegex = new RegExp(`^(?:${regexText})$`);
    } catch {
      addError(errors, 'startup.mode.copy.existing.namespace.regex', 'Invalid value for configuration startup.mode.copy.existing.namespace.regex: not a valid regular expression');
    }
  }
  const formatter = jsonFormatterFor(raw['output.json.formatter']) ?? 'relaxed';
  const topicMapper = compileTopicMapper(
    { prefix: raw['topic.prefix'], suffix: raw['topic.suffix'], separator: raw['topic.separator'], namespaceMap: raw['topic.namespace.map'] },
    (message) => addError(errors, 'topic.namespace.map', `Invalid value for configuration topic.namespace.map: ${message}`),
  );
  const publishFullDocumentOnly = raw['publish.full.document.only'];
  const explicitFullDocument = raw['change.stream.full.document'];
  // The official connector forces updateLookup here: without it update events carry no document.
  const fullDocument = explicitFullDocument !== '' ? explicitFullDocument : publishFullDocumentOnly ? 'updateLookup' : null;
  return {
    scope,
    pipeline,
    fullDocument,
    fullDocumentBeforeChange: raw['change.stream.full.document.before.change'] || null,
    publishFullDocumentOnly,
    tombstoneOnDelete: publishFullDocumentOnly && raw['publish.full.document.only.tombstone.on.delete'],
    documentKeyAsKey: raw['change.stream.document.key.as.key'],
    showExpandedEvents: raw['change.stream.show.expanded.events'],
    collation,
    cursorBatchSize: raw['batch.size'],
    maxBatchSize: raw['poll.max.batch.size'],
    awaitTimeMs: raw['poll.await.time.ms'],
    startupMode: raw['copy.existing'] && raw['startup.mode'] === 'latest' ? 'copy_existing' : raw['startup.mode'],
    startAtOperationTime: startAt ?? null,
    copyNamespaceRegex,
    copyPipeline,
    copyAllowDiskUse: raw['startup.mode.copy.existing.allow.disk.use'],
    keyFormat: raw['output.format.key'],
    valueFormat: raw['output.format.value'],
    jsonFormatter: formatter,
    inferValueSchema: raw['output.schema.infer.value'],
    topicMapper,
    heartbeatIntervalMs: raw['heartbeat.interval.ms'],
    heartbeatTopic: raw['heartbeat.topic.name'],
    offsetPartitionName: raw['offset.partition.name'],
  };
}

/**
 * Parses and checks a source config (connector or task). Throws ConfigValidationError naming every
 * bad key; the connection URI never appears in a message.
 */
export function parseSourceConfig(config: ConnectorConfig): MongoSourceSettings {
  const raw = parseConfig<RawSourceConfig>(mongoSourceConfigSchema(), config);
  const errors: FieldErrors = new Map();
  for (const e of connectionUriErrors(raw['connection.uri'])) addError(errors, 'connection.uri', `Invalid value [hidden] for configuration connection.uri: ${e}`);
  const settings = checkSettings(raw, errors);
  if (errors.size > 0) {
    const fields = [...errors].map(([name, errs]) => ({ name, errors: errs }));
    throw new ConfigValidationError(`Invalid MongoSource configuration: ${fields.flatMap((f) => f.errors).join('; ')}`, fields);
  }
  return Object.freeze({ connectionUri: raw['connection.uri'], ...settings });
}

/**
 * The checks beyond the JSON Schema, as a validate result (one entry per bad key). Keys the schema
 * itself rejects are left to `validateConfig`, so no error is reported twice. Never throws.
 */
export function validateSourceConfig(config: ConnectorConfig): ConfigValidationResult {
  if (countErrors(validateConfig(mongoSourceConfigSchema(), config)) > 0) return { configs: [] };
  try {
    parseSourceConfig(config);
    return { configs: [] };
  } catch (err) {
    if (!ConfigValidationError.is(err)) return { configs: [] };
    return {
      configs: err.fields.map((f) => ({
        name: f.name,
        value: f.name === 'connection.uri' ? '[hidden]' : (config[f.name] ?? null),
        recommendedValues: [],
        errors: [...f.errors],
        visible: true,
      })),
    };
  }
}
