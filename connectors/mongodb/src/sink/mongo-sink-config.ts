import {
  ConfigValidationError,
  countErrors,
  parseConfig,
  validateConfig,
  type ConfigSchema,
  type ConfigValidationResult,
  type ConnectorConfig,
} from '@sluice/core';
import { connectionUriErrors } from '../connection/mongo-connection.js';
import {
  CDC_HANDLERS,
  DELETE_MODELS,
  ID_STRATEGIES,
  KEY_BASED_ID_STRATEGIES,
  NAMESPACE_MAPPERS,
  WRITE_MODELS,
  type CdcHandlerName,
  type DeleteModelName,
  type IdStrategyName,
  type NamespaceMapperName,
  type WriteModelName,
} from './sink-strategies.js';

export type ProjectionType = 'none' | 'allowlist' | 'blocklist';

const OVERRIDE_PREFIX = 'topic.override.';
const WM_PREFIX = 'com.mongodb.kafka.connect.sink.writemodel.strategy.';
const ID_PREFIX = 'com.mongodb.kafka.connect.sink.processor.id.strategy.';

/**
 * The MongoSink config: the official MongoDB Kafka sink connector's keys, names and defaults where
 * the feature is the same. Every key but `connection.uri` may be set per topic with
 * `topic.override.<topic>.<key>`.
 */
