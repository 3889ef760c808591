import type { AnyRecord, Predicate } from '@sluice/core';
import { defineConfigSchema } from '../internal/config.js';
import { predicatePlugin } from '../internal/plugin-factory.js';

/** `RecordIsTombstone` has no settings. */
export const recordIsTombstoneConfigSchema = defineConfigSchema({});

/** Kafka Connect's `RecordIsTombstone`: true when the record's value is null (a delete marker). */
export class RecordIsTombstone implements Predicate {
  configure(_config: Readonly<Record<string, string>>): void {
    // no settings
  }

  test(record: AnyRecord): boolean {
    return record.value === null || record.value === undefined;
  }

  close(): void {
    // nothing to release
  }

  toString(): string {
    return 'RecordIsTombstone{}';
  }
}

/** `org.apache.kafka.connect.transforms.predicates.RecordIsTombstone`. */
export const recordIsTombstonePlugin = predicatePlugin('RecordIsTombstone', recordIsTombstoneConfigSchema, () => new RecordIsTombstone());
