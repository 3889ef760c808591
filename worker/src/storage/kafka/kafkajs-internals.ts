/**
 * Typed access to the parts of kafkajs 2.2.4 that its public API does not expose. kafkajs has no
 * manual partition assignment and no broker-level client, but its own consumer and admin are built
 * from a `Cluster` (metadata, broker connections) and `Broker` objects that speak single protocol
 * requests; we build on the same objects. Everything version-sensitive is confined to this file, and
 * `kafkajs-internals.test.ts` fails loudly if an upgrade moves any of it. kafkajs is pinned in
 * package.json for this reason (it is also unmaintained, so the surface is frozen in practice).
 */
import { createRequire } from 'node:module';
import type { ISocketFactory, KafkaConfig, Producer, RetryOptions, logCreator } from 'kafkajs';

const require = createRequire(import.meta.url);

/** One decoded record of a Fetch response (kafkajs `protocol/recordBatch/record/v0/decoder`). */
export interface FetchedMessage {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | null | (Buffer | null)[]>;
  readonly isControlRecord: boolean;
  /** header of the record batch the record came from */
  readonly batchContext?: { readonly firstOffset: string; readonly lastOffsetDelta: number };
}

/** One partition of a decoded Fetch response (kafkajs `fetch/v11/response`). */
export interface FetchPartitionResponse {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  readonly lastStableOffset: string;
  readonly abortedTransactions: readonly { producerId: string; firstOffset: string }[];
  readonly messages: readonly FetchedMessage[];
}

/** One partition of a Metadata response; `leader` is -1 while the partition has none. */
export interface PartitionMetadata {
  readonly partitionErrorCode: number;
  readonly partitionId: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** A decoded Metadata response (kafkajs `metadata/v6`). */
export interface MetadataResponse {
  readonly brokers: readonly { nodeId: number; host: string; port: number }[];
  readonly controllerId: number;
  readonly topicMetadata: readonly {
    readonly topicErrorCode: number;
    readonly topic: string;
    readonly isInternal?: boolean;
    readonly partitionMetadata: readonly PartitionMetadata[];
  }[];
}

/** What a protocol request module builds: encoder, decoder and an optional timeout override. */
export interface ProtocolRequest {
  request: { apiKey: number; apiVersion: number; apiName: string; encode: () => Promise<unknown> };
  response: { decode: (raw: Buffer) => Promise<unknown>; parse: (decoded: unknown) => Promise<unknown> };
  requestTimeout?: number;
}

/**
 * A kafkajs `Broker`: one connection pool to one node, with one method per protocol request. Methods
 * reject with kafkajs errors (protocol errors carry `type`), never retry by themselves.
 */
export interface InternalBroker {
  readonly nodeId: number;
  /** api key → supported version range, learned from ApiVersions on connect */
  readonly versions: Record<number, { minVersion: number; maxVersion: number }> | null;
  readonly connectionPool: { send(request: ProtocolRequest): Promise<unknown> };
  lookupRequest(apiKey: number, definition: unknown): (args: Record<string, unknown>) => ProtocolRequest;
  metadata(topics: string[]): Promise<MetadataResponse>;
  listOffsets(args: {
    replicaId?: number;
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; timestamp: string }[] }[];
  }): Promise<{ responses: { topic: string; partitions: { partition: number; offset: string; errorCode: number }[] }[] }>;
  offsetFetch(args: {
    groupId: string;
    topics: { topic: string; partitions: { partition: number }[] }[] | null;
  }): Promise<{ responses: { topic: string; partitions: { partition: number; offset: string; errorCode: number }[] }[] }>;
  offsetCommit(args: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
  createTopics(args: {
    topics: {
      topic: string;
      numPartitions: number;
      replicationFactor: number;
      configEntries: { name: string; value: string }[];
    }[];
    validateOnly?: boolean;
    timeout?: number;
  }): Promise<unknown>;
  deleteTopics(args: { topics: string[]; timeout?: number }): Promise<unknown>;
  describeConfigs(args: {
    /** an empty `configNames` asks for every config */
    resources: { type: number; name: string; configNames?: string[] }[];
    includeSynonyms?: boolean;
  }): Promise<{
    resources: {
      errorCode: number;
      resourceName: string;
      configEntries: { configName: string; configValue: string | null; isSensitive: boolean }[];
    }[];
  }>;
  findGroupCoordinator(args: { groupId: string; coordinatorType: number }): Promise<{ coordinator: { nodeId: number } }>;
  deleteGroups(groupIds: string[]): Promise<{ results: { groupId: string; errorCode: number; error?: Error }[] }>;
  disconnect(): Promise<void>;
}