export function mongoSinkConfigSchema(): ConfigSchema {
  let order = 0;
  const meta = (group: string, importance: 'HIGH' | 'MEDIUM' | 'LOW', displayName: string) => ({
    'x-group': group,
    'x-order': ++order,
    'x-importance': importance,
    'x-display-name': displayName,
  });
  const projectionType = { type: 'string', enum: ['', 'none', 'AllowList', 'BlockList', 'allowlist', 'blocklist', 'WhiteList', 'BlackList', 'whitelist', 'blacklist'], default: '' };
  return {
    type: 'object',
    properties: {
      'connection.uri': {
        type: 'string',
        minLength: 1,
        'x-secret': true,
        'x-width': 'LONG',
        description: 'MongoDB connection string (mongodb:// or mongodb+srv://). Masked in every response and never logged. Write concern and retryable writes follow its options.',
        ...meta('Connection', 'HIGH', 'MongoDB connection URI'),
      },
      database: {
        type: 'string',
        minLength: 1,
        description: 'Database to write to.',
        ...meta('Namespace', 'HIGH', 'Database'),
      },
      collection: {
        type: 'string',
        default: '',
        description: 'Collection to write to. Empty uses the topic name (after any topic renaming by transforms).',
        ...meta('Namespace', 'HIGH', 'Collection'),
      },
      'namespace.mapper': {
        type: 'string',
        enum: Object.keys(NAMESPACE_MAPPERS),
        default: 'com.mongodb.kafka.connect.sink.namespace.mapping.DefaultNamespaceMapper',
        description:
          'How each record finds its collection: `DefaultNamespaceMapper` (database + collection or topic) or `FieldPathNamespaceMapper` (database and/or collection read from key or value fields named by the `namespace.mapper.*.field` keys).',
        ...meta('Namespace', 'MEDIUM', 'Namespace mapper'),
      },
      'namespace.mapper.key.database.field': { type: 'string', default: '', description: 'With FieldPathNamespaceMapper: key field (dotted path) holding the database name.', ...meta('Namespace', 'LOW', 'Key database field') },
      'namespace.mapper.key.collection.field': { type: 'string', default: '', description: 'With FieldPathNamespaceMapper: key field (dotted path) holding the collection name.', ...meta('Namespace', 'LOW', 'Key collection field') },
      'namespace.mapper.value.database.field': { type: 'string', default: '', description: 'With FieldPathNamespaceMapper: value field (dotted path) holding the database name.', ...meta('Namespace', 'LOW', 'Value database field') },
      'namespace.mapper.value.collection.field': { type: 'string', default: '', description: 'With FieldPathNamespaceMapper: value field (dotted path) holding the collection name.', ...meta('Namespace', 'LOW', 'Value collection field') },
      'namespace.mapper.error.if.invalid': {
        type: 'boolean',
        default: false,
        description: 'With FieldPathNamespaceMapper: treat a record whose field is missing or not a string as bad (errant-record reporter) instead of writing it to the default namespace.',
        ...meta('Namespace', 'LOW', 'Error if namespace field invalid'),
      },
      'writemodel.strategy': {
        type: 'string',
        enum: Object.keys(WRITE_MODELS),
        default: `${WM_PREFIX}DefaultWriteModelStrategy`,
        description:
          'Write for records with a value: ReplaceOneDefaultStrategy (default: replace the document with the same _id, inserting if absent), InsertOneDefaultStrategy, UpdateOneDefaultStrategy ($set of the value\'s fields, upsert by _id), UpdateOneTimestampsStrategy (also _modifiedTS/_insertedTS), ReplaceOneBusinessKeyStrategy / UpdateOneBusinessKeyTimestampStrategy (filter on the business-key fields that PartialValue/PartialKey id strategies put in _id), DeleteOneBusinessKeyStrategy.',
        ...meta('Writes', 'HIGH', 'Write model strategy'),
      },
      'delete.on.null.values': {
        type: 'boolean',
        default: false,
        description:
          'Delete the document identified by the record key when the value is null (a tombstone). Needs a key-based document.id.strategy (FullKey, PartialKey, ProvidedInKey, UuidProvidedInKey). When false, tombstones are skipped.',
        ...meta('Writes', 'HIGH', 'Delete on null values'),
      },
      'delete.writemodel.strategy': {
        type: 'string',
        enum: Object.keys(DELETE_MODELS),
        default: `${WM_PREFIX}DeleteOneDefaultStrategy`,
        description: 'Delete for tombstones: DeleteOneDefaultStrategy (by the _id the id strategy derives from the key) or DeleteOneTombstoneBusinessKeyStrategy (by the flattened PartialKey business-key fields).',
        ...meta('Writes', 'MEDIUM', 'Delete write model strategy'),
      },
      'document.id.strategy': {
        type: 'string',
        enum: Object.keys(ID_STRATEGIES),
        default: `${ID_PREFIX}BsonOidStrategy`,
        description:
          'How _id is set on values without one (or on every value with overwrite.existing): BsonOidStrategy (new ObjectId), UuidStrategy, FullKeyStrategy (the whole key), PartialKeyStrategy / PartialValueStrategy (projected key/value fields), ProvidedInKeyStrategy / ProvidedInValueStrategy (the key\'s / value\'s _id; a primitive key is used as-is), KafkaMetaDataStrategy (`topic#partition#offset`), UuidProvidedInKeyStrategy / UuidProvidedInValueStrategy (that _id as a UUID).',
        ...meta('Document id', 'HIGH', 'Document id strategy'),
      },
      'document.id.strategy.overwrite.existing': {
        type: 'boolean',
        default: false,
        description: 'Set _id from the id strategy even when the value already has one.',
        ...meta('Document id', 'LOW', 'Overwrite existing _id'),
      },
      'document.id.strategy.uuid.format': {
        type: 'string',
        enum: ['string', 'binary'],
        default: 'string',
        description: 'How UUID ids are stored: `string` or `binary` (BSON subtype 4).',
        ...meta('Document id', 'LOW', 'UUID format'),
      },
      'document.id.strategy.partial.key.projection.type': { ...projectionType, description: 'PartialKeyStrategy: AllowList (keep only the listed key fields) or BlockList (drop them). Empty falls back to key.projection.type.', ...meta('Document id', 'LOW', 'Partial key projection type') },
      'document.id.strategy.partial.key.projection.list': { type: 'string', default: '', description: 'PartialKeyStrategy: comma-separated key fields (dotted paths). Empty falls back to key.projection.list.', ...meta('Document id', 'LOW', 'Partial key projection list') },
      'document.id.strategy.partial.value.projection.type': { ...projectionType, description: 'PartialValueStrategy: AllowList or BlockList. Empty falls back to value.projection.type.', ...meta('Document id', 'LOW', 'Partial value projection type') },
      'document.id.strategy.partial.value.projection.list': { type: 'string', default: '', description: 'PartialValueStrategy: comma-separated value fields (dotted paths). Empty falls back to value.projection.list.', ...meta('Document id', 'LOW', 'Partial value projection list') },
      'key.projection.type': { type: 'string', enum: projectionType.enum, default: 'none', description: 'Fallback projection type for PartialKeyStrategy (key projectors as post processors are not supported).', ...meta('Document id', 'LOW', 'Key projection type') },
      'key.projection.list': { type: 'string', default: '', description: 'Fallback projection list for PartialKeyStrategy.', ...meta('Document id', 'LOW', 'Key projection list') },
      'value.projection.type': { type: 'string', enum: projectionType.enum, default: 'none', description: 'Fallback projection type for PartialValueStrategy (value projectors as post processors are not supported).', ...meta('Document id', 'LOW', 'Value projection type') },
      'value.projection.list': { type: 'string', default: '', description: 'Fallback projection list for PartialValueStrategy.', ...meta('Document id', 'LOW', 'Value projection list') },
      'post.processor.chain': {
        type: 'string',
        default: 'com.mongodb.kafka.connect.sink.processor.DocumentIdAdder',
        description: 'Only the DocumentIdAdder (which applies document.id.strategy) is supported; use Sluice transforms for projections and renames.',
        ...meta('Document id', 'LOW', 'Post processor chain'),
      },
      'change.data.capture.handler': {
        type: 'string',
        enum: Object.keys(CDC_HANDLERS),
        default: '',
        description:
          'Interpret values as change events instead of documents: `debezium` (or the official RdbmsHandler / PostgresHandler / MysqlHandler class names) for Debezium-style `{before, after, op}` envelopes from relational CDC sources, `mongodb` (or ChangeStreamHandler) for MongoDB change events. Writes then follow the event, and the write-model and id strategies are not used.',
        ...meta('Change data capture', 'MEDIUM', 'CDC handler'),
      },
      'max.batch.size': {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'Most records per bulk write. 0 writes each delivered batch (per collection) in one bulk write.',
        ...meta('Writes', 'MEDIUM', 'Maximum batch size'),
      },
      'bulk.write.ordered': {
        type: 'boolean',
        default: false,
        description:
          'Ordered bulk writes stop at the first failing write (the rest are retried after it is reported). The default, unordered, lets the server apply the rest; writes to the same document are never put in one unordered bulk write, so their order is kept either way.',
        ...meta('Writes', 'LOW', 'Ordered bulk writes'),
      },
      'max.num.retries': {
        type: 'integer',
        minimum: 0,
        default: 3,
        description: 'Retries of a bulk write that failed transiently (network, failover, write concern). After that the batch is handed back to the runtime, which redelivers it.',
        ...meta('Writes', 'LOW', 'Maximum retries'),
      },
      'retries.defer.timeout': {
        type: 'integer',
        minimum: 0,
        default: 5000,
        description: 'Milliseconds to wait before each retry of a failed bulk write.',
        ...meta('Writes', 'LOW', 'Retry delay (ms)'),
      },
      'rate.limiting.every.n': {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'Pause `rate.limiting.timeout` ms after every n bulk writes. 0 disables rate limiting.',
        ...meta('Writes', 'LOW', 'Rate limit every n'),
      },
      'rate.limiting.timeout': {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'Pause length in ms for rate limiting.',
        ...meta('Writes', 'LOW', 'Rate limit pause (ms)'),
      },
    },
    required: ['connection.uri', 'database'],
  };
}

