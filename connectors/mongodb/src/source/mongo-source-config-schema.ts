import type { ConfigSchema } from '@sluice/core';
import { JSON_FORMATTER_VALUES } from '../bson/extended-json.js';

const GROUP_CONNECTION = 'Connection';
const GROUP_STREAM = 'Change stream';
const GROUP_STARTUP = 'Startup';
const GROUP_OUTPUT = 'Output';
const GROUP_TOPICS = 'Topics';
const GROUP_OFFSETS = 'Offsets and heartbeats';

/**
 * The MongoSource config: the official MongoDB Kafka source connector's keys, names and defaults
 * wherever the feature is the same (see README for the few that are accepted but ignored).
 */
export function mongoSourceConfigSchema(): ConfigSchema {
  let order = 0;
  const meta = (group: string, importance: 'HIGH' | 'MEDIUM' | 'LOW', displayName: string) => ({
    'x-group': group,
    'x-order': ++order,
    'x-importance': importance,
    'x-display-name': displayName,
  });
  const jsonArray = { type: 'string', default: '[]' };
  return {
    type: 'object',
    properties: {
      'connection.uri': {
        type: 'string',
        minLength: 1,
        'x-secret': true,
        'x-width': 'LONG',
        description:
          'MongoDB connection string (mongodb:// or mongodb+srv://) as the official drivers accept it. Masked in every response and never logged; logs show only its hosts.',
        ...meta(GROUP_CONNECTION, 'HIGH', 'MongoDB connection URI'),
      },
      database: {
        type: 'string',
        default: '',
        description: 'Database to watch. Empty watches every database of the deployment.',
        ...meta(GROUP_CONNECTION, 'MEDIUM', 'Database'),
      },
      collection: {
        type: 'string',
        default: '',
        description: 'Collection to watch within `database`. Empty watches every collection of the database.',
        ...meta(GROUP_CONNECTION, 'MEDIUM', 'Collection'),
      },
      pipeline: {
        ...jsonArray,
        description:
          'JSON array of aggregation stages appended to the change stream, e.g. `[{"$match": {"operationType": "insert"}}]`. Only stages MongoDB allows in change streams ($match, $project, $addFields, $replaceRoot, $set, $unset, $redact).',
        ...meta(GROUP_STREAM, 'MEDIUM', 'Pipeline'),
      },
      'change.stream.full.document': {
        type: 'string',
        enum: ['', 'default', 'updateLookup', 'whenAvailable', 'required'],
        default: '',
        description:
          'fullDocument option of the change stream. `updateLookup` adds the current version of the document to update events (looked up when the event is read, so it can be newer than the change or missing if deleted since). Empty uses the server default.',
        ...meta(GROUP_STREAM, 'MEDIUM', 'Full document'),
      },
      'change.stream.full.document.before.change': {
        type: 'string',
        enum: ['', 'off', 'whenAvailable', 'required'],
        default: '',
        description: 'fullDocumentBeforeChange option (pre-images; MongoDB 6.0+ with changeStreamPreAndPostImages on the collection). Empty uses the server default.',
        ...meta(GROUP_STREAM, 'LOW', 'Full document before change'),
      },
      'publish.full.document.only': {
        type: 'boolean',
        default: false,
        description:
          'Publish only the changed document (`fullDocument`) instead of the whole change event. Implies `change.stream.full.document=updateLookup` when that is not set. Events without a full document (deletes) are skipped unless `publish.full.document.only.tombstone.on.delete` is true.',
        ...meta(GROUP_STREAM, 'HIGH', 'Publish full document only'),
      },
      'publish.full.document.only.tombstone.on.delete': {
        type: 'boolean',
        default: false,
        description: 'With `publish.full.document.only`, publish a tombstone (null value) keyed by the document key for delete events.',
        ...meta(GROUP_STREAM, 'MEDIUM', 'Tombstone on delete'),
      },
      'change.stream.document.key.as.key': {
        type: 'boolean',
        default: true,
        description: "Use the event's `documentKey` (the `_id`, plus the shard key on sharded collections) as the record key. False keys records by the resume token instead.",
        ...meta(GROUP_STREAM, 'MEDIUM', 'Document key as key'),
      },
      'change.stream.show.expanded.events': {
        type: 'boolean',
        default: false,
        description: 'Report DDL events such as createIndexes and modify (MongoDB 6.0+).',
        ...meta(GROUP_STREAM, 'LOW', 'Show expanded events'),
      },
      collation: {
        type: 'string',
        default: '',
        description: 'JSON collation document for the change stream, e.g. `{"locale": "en", "strength": 2}`. Empty for none.',
        ...meta(GROUP_STREAM, 'LOW', 'Collation'),
      },
      'batch.size': {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'Cursor batch size for the change stream and the copy. 0 uses the server default.',
        ...meta(GROUP_STREAM, 'LOW', 'Cursor batch size'),
      },
      'poll.max.batch.size': {
        type: 'integer',
        minimum: 1,
        default: 1000,
        description: 'Maximum number of records one poll returns.',
        ...meta(GROUP_STREAM, 'LOW', 'Maximum poll batch size'),
      },
      'poll.await.time.ms': {
        type: 'integer',
        minimum: 1,
        default: 5000,
        description: 'Longest time a poll waits for new changes before returning what it has (possibly nothing).',
        ...meta(GROUP_STREAM, 'LOW', 'Poll await time (ms)'),
      },
      'startup.mode': {
        type: 'string',
        enum: ['latest', 'timestamp', 'copy_existing'],
        default: 'latest',
        description:
          'Where to start when there is no stored offset. `latest`: changes from now on. `timestamp`: changes from `startup.mode.timestamp.start.at.operation.time`. `copy_existing`: publish every existing document as an insert event, then the changes that happened since the copy began (a document changed during the copy can appear both as copied and as a change; applying both is idempotent). A stored offset always wins.',
        ...meta(GROUP_STARTUP, 'HIGH', 'Startup mode'),
      },
      'startup.mode.timestamp.start.at.operation.time': {
        type: 'string',
        default: '',
        description:
          "With `startup.mode=timestamp`: the cluster time to start at: seconds since the epoch (`30`), an ISO-8601 instant (`2024-01-01T00:00:00Z`) or a BSON timestamp in canonical Extended JSON (`{\"$timestamp\": {\"t\": 30, \"i\": 0}}`). `0` starts at the oldest oplog entry. Empty behaves like `latest`.",
        ...meta(GROUP_STARTUP, 'MEDIUM', 'Start at operation time'),
      },
      'startup.mode.copy.existing.namespace.regex': {
        type: 'string',
        default: '',
        description: 'With `copy_existing`: copy only namespaces (`db.collection`) matching this regular expression. Empty copies every watched collection.',
        ...meta(GROUP_STARTUP, 'LOW', 'Copy namespace regex'),
      },
      'startup.mode.copy.existing.pipeline': {
        ...jsonArray,
        description: 'With `copy_existing`: JSON array of aggregation stages run on each collection before its documents are copied (e.g. a $match to copy a subset).',
        ...meta(GROUP_STARTUP, 'LOW', 'Copy pipeline'),
      },
      'startup.mode.copy.existing.allow.disk.use': {
        type: 'boolean',
        default: true,
        description: 'With `copy_existing`: let the copy aggregation spill to disk.',
        ...meta(GROUP_STARTUP, 'LOW', 'Copy allow disk use'),
      },
      'startup.mode.copy.existing.max.threads': {
        type: 'integer',
        minimum: 1,
        default: 1,
        description: 'Accepted for compatibility with the official connector; Sluice copies collections one after another.',
        ...meta(GROUP_STARTUP, 'LOW', 'Copy threads (ignored)'),
      },
      'startup.mode.copy.existing.queue.size': {
        type: 'integer',
        minimum: 1,
        default: 16000,
        description: 'Accepted for compatibility with the official connector; the copy reads with cursor back-pressure instead of a queue.',
        ...meta(GROUP_STARTUP, 'LOW', 'Copy queue size (ignored)'),
      },
      'copy.existing': {
        type: 'boolean',
        default: false,
        description: 'Deprecated alias: true means `startup.mode=copy_existing`.',
        ...meta(GROUP_STARTUP, 'LOW', 'Copy existing (deprecated)'),
      },
      'copy.existing.namespace.regex': {
        type: 'string',
        default: '',
        description: 'Deprecated alias of `startup.mode.copy.existing.namespace.regex`.',
        ...meta(GROUP_STARTUP, 'LOW', 'Copy namespace regex (deprecated)'),
      },
      'copy.existing.pipeline': {
        type: 'string',
        default: '',
        description: 'Deprecated alias of `startup.mode.copy.existing.pipeline`.',
        ...meta(GROUP_STARTUP, 'LOW', 'Copy pipeline (deprecated)'),
      },
      'output.format.key': {
        type: 'string',
        enum: ['json', 'bson', 'schema'],
        default: 'json',
        description: 'Key format: `json` (a STRING of JSON text), `bson` (BYTES of the BSON document) or `schema` (a Struct with a schema inferred from the key document).',
        ...meta(GROUP_OUTPUT, 'HIGH', 'Key format'),
      },
      'output.format.value': {
        type: 'string',
        enum: ['json', 'bson', 'schema'],
        default: 'json',
        description:
          'Value format: `json` (a STRING of JSON text in the `output.json.formatter` style), `bson` (BYTES) or `schema` (a Struct: the fixed change-event schema, or with `output.schema.infer.value=true` a schema inferred from each document).',
        ...meta(GROUP_OUTPUT, 'HIGH', 'Value format'),
      },
      'output.json.formatter': {
        type: 'string',
        enum: [...JSON_FORMATTER_VALUES],
        default: 'relaxed',
        description:
          'JSON style for `json` output: `relaxed` (relaxed Extended JSON v2), `canonical` (canonical Extended JSON v2, every BSON type preserved) or `simplified` (ObjectIds, dates, decimals and binary as plain strings). The official class names DefaultJson, ExtendedJson and SimplifiedJson are accepted.',
        ...meta(GROUP_OUTPUT, 'MEDIUM', 'JSON formatter'),
      },
      'output.schema.infer.value': {
        type: 'boolean',
        default: false,
        description: 'With `output.format.value=schema`: infer a schema from each document (each in isolation) instead of using the fixed change-event schema whose nested documents are JSON strings.',
        ...meta(GROUP_OUTPUT, 'MEDIUM', 'Infer value schema'),
      },
      'topic.prefix': {
        type: 'string',
        default: '',
        description: 'Prefix of every topic name, joined with `topic.separator`.',
        ...meta(GROUP_TOPICS, 'MEDIUM', 'Topic prefix'),
      },
      'topic.suffix': {
        type: 'string',
        default: '',
        description: 'Suffix of every topic name, joined with `topic.separator`.',
        ...meta(GROUP_TOPICS, 'LOW', 'Topic suffix'),
      },
      'topic.separator': {
        type: 'string',
        default: '.',
        description: 'Separator between prefix, database, collection and suffix in topic names.',
        ...meta(GROUP_TOPICS, 'LOW', 'Topic separator'),
      },
      'topic.namespace.map': {
        type: 'string',
        default: '',
        description:
          'JSON object mapping namespaces to topic names, as the official connector: `"db.coll": "topic"` (exact), `"db": "topic"` (topic + separator + collection), `"/regex": "template"` with `{db}`, `{sep}`, `{coll}`, `{sep_coll}`, `{coll_sep}`, `{sep_coll_sep}`, and `"*": "topic"`. Unmapped namespaces go to `db.coll`. Prefix and suffix still apply.',
        ...meta(GROUP_TOPICS, 'MEDIUM', 'Namespace to topic map'),
      },
      'heartbeat.interval.ms': {
        type: 'integer',
        minimum: 0,
        default: 0,
        description:
          "How often, when the stream's resume token has moved past the last published record (quiet or filtered collections), to publish a heartbeat record whose offset stores that token. Keeps the stored offset inside the oplog window. 0 disables heartbeats.",
        ...meta(GROUP_OFFSETS, 'MEDIUM', 'Heartbeat interval (ms)'),
      },
      'heartbeat.topic.name': {
        type: 'string',
        minLength: 1,
        default: '__mongodb_heartbeats',
        description: 'Topic heartbeat records go to (key: the resume token as JSON text, value: null).',
        ...meta(GROUP_OFFSETS, 'LOW', 'Heartbeat topic'),
      },
      'offset.partition.name': {
        type: 'string',
        default: '',
        description:
          'Name of the source partition offsets are stored under. Empty derives it from the URI hosts and the namespace. Set a new name to start over without the stored offset (startup.mode applies again).',
        ...meta(GROUP_OFFSETS, 'LOW', 'Offset partition name'),
      },
    },
    required: ['connection.uri'],
  };
}
