/**
 * Names of the sink's pluggable behaviours. Each accepts a short name and the official MongoDB Kafka
 * connector's class name, so its configs keep working.
 */
export type WriteModelName =
  | 'ReplaceOneDefault'
  | 'ReplaceOneBusinessKey'
  | 'InsertOneDefault'
  | 'UpdateOneDefault'
  | 'UpdateOneTimestamps'
  | 'UpdateOneBusinessKeyTimestamp'
  | 'DeleteOneBusinessKey';
export type DeleteModelName = 'DeleteOneDefault' | 'DeleteOneTombstoneBusinessKey';
export type IdStrategyName =
  | 'BsonOid'
  | 'Uuid'
  | 'FullKey'
  | 'PartialKey'
  | 'PartialValue'
  | 'ProvidedInKey'
  | 'ProvidedInValue'
  | 'KafkaMetaData'
  | 'UuidProvidedInKey'
  | 'UuidProvidedInValue';
export type CdcHandlerName = 'none' | 'debezium-rdbms' | 'mongodb-change-stream';
export type NamespaceMapperName = 'default' | 'field-path';

const WM = 'com.mongodb.kafka.connect.sink.writemodel.strategy.';
const ID = 'com.mongodb.kafka.connect.sink.processor.id.strategy.';
const CDC = 'com.mongodb.kafka.connect.sink.cdc.';
const NS = 'com.mongodb.kafka.connect.sink.namespace.mapping.';

function table<T extends string>(names: readonly T[], prefix: string, extra: Record<string, T> = {}): Readonly<Record<string, T>> {
  const out: Record<string, T> = { ...extra };
  for (const n of names) {
    out[n] = n;
    out[`${n}Strategy`] = n;
    out[`${prefix}${n}Strategy`] = n;
  }
  return Object.freeze(out);
}

export const WRITE_MODELS = table<WriteModelName>(
  ['ReplaceOneDefault', 'ReplaceOneBusinessKey', 'InsertOneDefault', 'UpdateOneDefault', 'UpdateOneTimestamps', 'UpdateOneBusinessKeyTimestamp', 'DeleteOneBusinessKey'],
  WM,
  { DefaultWriteModelStrategy: 'ReplaceOneDefault', [`${WM}DefaultWriteModelStrategy`]: 'ReplaceOneDefault' },
);
export const DELETE_MODELS = table<DeleteModelName>(['DeleteOneDefault', 'DeleteOneTombstoneBusinessKey'], WM);
export const ID_STRATEGIES = table<IdStrategyName>(
  ['BsonOid', 'Uuid', 'FullKey', 'PartialKey', 'PartialValue', 'ProvidedInKey', 'ProvidedInValue', 'KafkaMetaData', 'UuidProvidedInKey', 'UuidProvidedInValue'],
  ID,
);
export const CDC_HANDLERS: Readonly<Record<string, CdcHandlerName>> = Object.freeze({
  '': 'none',
  none: 'none',
  debezium: 'debezium-rdbms',
  'debezium-rdbms': 'debezium-rdbms',
  [`${CDC}debezium.rdbms.RdbmsHandler`]: 'debezium-rdbms',
  [`${CDC}debezium.rdbms.postgres.PostgresHandler`]: 'debezium-rdbms',
  [`${CDC}debezium.rdbms.mysql.MysqlHandler`]: 'debezium-rdbms',
  mongodb: 'mongodb-change-stream',
  'mongodb-change-stream': 'mongodb-change-stream',
  [`${CDC}mongodb.ChangeStreamHandler`]: 'mongodb-change-stream',
});
export const NAMESPACE_MAPPERS: Readonly<Record<string, NamespaceMapperName>> = Object.freeze({
  default: 'default',
  'field-path': 'field-path',
  DefaultNamespaceMapper: 'default',
  FieldPathNamespaceMapper: 'field-path',
  [`${NS}DefaultNamespaceMapper`]: 'default',
  [`${NS}FieldPathNamespaceMapper`]: 'field-path',
  // the official docs name this package in places; accept it too
  'com.mongodb.kafka.connect.sink.topic.mapping.FieldPathNamespaceMapper': 'field-path',
});

/** Id strategies that derive `_id` from the record key: the only ones a key-based delete can use. */
export const KEY_BASED_ID_STRATEGIES: ReadonlySet<IdStrategyName> = new Set(['FullKey', 'PartialKey', 'ProvidedInKey', 'UuidProvidedInKey']);