/** Settings for the records of one topic (base config plus its `topic.override.<topic>.*` keys). */
export interface SinkTopicSettings {
  readonly database: string;
  readonly collection: string;
  readonly namespaceMapper: NamespaceMapperName;
  readonly namespaceFields: { readonly keyDatabase: string; readonly keyCollection: string; readonly valueDatabase: string; readonly valueCollection: string };
  readonly namespaceErrorIfInvalid: boolean;
  readonly writeModel: WriteModelName;
  readonly deleteOnNullValues: boolean;
  readonly deleteModel: DeleteModelName;
  readonly idStrategy: IdStrategyName;
  readonly overwriteExistingId: boolean;
  readonly uuidFormat: 'string' | 'binary';
  readonly partialKeyProjection: { readonly type: ProjectionType; readonly fields: readonly string[] };
  readonly partialValueProjection: { readonly type: ProjectionType; readonly fields: readonly string[] };
  readonly cdcHandler: CdcHandlerName;
  readonly maxBatchSize: number;
  readonly ordered: boolean;
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  readonly rateLimitEveryN: number;
  readonly rateLimitTimeoutMs: number;
}

/** Validated sink settings: the connection and a resolver of per-topic settings (cached). */
export interface MongoSinkSettings {
  readonly connectionUri: string;
  /** The base settings (no topic override applied). */
  readonly base: SinkTopicSettings;
  /** Settings for `topic`; throws ConfigValidationError when its overrides are invalid. */
  forTopic(topic: string): SinkTopicSettings;
}

