import type { AnyRecord, Transformation } from '@sluice/core';
import { defineConfigSchema } from '../internal/config.js';
import { transformationPlugin } from '../internal/plugin-factory.js';

/** `Filter` has no settings. */
export const filterConfigSchema = defineConfigSchema({});

/**
 * Kafka Connect's `Filter`: drops every record it sees (returns null), ending the chain for it. Meant
 * to be gated by a predicate (`transforms.x.predicate`, optionally `negate`) so that only matching —
 * or only non-matching — records are dropped.
 */
export class Filter implements Transformation {
  configure(_config: Readonly<Record<string, string>>): void {
    // no settings
  }

  apply<R extends AnyRecord>(_record: R): R | null {
    return null;
  }

  close(): void {
    // nothing to release
  }
}

/** `org.apache.kafka.connect.transforms.Filter`. */
export const filterPlugin = transformationPlugin('Filter', filterConfigSchema, () => new Filter());