/** A kafkajs `Cluster`: bootstrap, broker pool and cached metadata for one client. */
export interface InternalCluster {
  readonly targetTopics: Set<string>;
  readonly brokerPool: {
    findConnectedBroker(): Promise<InternalBroker>;
    /** Metadata for exactly these topics (an empty list means every topic); also refreshes the broker list. */
    refreshMetadata(topics: string[]): Promise<void>;
  };
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  findBroker(args: { nodeId: number | string }): Promise<InternalBroker>;
  findGroupCoordinator(args: { groupId: string }): Promise<InternalBroker>;
}

/** The connection settings shared by every kafkajs object a `KafkaLog` creates. */
export interface ConnectionSettings {
  readonly brokers: string[];
  readonly clientId: string;
  readonly ssl?: KafkaConfig['ssl'];
  readonly sasl?: KafkaConfig['sasl'];
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly logCreator: logCreator;
  readonly logLevel: number;
}

interface InternalLogger {
  namespace(name: string): unknown;
}

type ClusterConstructor = new (options: Record<string, unknown>) => InternalCluster;
type ProducerFactory = (options: Record<string, unknown>) => Producer;

const Cluster = require('kafkajs/src/cluster/index.js') as ClusterConstructor;
const createProducerInternal = require('kafkajs/src/producer/index.js') as ProducerFactory;
const { createLogger } = require('kafkajs/src/loggers/index.js') as {
  createLogger(options: { level: number; logCreator: logCreator }): InternalLogger;
};
const defaultSocketFactory = require('kafkajs/src/network/socketFactory.js') as () => ISocketFactory;
const BatchClass = require('kafkajs/src/consumer/batch.js') as new (
  topic: string,
  fetchedOffset: string,
  partitionData: FetchPartitionResponse,
) => FetchedBatch;
const requestDefinitions = require('kafkajs/src/protocol/requests/index.js') as { requests: Record<string, unknown> };
const apiKeyTable = require('kafkajs/src/protocol/requests/apiKeys.js') as Record<string, number>;
const protocolErrors = require('kafkajs/src/protocol/error.js') as { createErrorFromCode(code: number): Error };

/** kafkajs's protocol encoder (big-endian Kafka primitives), for requests kafkajs does not implement. */
export interface ProtocolEncoder {
  writeInt16(value: number): ProtocolEncoder;
  writeInt32(value: number): ProtocolEncoder;
  writeString(value: string): ProtocolEncoder;
  /** an array of encoders (their bytes concatenated) or of int32s */
  writeArray(items: ProtocolEncoder[] | number[]): ProtocolEncoder;
}
export interface ProtocolDecoder {
  readInt16(): number;
  readInt32(): number;
  readString(): string;
  readArray<T>(reader: (decoder: ProtocolDecoder) => T): T[];
}
export const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => ProtocolEncoder;
export const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => ProtocolDecoder;

/**
 * The decoded response of one partition with kafkajs's consumer filtering applied: records before the
 * requested offset (compressed batches start earlier), control records and aborted transactions are
 * dropped from `messages`.
 */
export interface FetchedBatch {
  readonly messages: readonly FetchedMessage[];
  /** every decoded record of the response, before any filtering */
  readonly rawMessages: readonly FetchedMessage[];
  readonly highWatermark: string;
}