type Raw = Record<string, unknown>;

function projection(type: unknown, fallbackType: unknown, list: unknown, fallbackList: unknown): { type: ProjectionType; fields: string[] } {
  const t = String(type === '' ? fallbackType : type).toLowerCase();
  const normalized: ProjectionType = t === 'allowlist' || t === 'whitelist' ? 'allowlist' : t === 'blocklist' || t === 'blacklist' ? 'blocklist' : 'none';
  const text = String(list === '' ? fallbackList : list);
  return { type: normalized, fields: text.split(',').map((s) => s.trim()).filter((s) => s !== '') };
}

function topicSettings(raw: Raw, errors: Map<string, string[]>): SinkTopicSettings {
  const add = (name: string, message: string): void => void errors.set(name, [...(errors.get(name) ?? []), message]);
  const idStrategy = ID_STRATEGIES[String(raw['document.id.strategy'])] ?? 'BsonOid';
  const writeModel = WRITE_MODELS[String(raw['writemodel.strategy'])] ?? 'ReplaceOneDefault';
  const deleteModel = DELETE_MODELS[String(raw['delete.writemodel.strategy'])] ?? 'DeleteOneDefault';
  const cdcHandler = CDC_HANDLERS[String(raw['change.data.capture.handler'])] ?? 'none';
  const deleteOnNullValues = raw['delete.on.null.values'] === true;
  const partialKeyProjection = projection(raw['document.id.strategy.partial.key.projection.type'], raw['key.projection.type'], raw['document.id.strategy.partial.key.projection.list'], raw['key.projection.list']);
  const partialValueProjection = projection(raw['document.id.strategy.partial.value.projection.type'], raw['value.projection.type'], raw['document.id.strategy.partial.value.projection.list'], raw['value.projection.list']);
  if (deleteOnNullValues && cdcHandler === 'none') {
    if (deleteModel === 'DeleteOneDefault' && !KEY_BASED_ID_STRATEGIES.has(idStrategy)) {
      add('delete.on.null.values', `Invalid value true for configuration delete.on.null.values: deletes find documents by the key, so document.id.strategy must be FullKeyStrategy, PartialKeyStrategy, ProvidedInKeyStrategy or UuidProvidedInKeyStrategy (got ${idStrategy}Strategy)`);
    }
    if (deleteModel === 'DeleteOneTombstoneBusinessKey' && idStrategy !== 'PartialKey') {
      add('delete.writemodel.strategy', 'Invalid value for configuration delete.writemodel.strategy: DeleteOneTombstoneBusinessKeyStrategy needs document.id.strategy=PartialKeyStrategy');
    }
  }
  if ((idStrategy === 'PartialKey' && partialKeyProjection.type === 'none') || (idStrategy === 'PartialValue' && partialValueProjection.type === 'none')) {
    add('document.id.strategy', `Invalid value for configuration document.id.strategy: ${idStrategy}Strategy needs a projection type (AllowList or BlockList) and list`);
  }
  const chain = String(raw['post.processor.chain'])
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unsupported = chain.filter((p) => p !== 'DocumentIdAdder' && p !== 'com.mongodb.kafka.connect.sink.processor.DocumentIdAdder');
  if (unsupported.length > 0) {
    add('post.processor.chain', `Invalid value for configuration post.processor.chain: only DocumentIdAdder is supported (use Sluice transforms instead of ${unsupported.join(', ')})`);
  }
  const mapper = NAMESPACE_MAPPERS[String(raw['namespace.mapper'])] ?? 'default';
  const fields = {
    keyDatabase: String(raw['namespace.mapper.key.database.field']),
    keyCollection: String(raw['namespace.mapper.key.collection.field']),
    valueDatabase: String(raw['namespace.mapper.value.database.field']),
    valueCollection: String(raw['namespace.mapper.value.collection.field']),
  };
  if (mapper === 'field-path') {
    if (fields.keyDatabase !== '' && fields.valueDatabase !== '') add('namespace.mapper.value.database.field', 'Invalid configuration: set either namespace.mapper.key.database.field or namespace.mapper.value.database.field, not both');
    if (fields.keyCollection !== '' && fields.valueCollection !== '') add('namespace.mapper.value.collection.field', 'Invalid configuration: set either namespace.mapper.key.collection.field or namespace.mapper.value.collection.field, not both');
  }
  return Object.freeze({
    database: String(raw['database'] ?? ''),
    collection: String(raw['collection'] ?? ''),
    namespaceMapper: mapper,
    namespaceFields: Object.freeze(fields),
    namespaceErrorIfInvalid: raw['namespace.mapper.error.if.invalid'] === true,
    writeModel,
    deleteOnNullValues,
    deleteModel,
    idStrategy,
    overwriteExistingId: raw['document.id.strategy.overwrite.existing'] === true,
    uuidFormat: raw['document.id.strategy.uuid.format'] === 'binary' ? 'binary' : 'string',
    partialKeyProjection: Object.freeze(partialKeyProjection),
    partialValueProjection: Object.freeze(partialValueProjection),
    cdcHandler,
    maxBatchSize: Number(raw['max.batch.size']),
    ordered: raw['bulk.write.ordered'] === true,
    maxRetries: Number(raw['max.num.retries']),
    retryDelayMs: Number(raw['retries.defer.timeout']),
    rateLimitEveryN: Number(raw['rate.limiting.every.n']),
    rateLimitTimeoutMs: Number(raw['rate.limiting.timeout']),
  });
}

