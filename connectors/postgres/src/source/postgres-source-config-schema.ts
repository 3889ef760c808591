import type { ConfigSchema } from '@sluice/core';

const GROUP_CONNECTION = 'Connection';
const GROUP_REPLICATION = 'Replication';
const GROUP_FILTERS = 'Filters';
const GROUP_SNAPSHOT = 'Snapshot';
const GROUP_EVENTS = 'Events';
const GROUP_TYPES = 'Data types';
const GROUP_PERFORMANCE = 'Performance';

/** The snapshot modes supported, with Debezium's names and meanings. */
export const SNAPSHOT_MODES = ['initial', 'no_data', 'never', 'initial_only', 'always', 'when_needed'] as const;

/**
 * The PostgreSQL CDC source config: Debezium's PostgreSQL connector keys, names and defaults wherever
 * the feature is the same, so a Debezium config runs with only `connector.class` changed. Keys this
 * connector does not know are accepted and ignored (Kafka Connect passes extra keys through).
 */
export function postgresSourceConfigSchema(): ConfigSchema {
  let order = 0;
  const meta = (group: string, importance: 'HIGH' | 'MEDIUM' | 'LOW', displayName: string) => ({
    'x-group': group,
    'x-order': ++order,
    'x-importance': importance,
    'x-display-name': displayName,
  });
  const regexList = (description: string, group: string, displayName: string) => ({
    type: 'array',
    items: { type: 'string' },
    default: [],
    'x-type': 'LIST' as const,
    description,
    ...meta(group, 'MEDIUM', displayName),
  });
  return {
    type: 'object',
    properties: {
      'database.hostname': {
        type: 'string',
        minLength: 1,
        description: 'Host name or address of the PostgreSQL server.',
        ...meta(GROUP_CONNECTION, 'HIGH', 'Hostname'),
      },
      'database.port': {
        type: 'integer',
        minimum: 1,
        maximum: 65535,
        default: 5432,
        description: 'Port of the PostgreSQL server.',
        ...meta(GROUP_CONNECTION, 'HIGH', 'Port'),
      },
      'database.user': {
        type: 'string',
        minLength: 1,
        description:
          'User to connect as; needs the REPLICATION attribute and SELECT on the captured tables (and CREATE on the database when the connector creates the publication).',
        ...meta(GROUP_CONNECTION, 'HIGH', 'User'),
      },
      'database.password': {
        type: 'string',
        default: '',
        'x-secret': true,
        'x-type': 'PASSWORD',
        description: 'Password of `database.user`. Masked in every response and never logged.',
        ...meta(GROUP_CONNECTION, 'HIGH', 'Password'),
      },
      'database.dbname': {
        type: 'string',
        minLength: 1,
        description: 'Database to capture changes from (logical replication works per database).',
        ...meta(GROUP_CONNECTION, 'HIGH', 'Database'),
      },
      'database.sslmode': {
        type: 'string',
        enum: ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'],
        default: 'prefer',
        description:
          'TLS mode. `disable`, `allow` and `prefer` connect without TLS (the Node.js driver has no fallback negotiation); `require` encrypts without verifying the server; `verify-ca` and `verify-full` verify it against `database.sslrootcert` or the system CAs.',
        ...meta(GROUP_CONNECTION, 'MEDIUM', 'SSL mode'),
      },
      'database.sslrootcert': {
        type: 'string',
        default: '',
        description:
          'Path of a PEM file with the CA certificate(s) used by `verify-ca` / `verify-full`. Empty uses the system CAs.',
        ...meta(GROUP_CONNECTION, 'LOW', 'SSL root certificate'),
      },
      'topic.prefix': {
        type: 'string',
        minLength: 1,
        pattern: '^[A-Za-z0-9._-]+$',
        description:
          'Logical name of the server: prefix of every topic (`<prefix>.<schema>.<table>`), `name` in the `source` block and the offsets partition. Never change it once the connector ran.',
        ...meta(GROUP_CONNECTION, 'HIGH', 'Topic prefix'),
      },
      'plugin.name': {
        type: 'string',
        enum: ['pgoutput'],
        default: 'pgoutput',
        description: 'Logical decoding output plugin. Only `pgoutput` (built into PostgreSQL 10+) is supported.',
        ...meta(GROUP_REPLICATION, 'MEDIUM', 'Plugin'),
      },
      'slot.name': {
        type: 'string',
        pattern: '^[a-z0-9_]{1,63}$',
        default: 'debezium',
        description:
          'Replication slot the connector streams from; created when missing. Must be unique per connector and database. Never drop it while the connector is in use: changes would be lost.',
        ...meta(GROUP_REPLICATION, 'HIGH', 'Slot'),
      },
      'publication.name': {
        type: 'string',
        minLength: 1,
        default: 'dbz_publication',
        description: 'Publication whose tables are streamed.',
        ...meta(GROUP_REPLICATION, 'MEDIUM', 'Publication'),
      },
      'publication.autocreate.mode': {
        type: 'string',
        enum: ['all_tables', 'filtered', 'disabled'],
        default: 'all_tables',
        description:
          '`all_tables` creates the publication FOR ALL TABLES when missing (needs superuser); `filtered` creates it for the tables the filters select and keeps its table list in step on every start; `disabled` expects it to exist.',
        ...meta(GROUP_REPLICATION, 'MEDIUM', 'Publication auto-create mode'),
      },
      'status.update.interval.ms': {
        type: 'integer',
        minimum: 100,
        default: 10_000,
        description:
          'How often a standby status update (carrying the last committed LSN) is sent to the server, besides after every offset commit.',
        ...meta(GROUP_REPLICATION, 'LOW', 'Status update interval (ms)'),
      },
      'schema.include.list': regexList(
        'Regular expressions matching schema names to capture (whole name, case-insensitive). Empty captures every non-system schema.',
        GROUP_FILTERS,
        'Schema include list',
      ),
      'schema.exclude.list': regexList(
        'Regular expressions matching schema names not to capture.',
        GROUP_FILTERS,
        'Schema exclude list',
      ),
      'table.include.list': regexList(
        'Regular expressions matching `schema.table` names to capture. Empty captures every table of the included schemas.',
        GROUP_FILTERS,
        'Table include list',
      ),
      'table.exclude.list': regexList(
        'Regular expressions matching `schema.table` names not to capture.',
        GROUP_FILTERS,
        'Table exclude list',
      ),
      'column.include.list': regexList(
        'Regular expressions matching `schema.table.column` names to include in events. Empty includes every column.',
        GROUP_FILTERS,
        'Column include list',
      ),
      'column.exclude.list': regexList(
        'Regular expressions matching `schema.table.column` names to leave out of events.',
        GROUP_FILTERS,
        'Column exclude list',
      ),
      'snapshot.mode': {
        type: 'string',
        enum: [...SNAPSHOT_MODES],
        default: 'initial',
        description:
          '`initial`: snapshot the captured tables when there is no offset, then stream; `no_data` (alias `never`): only stream; `initial_only`: snapshot, then stop producing; `always`: snapshot at every start, then stream; `when_needed`: snapshot when there is no offset or the stored position is no longer available from the slot.',
        ...meta(GROUP_SNAPSHOT, 'HIGH', 'Snapshot mode'),
      },
      'snapshot.fetch.size': {
        type: 'integer',
        minimum: 1,
        default: 10_240,
        description:
          'Rows read per snapshot query (chunks are read by primary key, so memory stays bounded and an interrupted snapshot resumes after the last committed key).',
        ...meta(GROUP_SNAPSHOT, 'LOW', 'Snapshot fetch size'),
      },
      'snapshot.include.collection.list': regexList(
        'Regular expressions (whole schema.table, case-insensitive) of the captured tables to snapshot; empty snapshots every captured table. The others are only streamed.',
        GROUP_SNAPSHOT,
        'Snapshot include list',
      ),
      'snapshot.select.statement.overrides': {
        type: 'array',
        items: { type: 'string' },
        default: [],
        'x-type': 'LIST' as const,
        description:
          'schema.table names whose snapshot rows come from snapshot.select.statement.overrides.<schema>.<table>, a SELECT returning the table\'s columns (e.g. only recent rows, or a join that fills a column).',
        ...meta(GROUP_SNAPSHOT, 'LOW', 'Snapshot select overrides'),
      },
      'signal.data.collection': {
        type: 'string',
        default: '',
        description:
          'Signal table (`schema.table`, columns id text, type text, data text) for ad-hoc incremental snapshots: insert an `execute-snapshot` row with data `{"data-collections": ["schema.table"], "type": "incremental", "additional-conditions": [{"data-collection": "schema.table", "filter": "…"}]}`; `stop-snapshot`, `pause-snapshot` and `resume-snapshot` too. The connector writes its watermark rows into the same table. Empty: no signals.',
        ...meta(GROUP_SNAPSHOT, 'MEDIUM', 'Signal table'),
      },
      'incremental.snapshot.chunk.size': {
        type: 'integer',
        minimum: 1,
        default: 1024,
        description: 'Rows read per incremental snapshot chunk (each chunk is read between two watermarks while streaming continues).',
        ...meta(GROUP_SNAPSHOT, 'LOW', 'Incremental snapshot chunk size'),
      },
      'message.key.columns': {
        type: 'string',
        default: '',
        description:
          'Custom event keys: "<schema>.<table>:<column>,<column>;…" (the table part is a regular expression matching the whole schema.table). A matching table\'s events are keyed by the listed columns instead of its primary key. Deletes carry non-key old values only with REPLICA IDENTITY FULL.',
        ...meta(GROUP_EVENTS, 'LOW', 'Message key columns'),
      },
      'tombstones.on.delete': {
        type: 'boolean',
        default: true,
        description:
          'Follow each delete event with a tombstone (same key, null value) so compacted topics can drop the key.',
        ...meta(GROUP_EVENTS, 'MEDIUM', 'Tombstones on delete'),
      },
      'skipped.operations': {
        type: 'array',
        items: { type: 'string', enum: ['c', 'u', 'd', 't', 'none'] },
        default: ['t'],
        'x-type': 'LIST',
        description:
          'Operations not to emit: `c` inserts, `u` updates, `d` deletes, `t` truncates, `none` to emit all. Debezium skips truncates by default.',
        ...meta(GROUP_EVENTS, 'MEDIUM', 'Skipped operations'),
      },
      'provide.transaction.metadata': {
        type: 'boolean',
        default: false,
        description:
          'Fill the `transaction` block of every event and emit BEGIN/END records to `<prefix>.<topic.transaction>`.',
        ...meta(GROUP_EVENTS, 'MEDIUM', 'Provide transaction metadata'),
      },
      'topic.transaction': {
        type: 'string',
        default: 'transaction',
        description: 'Suffix of the transaction metadata topic.',
        ...meta(GROUP_EVENTS, 'LOW', 'Transaction topic'),
      },
      'heartbeat.interval.ms': {
        type: 'integer',
        minimum: 0,
        default: 0,
        description:
          'When > 0, emit a heartbeat record to `<heartbeat.topics.prefix>.<topic.prefix>` this often, carrying the latest processed LSN, so the offset (and the slot) advance while the captured tables are quiet. 0 disables heartbeats.',
        ...meta(GROUP_EVENTS, 'MEDIUM', 'Heartbeat interval (ms)'),
      },
      'slot.drop.on.stop': {
        type: 'boolean',
        default: false,
        description:
          'Drop the replication slot when the task stops gracefully. For development and tests only: the next start has no slot, so changes made while stopped are not captured (snapshot.mode decides what happens instead).',
        ...meta(GROUP_EVENTS, 'LOW', 'Drop slot on stop'),
      },
      'heartbeat.action.query': {
        type: 'string',
        default: '',
        description:
          'SQL run on the source database with every heartbeat (e.g. `INSERT INTO heartbeat (ts) VALUES (now()) ON CONFLICT …` on a captured or uncaptured table), so a database whose own tables are quiet still produces WAL the slot can confirm while other databases on the server are busy. Failures are logged, not fatal. Empty: none.',
        ...meta(GROUP_EVENTS, 'LOW', 'Heartbeat action query'),
      },
      'database.initial.statements': {
        type: 'string',
        default: '',
        description:
          'SQL statements, separated by ";" (";;" for a literal semicolon), run on every connection that reads the catalog and snapshots (not the replication connection), e.g. "SET statement_timeout = 0".',
        ...meta(GROUP_CONNECTION, 'LOW', 'Initial statements'),
      },
      'replica.identity.autoset.values': {
        type: 'string',
        default: '',
        description:
          'Replica identities the connector sets at start: "<schema.table regex>:<FULL|DEFAULT|NOTHING|INDEX name>,…". Needs table ownership; a failure stops the task with the ALTER TABLE to run.',
        ...meta(GROUP_REPLICATION, 'LOW', 'Replica identity autoset values'),
      },
      'publish.via.partition.root': {
        type: 'boolean',
        default: false,
        description:
          'Capture a partitioned table as one table (its topic, key and schema) rather than as its partitions: the connector creates or updates its publication WITH (publish_via_partition_root = true) and snapshots the partitioned table. PostgreSQL 13 or later.',
        ...meta(GROUP_REPLICATION, 'LOW', 'Publish via partition root'),
      },
      'skip.messages.without.change': {
        type: 'boolean',
        default: false,
        description:
          'Skip update events in which no captured column changed (e.g. only columns excluded by column.exclude.list did). Needs REPLICA IDENTITY FULL to compare; other tables are not filtered.',
        ...meta(GROUP_EVENTS, 'LOW', 'Skip messages without change'),
      },
      'heartbeat.topics.prefix': {
        type: 'string',
        minLength: 1,
        default: '__debezium-heartbeat',
        description: 'Prefix of the heartbeat topic.',
        ...meta(GROUP_EVENTS, 'LOW', 'Heartbeat topic prefix'),
      },
      'unavailable.value.placeholder': {
        type: 'string',
        default: '__debezium_unavailable_value',
        description: 'Value given to unchanged TOASTed columns that PostgreSQL does not send in updates.',
        ...meta(GROUP_EVENTS, 'LOW', 'Unavailable value placeholder'),
      },
      'decimal.handling.mode': {
        type: 'string',
        enum: ['precise', 'double', 'string'],
        default: 'precise',
        description:
          '`precise`: numeric as Connect Decimal (VariableScaleDecimal without a declared scale); `double`: float64; `string`: plain text.',
        ...meta(GROUP_TYPES, 'MEDIUM', 'Decimal handling mode'),
      },
      'time.precision.mode': {
        type: 'string',
        enum: ['adaptive', 'adaptive_time_microseconds', 'connect'],
        default: 'adaptive',
        description:
          '`adaptive`: io.debezium.time.* types matching the column precision; `adaptive_time_microseconds`: time always as MicroTime; `connect`: Kafka Connect Date/Time/Timestamp (millisecond precision).',
        ...meta(GROUP_TYPES, 'MEDIUM', 'Time precision mode'),
      },
      'interval.handling.mode': {
        type: 'string',
        enum: ['numeric', 'string'],
        default: 'numeric',
        description:
          '`numeric`: intervals as MicroDuration (µs, months counted as 30.4375 days); `string`: ISO-8601 text.',
        ...meta(GROUP_TYPES, 'LOW', 'Interval handling mode'),
      },
      'binary.handling.mode': {
        type: 'string',
        enum: ['bytes', 'base64', 'hex'],
        default: 'bytes',
        description: 'bytea columns as bytes, or as base64 / hex strings.',
        ...meta(GROUP_TYPES, 'LOW', 'Binary handling mode'),
      },
      'money.fraction.digits': {
        type: 'integer',
        minimum: 0,
        default: 2,
        description: 'Scale of money values as decimals.',
        ...meta(GROUP_TYPES, 'LOW', 'Money fraction digits'),
      },
      'max.batch.size': {
        type: 'integer',
        minimum: 1,
        default: 2048,
        description: 'Maximum number of records one poll returns.',
        ...meta(GROUP_PERFORMANCE, 'LOW', 'Maximum batch size'),
      },
      'max.queue.size': {
        type: 'integer',
        minimum: 2,
        default: 8192,
        description:
          'Capacity of the queue between the replication stream and poll(), in messages. When it is full the connector stops reading the socket, so memory stays bounded. Must exceed max.batch.size.',
        ...meta(GROUP_PERFORMANCE, 'LOW', 'Maximum queue size'),
      },
      'poll.interval.ms': {
        type: 'integer',
        minimum: 1,
        default: 500,
        description: 'Longest time a poll waits for new changes before returning what it has (possibly nothing).',
        ...meta(GROUP_PERFORMANCE, 'LOW', 'Poll interval (ms)'),
      },
    },
    required: ['database.hostname', 'database.user', 'database.dbname', 'topic.prefix'],
  };
}
