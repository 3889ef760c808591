import { IllegalStateError, RetriableError } from '@sluice/core';
import type { TopicPartitionOffset } from '../../log/log.js';
import { kafkaErrorType } from './kafka-errors.js';
import { Decoder, Encoder, protocolError } from './kafkajs-internals.js';
import type { InternalBroker, ProtocolDecoder, ProtocolRequest } from './kafkajs-internals.js';
import type { TopicMetadata } from './topic-metadata.js';

const OFFSET_DELETE_API_KEY = 47;
const GROUP_ID_NOT_FOUND = 69;
/** The coordinator's partitions live in this topic; Metadata for it locates the coordinator broker. */
const OFFSETS_TOPIC = '__consumer_offsets';
const MEMBER_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS']);

/**
 * Committed offsets of consumer groups, read and written at the group coordinator directly (the
 * "simple" commits Kafka's Admin client makes: generation -1, no member id). Such commits and
 * deletions are accepted only while the group has no active members; members commit through
 * their own consumer.
 */
export class GroupOffsets {
  constructor(private readonly metadata: TopicMetadata) {}

  /** Next-offsets-to-read the group has committed (partitions without a commit are left out). */
  async fetch(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]> {
    return this.withCoordinator(groupId, 'Fetching offsets', async (coordinator) => {
      // OffsetFetch v2+: no topics means every topic the group has offsets for.
      const { responses } = await coordinator.offsetFetch({ groupId, topics: [] });
      const wanted = topics ? new Set(topics) : null;
      const out: TopicPartitionOffset[] = [];
      for (const response of responses) {
        if (wanted && !wanted.has(response.topic)) continue;
        for (const p of response.partitions) {
          const offset = Number(p.offset);
          if (offset >= 0) out.push({ topic: response.topic, partition: p.partition, offset });
        }
      }
      return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    });
  }

  /** Commits offsets for a group without active members. */
  async commit(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) {
      if (!Number.isInteger(o.offset) || o.offset < 0) {
        throw new IllegalStateError(`Cannot commit offset ${o.offset} for ${o.topic}-${o.partition}`, { context: { ...o, groupId } });
      }
      byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: String(o.offset) }]);
    }
    await this.withCoordinator(groupId, 'Committing offsets', async (coordinator) => {
      try {
        await coordinator.offsetCommit({
          groupId,
          groupGenerationId: -1,
          memberId: '',
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        });
      } catch (err) {
        const type = kafkaErrorType(err);
        if (type !== undefined && MEMBER_ERRORS.has(type)) throw this.activeGroup(groupId, err);
        throw err;
      }
    });
  }

  /**
   * Deletes committed offsets: all of them (DeleteGroups, which removes the group) or those of the
   * given partitions (OffsetDelete). A group that does not exist has nothing to delete.
   */
  async delete(groupId: string, partitions?: readonly { topic: string; partition: number }[]): Promise<void> {
    await this.withCoordinator(groupId, 'Deleting offsets', async (coordinator) => {
      if (partitions === undefined) {
        const { results } = await coordinator.deleteGroups([groupId]);
        const result = results.find((r) => r.groupId === groupId);
        if (!result || result.errorCode === 0 || result.errorCode === GROUP_ID_NOT_FOUND) return;
        const error = result.error ?? protocolError(result.errorCode);
        if (kafkaErrorType(error) === 'NON_EMPTY_GROUP') throw this.activeGroup(groupId, error);
        throw error;
      }
      if (partitions.length === 0) return;
      const errorCode = await this.offsetDelete(coordinator, groupId, partitions);
      if (errorCode !== 0 && errorCode !== GROUP_ID_NOT_FOUND) {
        const error = protocolError(errorCode);
        if (kafkaErrorType(error) === 'GROUP_SUBSCRIBED_TO_TOPIC') throw this.activeGroup(groupId, error);
        throw error;
      }
    });
  }

  private activeGroup(groupId: string, cause: unknown): IllegalStateError {
    return new IllegalStateError(
      `Consumer group ${groupId} has active members; its offsets can be changed only by its members or once it is empty`,
      { cause, context: { groupId } },
    );
  }

  /** OffsetDelete (KIP-496, Kafka 2.4+), which kafkajs does not implement; returns the first error code. */
  private async offsetDelete(
    coordinator: InternalBroker,
    groupId: string,
    partitions: readonly { topic: string; partition: number }[],
  ): Promise<number> {
    if (!coordinator.versions?.[OFFSET_DELETE_API_KEY]) {
      throw new IllegalStateError('This Kafka cluster does not support deleting offsets of single partitions (OffsetDelete, Kafka 2.4+)');
    }
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    type Decoded = { errorCode: number; topics: { name: string; partitions: { partition: number; errorCode: number }[] }[] };
    const protocol: ProtocolRequest = {
      request: {
        apiKey: OFFSET_DELETE_API_KEY,
        apiVersion: 0,
        apiName: 'OffsetDelete',
        encode: async () =>
          new Encoder()
            .writeString(groupId)
            .writeArray([...byTopic].map(([topic, ps]) => new Encoder().writeString(topic).writeArray(ps))),
      },
      response: {
        decode: async (raw: Buffer): Promise<Decoded> => {
          const decoder = new Decoder(raw);
          const errorCode = decoder.readInt16();
          decoder.readInt32(); // throttle_time_ms
          const topics = decoder.readArray((t: ProtocolDecoder) => ({
            name: t.readString(),
            partitions: t.readArray((p: ProtocolDecoder) => ({ partition: p.readInt32(), errorCode: p.readInt16() })),
          }));
          return { errorCode, topics };
        },
        parse: async (decoded: unknown) => decoded,
      },
    };
    const result = (await coordinator.connectionPool.send(protocol)) as Decoded;
    if (result.errorCode !== 0) return result.errorCode;
    for (const t of result.topics) for (const p of t.partitions) if (p.errorCode !== 0) return p.errorCode;
    return 0;
  }

  private async withCoordinator<T>(groupId: string, action: string, fn: (coordinator: InternalBroker) => Promise<T>): Promise<T> {
    // Generous attempts: the first group operation on a fresh cluster creates __consumer_offsets.
    return this.metadata.retrying(`${action} of group ${groupId}`, { groupId }, async () => {
      const any = await this.metadata.anyBroker();
      const { coordinator } = await any.findGroupCoordinator({ groupId, coordinatorType: 0 });
      if (coordinator.nodeId < 0) throw new RetriableError(`No coordinator for group ${groupId} yet`);
      return fn(await this.metadata.broker(coordinator.nodeId, OFFSETS_TOPIC));
    }, 20);
  }
}
