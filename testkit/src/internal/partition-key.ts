import type { SourcePartition } from '@sluice/core';

/**
 * Canonical string for a source partition map, independent of key order, so two maps that Kafka
 * Connect would treat as the same offsets-topic key also collide here.
 */
export function partitionKey(partition: SourcePartition): string {
  const keys = Object.keys(partition).sort();
  return JSON.stringify(keys.map((k) => [k, partition[k]]));
}