/** Fetch/ListOffsets isolation level: hide aborted transactions and stop at the last stable offset. */
export const ISOLATION_READ_COMMITTED = 1;
/** Kafka API keys by request name, as kafkajs knows them. */
export const apiKeys = apiKeyTable;
/** kafkajs's Fetch request definition, for `broker.lookupRequest`. */
export const fetchRequestDefinition = requestDefinitions.requests['Fetch'];

/** Applies the consumer's filtering to one partition of a Fetch response read from `fetchedOffset`. */
export function createFetchedBatch(topic: string, fetchedOffset: number, data: FetchPartitionResponse): FetchedBatch {
  return new BatchClass(topic, String(fetchedOffset), data);
}

/** The kafkajs error for a Kafka error code (with `type`, `code` and `retriable`). */
export function protocolError(code: number): Error {
  return protocolErrors.createErrorFromCode(code);
}

function rootLogger(settings: ConnectionSettings): InternalLogger {
  return createLogger({ level: settings.logLevel, logCreator: settings.logCreator });
}

/**
 * A kafkajs `Cluster` of our own: its `targetTopics` stays empty (so a topic deleted elsewhere can never
 * poison its metadata refreshes, a kafkajs failure mode) and its connections are not shared with the
 * producer or consumers, so a long-poll Fetch never delays a metadata or offsets request.
 */
export function createCluster(settings: ConnectionSettings, retry: RetryOptions = {}): InternalCluster {
  const cluster = new Cluster({
    logger: rootLogger(settings),
    socketFactory: defaultSocketFactory(),
    brokers: settings.brokers,
    ssl: settings.ssl,
    sasl: settings.sasl,
    clientId: settings.clientId,
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    enforceRequestTimeout: true,
    metadataMaxAge: 300_000,
    retry,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: ISOLATION_READ_COMMITTED,
    instrumentationEmitter: null,
    offsets: new Map(),
  });
  healTargetTopics(cluster);
  return cluster;
}

function errorTypeOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const shape = e as { type?: unknown; cause?: unknown };
    if (typeof shape.type === 'string') return shape.type;
    e = shape.cause;
  }
  return undefined;
}

/**
 * kafkajs refreshes metadata for all its "target topics" at once and a single deleted topic fails the
 * whole refresh, forever: a producer that once wrote to a topic deleted since can write nowhere. This
 * wraps the cluster's refresh so that on UNKNOWN_TOPIC_OR_PARTITION it asks for each topic alone,
 * forgets the ones that are gone, and refreshes the rest.
 */
function healTargetTopics(cluster: InternalCluster): void {
  const pool = cluster.brokerPool;
  const refresh = pool.refreshMetadata.bind(pool);
  pool.refreshMetadata = async (topics: string[]): Promise<void> => {
    try {
      return await refresh(topics);
    } catch (err) {
      if (topics.length < 2 || errorTypeOf(err) !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
      const broker = await pool.findConnectedBroker();
      const missing = new Set<string>();
      for (const topic of topics) {
        await broker.metadata([topic]).catch((e: unknown) => {
          if (errorTypeOf(e) === 'UNKNOWN_TOPIC_OR_PARTITION') missing.add(topic);
        });
      }
      if (missing.size === 0) throw err;
      for (const topic of missing) cluster.targetTopics.delete(topic);
      return refresh(topics.filter((t) => !missing.has(t)));
    }
  };
}

/**
 * An idempotent kafkajs producer over a cluster we hold, so the batcher can discard both together
 * when a failed batch leaves the producer's sequence numbers in doubt.
 */
export function createIdempotentProducer(
  settings: ConnectionSettings,
  cluster: InternalCluster,
  retry: RetryOptions,
): Producer {
  return createProducerInternal({
    cluster,
    logger: rootLogger(settings),
    retry,
    idempotent: true,
    // Partitions are always chosen by the batcher; kafkajs consults its partitioner even for records
    // with an explicit partition, so this one just returns it.
    createPartitioner: () => ({ message }: { message: { partition?: number } }) => message.partition,
  });
}
