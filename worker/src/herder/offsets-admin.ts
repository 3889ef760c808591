import type { ConnectorOffset, ConnectorType } from '@sluice/api';
import type { SourceOffset, SourcePartition } from '@sluice/core';
import { DataError } from '@sluice/core';
import type { HerderStores } from './herder-base.js';

const isPrimitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

function toInt(value: unknown, what: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new DataError(`Failed to parse the following Kafka ${what}: ${JSON.stringify(value)}; it must be a non-negative integer`);
  }
  return n;
}

/**
 * Alters (or, with `reset`, deletes) a STOPPED connector's offsets (KIP-875): source offsets in the
 * offsets topic, sink offsets as the consumer group's committed offsets; then lets the connector know.
 */
export async function alterOffsets(
  stores: HerderStores,
  name: string,
  config: Record<string, string>,
  type: ConnectorType,
  offsets: readonly ConnectorOffset[] | null,
  reset: boolean,
): Promise<{ message: string }> {
  const verb = reset ? 'reset' : 'altered';
  const plugin = stores.registry.find(config['connector.class'] ?? '', 'source', 'sink');
  let handled = false;
  if (type === 'sink') {
    const group = config['consumer.override.group.id'] ?? `connect-${name}`;
    if (reset) {
      await stores.log.deleteGroupOffsets(group);
    } else {
      const commits: { topic: string; partition: number; offset: number }[] = [];
      const deletes: { topic: string; partition: number }[] = [];
      for (const entry of offsets ?? []) {
        const p = entry.partition as Record<string, unknown>;
        if (typeof p['kafka_topic'] !== 'string' || p['kafka_partition'] === undefined) {
          throw new DataError('Sink connector offset partitions must have a "kafka_topic" string and a "kafka_partition" integer');
        }
        const tp = { topic: p['kafka_topic'], partition: toInt(p['kafka_partition'], 'partition') };
        if (entry.offset === null) deletes.push(tp);
        else commits.push({ ...tp, offset: toInt((entry.offset as Record<string, unknown>)['kafka_offset'], 'offset') });
      }
      if (commits.length > 0) await stores.log.commitGroupOffsets(group, commits);
      if (deletes.length > 0) await stores.log.deleteGroupOffsets(group, deletes);
    }
    const connector = plugin?.create();
    if (connector?.type === 'sink' && connector.alterOffsets) {
      const map = new Map<{ topic: string; partition: number }, number | null>();
      handled = await connector.alterOffsets(config, map);
    }
  } else {
    const entries: { partition: SourcePartition; offset: SourceOffset | null }[] = [];
    const store = await stores.offsetStore.forConnector(config);
    await store.readToEnd();
    if (reset) {
      for (const e of store.all(name)) entries.push({ partition: e.partition, offset: null });
    } else {
      for (const entry of offsets ?? []) {
        if (!entry.partition || typeof entry.partition !== 'object' || Array.isArray(entry.partition)) {
          throw new DataError('Each offset entry needs a "partition" object');
        }
        for (const [k, v] of Object.entries(entry.partition)) {
          if (!isPrimitive(v)) throw new DataError(`Partition key ${k} has a non-primitive value; only strings, numbers, booleans and null are allowed`);
        }
        if (entry.offset !== null) {
          if (typeof entry.offset !== 'object' || Array.isArray(entry.offset)) throw new DataError('Each "offset" must be an object or null');
          for (const [k, v] of Object.entries(entry.offset)) {
            if (!isPrimitive(v)) throw new DataError(`Offset key ${k} has a non-primitive value; only strings, numbers, booleans and null are allowed`);
          }
        }
        entries.push({ partition: entry.partition as SourcePartition, offset: entry.offset as SourceOffset | null });
      }
    }
    await store.set(name, entries);
    const connector = plugin?.create();
    if (connector?.type === 'source' && connector.alterOffsets) {
      handled = await connector.alterOffsets(config, new Map(entries.map((e) => [e.partition, e.offset])));
    }
  }
  if (handled) return { message: `The offsets for this connector have been ${verb} successfully` };
  return {
    message:
      `The Connect framework-managed offsets for this connector have been ${verb} successfully. However, if this connector ` +
      `manages offsets externally, they will need to be manually ${verb} in the system that the connector uses.`,
  };
}
