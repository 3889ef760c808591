import { SchemaBuilder, Schemas, Struct, type Schema } from '@sluice/core';
import { VERSION } from '../version.js';

/** Debezium's values of `source.snapshot`. */
export type SnapshotMarker = 'true' | 'last' | 'false' | 'incremental';

/** `io.debezium.connector.postgresql.Source`: where an event came from. */
export const SOURCE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.postgresql.Source')
  .field('version', Schemas.STRING)
  .field('connector', Schemas.STRING)
  .field('name', Schemas.STRING)
  .field('ts_ms', Schemas.INT64)
  .field(
    'snapshot',
    SchemaBuilder.string()
      .optional()
      .name('io.debezium.data.Enum')
      .version(1)
      .parameter('allowed', 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental')
      .defaultValue('false'),
  )
  .field('db', Schemas.STRING)
  .field('sequence', Schemas.OPTIONAL_STRING)
  .field('ts_us', Schemas.OPTIONAL_INT64)
  .field('ts_ns', Schemas.OPTIONAL_INT64)
  .field('schema', Schemas.STRING)
  .field('table', Schemas.STRING)
  .field('txId', Schemas.OPTIONAL_INT64)
  .field('lsn', Schemas.OPTIONAL_INT64)
  .field('xmin', Schemas.OPTIONAL_INT64)
  .build();

/** `event.block`: an event's place in its transaction (with `provide.transaction.metadata`). */
export const TRANSACTION_BLOCK_SCHEMA: Schema = SchemaBuilder.struct()
  .optional()
  .name('event.block')
  .version(1)
  .field('id', Schemas.STRING)
  .field('total_order', Schemas.INT64)
  .field('data_collection_order', Schemas.INT64)
  .build();

/** The fields of a `source` block that vary per event. */
export interface SourceInfo {
  readonly serverName: string;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  /** commit time (streaming) or read time (snapshot), µs since the epoch */
  readonly timestampMicros: bigint;
  readonly snapshot: SnapshotMarker;
  readonly txId: number | null;
  /** LSN of the change (streaming) or the snapshot's consistent point */
  readonly lsn: number | null;
  /** Debezium's `sequence`: `["<last commit lsn>","<this lsn>"]` */
  readonly sequence: string | null;
}

/** Builds a `source` struct. */
export function sourceStruct(info: SourceInfo): Struct {
  return new Struct(SOURCE_SCHEMA)
    .put('version', VERSION)
    .put('connector', 'postgresql')
    .put('name', info.serverName)
    .put('ts_ms', Number(info.timestampMicros / 1000n))
    .put('snapshot', info.snapshot)
    .put('db', info.database)
    .put('sequence', info.sequence)
    .put('ts_us', Number(info.timestampMicros))
    .put('ts_ns', info.timestampMicros * 1000n)
    .put('schema', info.schema)
    .put('table', info.table)
    .put('txId', info.txId)
    .put('lsn', info.lsn);
}

/** The `<prefix>.<schema>.<table>.Envelope` schema around a row schema. */
export function envelopeSchema(name: string, rowSchema: Schema): Schema {
  return SchemaBuilder.struct()
    .name(name)
    .version(2)
    .field('before', rowSchema)
    .field('after', rowSchema)
    .field('source', SOURCE_SCHEMA)
    .field('transaction', TRANSACTION_BLOCK_SCHEMA)
    .field('op', Schemas.STRING)
    .field('ts_ms', Schemas.OPTIONAL_INT64)
    .field('ts_us', Schemas.OPTIONAL_INT64)
    .field('ts_ns', Schemas.OPTIONAL_INT64)
    .build();
}

/** Debezium's operation codes. */
export type EnvelopeOp = 'c' | 'u' | 'd' | 'r' | 't';

/** Fills an envelope. `nowMs` is the processing time (`ts_ms`). */
export function envelopeStruct(
  schema: Schema,
  fields: {
    before: Struct | null;
    after: Struct | null;
    source: Struct;
    op: EnvelopeOp;
    transaction: Struct | null;
    nowMs: number;
  },
): Struct {
  return new Struct(schema)
    .put('before', fields.before)
    .put('after', fields.after)
    .put('source', fields.source)
    .put('transaction', fields.transaction)
    .put('op', fields.op)
    .put('ts_ms', fields.nowMs)
    .put('ts_us', fields.nowMs * 1000)
    .put('ts_ns', BigInt(fields.nowMs) * 1_000_000n);
}

/** Builds the `transaction` block of an event. */
export function transactionBlock(id: string, totalOrder: number, dataCollectionOrder: number): Struct {
  return new Struct(TRANSACTION_BLOCK_SCHEMA)
    .put('id', id)
    .put('total_order', totalOrder)
    .put('data_collection_order', dataCollectionOrder);
}

export const TRANSACTION_KEY_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.TransactionMetadataKey')
  .field('id', Schemas.STRING)
  .build();

const DATA_COLLECTION_SCHEMA: Schema = SchemaBuilder.struct()
  .name('event.collection')
  .version(1)
  .field('data_collection', Schemas.STRING)
  .field('event_count', Schemas.INT64)
  .build();

export const TRANSACTION_VALUE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.TransactionMetadataValue')
  .field('status', Schemas.STRING)
  .field('id', Schemas.STRING)
  .field('event_count', Schemas.OPTIONAL_INT64)
  .field('data_collections', SchemaBuilder.array(DATA_COLLECTION_SCHEMA).optional().build())
  .field('ts_ms', Schemas.INT64)
  .build();

/** A BEGIN or END transaction metadata value. `collections` only for END. */
export function transactionValue(
  status: 'BEGIN' | 'END',
  id: string,
  tsMs: number,
  collections: ReadonlyMap<string, number> | null,
): Struct {
  const value = new Struct(TRANSACTION_VALUE_SCHEMA).put('status', status).put('id', id).put('ts_ms', tsMs);
  if (collections !== null) {
    let total = 0;
    const items: Struct[] = [];
    for (const [name, count] of collections) {
      total += count;
      items.push(new Struct(DATA_COLLECTION_SCHEMA).put('data_collection', name).put('event_count', count));
    }
    value.put('event_count', total).put('data_collections', items);
  }
  return value;
}

export const HEARTBEAT_KEY_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.ServerNameKey')
  .field('serverName', Schemas.STRING)
  .build();

export const HEARTBEAT_VALUE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.Heartbeat')
  .field('ts_ms', Schemas.INT64)
  .build();
