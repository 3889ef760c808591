import type { OffsetStorageReader, SourceOffset, SourcePartition } from '@sluice/core';
import { partitionKey } from '../internal/partition-key.js';

/** A committed source offset together with the partition it belongs to. */
export interface PartitionOffset {
  readonly partition: SourcePartition;
  readonly offset: SourceOffset;
}

/**
 * An `OffsetStorageReader` over a fixed snapshot of committed offsets, as the runtime's reader sees
 * the offsets store when a task starts. Partitions match by content, not identity or key order.
 * The snapshot is copied: later changes to the caller's array do not show through.
 */
export class InMemoryOffsetStorageReader implements OffsetStorageReader {
  private readonly byKey = new Map<string, SourceOffset>();

  constructor(committed: Iterable<PartitionOffset> = []) {
    for (const { partition, offset } of committed) this.byKey.set(partitionKey(partition), offset);
  }

  async offset(partition: SourcePartition): Promise<SourceOffset | null> {
    return this.byKey.get(partitionKey(partition)) ?? null;
  }

  async offsets(partitions: readonly SourcePartition[]): Promise<Map<SourcePartition, SourceOffset | null>> {
    const result = new Map<SourcePartition, SourceOffset | null>();
    for (const p of partitions) result.set(p, this.byKey.get(partitionKey(p)) ?? null);
    return result;
  }
}
