import { describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import {
  Decoder,
  Encoder,
  apiKeys,
  createCluster,
  createFetchedBatch,
  createIdempotentProducer,
  fetchRequestDefinition,
  protocolError,
} from './kafkajs-internals.js';
import type { ConnectionSettings } from './kafkajs-internals.js';

// Canary for a kafkajs upgrade: these are the internals the Kafka log builds on (no broker needed).
describe('kafkajs internals', () => {
  const settings: ConnectionSettings = {
    brokers: ['127.0.0.1:1'],
    clientId: 'canary',
    connectionTimeoutMs: 100,
    requestTimeoutMs: 100,
    logCreator: () => () => undefined,
    logLevel: logLevel.NOTHING,
  };

  it('builds a cluster with the broker pool and lookups the log uses', () => {
    const cluster = createCluster(settings);
    expect(cluster.targetTopics).toBeInstanceOf(Set);
    expect(typeof cluster.brokerPool.findConnectedBroker).toBe('function');
    expect(typeof cluster.brokerPool.refreshMetadata).toBe('function');
    expect(typeof cluster.findBroker).toBe('function');
    expect(typeof createIdempotentProducer(settings, cluster, { retries: 1 }).sendBatch).toBe('function');
  });

  it('knows the Fetch request and the protocol errors by name', () => {
    expect(apiKeys['Fetch']).toBe(1);
    expect(fetchRequestDefinition).toBeDefined();
    expect((protocolError(3) as { type?: string }).type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('filters a decoded partition like the consumer: records before the fetch offset and control records go', () => {
    const message = (offset: number, isControlRecord = false) => ({
      offset: String(offset),
      timestamp: '0',
      key: null,
      value: Buffer.from(`v${offset}`),
      headers: {},
      isControlRecord,
      batchContext: { firstOffset: '0', lastOffsetDelta: 3 },
    });
    const batch = createFetchedBatch('t', 1, {
      partition: 0,
      errorCode: 0,
      highWatermark: '4',
      lastStableOffset: '4',
      abortedTransactions: [],
      messages: [message(0), message(1), message(2, true), message(3)],
    });
    expect(batch.messages.map((m) => m.offset)).toEqual(['1', '3']);
    expect(batch.rawMessages).toHaveLength(4);
  });

  it('round-trips primitives through the protocol encoder and decoder', () => {
    const encoded = new Encoder().writeInt16(7).writeString('g').writeArray([new Encoder().writeInt32(42)]);
    const decoder = new Decoder((encoded as unknown as { buffer: Buffer }).buffer);
    expect(decoder.readInt16()).toBe(7);
    expect(decoder.readString()).toBe('g');
    expect(decoder.readArray((d) => d.readInt32())).toEqual([42]);
  });
});