/** The wire config with `topic.override.<topic>.*` applied on top (overrides win). */
export function configForTopic(config: ConnectorConfig, topic: string): Record<string, string> {
  const prefix = `${OVERRIDE_PREFIX}${topic}.`;
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (!k.startsWith(OVERRIDE_PREFIX)) merged[k] = v;
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) merged[k.slice(prefix.length)] = v;
  return merged;
}

function fail(errors: Map<string, string[]>, what: string): never {
  const fields = [...errors].map(([name, errs]) => ({ name, errors: errs }));
  throw new ConfigValidationError(`Invalid MongoSink configuration${what}: ${fields.flatMap((f) => f.errors).join('; ')}`, fields);
}

/**
 * Parses a sink config (connector or task). Checks the base settings and every topic override
 * present; throws ConfigValidationError naming each bad key (the connection URI is never shown).
 */
export function parseSinkConfig(config: ConnectorConfig): MongoSinkSettings {
  const schema = mongoSinkConfigSchema();
  const raw = parseConfig<Raw>(schema, configForTopic(config, '\u0000'));
  const errors = new Map<string, string[]>();
  for (const e of connectionUriErrors(String(raw['connection.uri']))) errors.set('connection.uri', [`Invalid value [hidden] for configuration connection.uri: ${e}`]);
  const base = topicSettings(raw, errors);
  if (errors.size > 0) fail(errors, '');
  const cache = new Map<string, SinkTopicSettings>();
  const forTopic = (topic: string): SinkTopicSettings => {
    let s = cache.get(topic);
    if (s === undefined) {
      const prefix = `${OVERRIDE_PREFIX}${topic}.`;
      if (!Object.keys(config).some((k) => k.startsWith(prefix))) {
        s = base;
      } else {
        const topicErrors = new Map<string, string[]>();
        s = topicSettings(parseConfig<Raw>(schema, configForTopic(config, topic)), topicErrors);
        if (topicErrors.size > 0) fail(topicErrors, ` for topic ${topic}`);
      }
      cache.set(topic, s);
    }
    return s;
  };
  // surface bad overrides at start, not at the first record of that topic
  const overridden = new Set(
    Object.keys(config)
      .filter((k) => k.startsWith(OVERRIDE_PREFIX))
      .map((k) => k.slice(OVERRIDE_PREFIX.length))
      .map((rest) => topicOfOverride(rest, schema))
      .filter((t): t is string => t !== null),
  );
  for (const topic of overridden) forTopic(topic);
  return Object.freeze({ connectionUri: String(raw['connection.uri']), base, forTopic });
}

// `<topic>.<key>` → topic, where key is a defined config key (topics may contain dots).
function topicOfOverride(rest: string, schema: ConfigSchema): string | null {
  for (const key of Object.keys(schema.properties)) {
    if (rest.endsWith(`.${key}`) && rest.length > key.length + 1) return rest.slice(0, rest.length - key.length - 1);
  }
  return null;
}

/** Checks beyond the JSON Schema for the validate endpoint (one entry per bad key). Never throws. */
export function validateSinkConfig(config: ConnectorConfig): ConfigValidationResult {
  if (countErrors(validateConfig(mongoSinkConfigSchema(), config)) > 0) return { configs: [] };
  try {
    parseSinkConfig(config);
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
