import type { AnyRecord, Predicate } from '@sluice/core';
import { defineConfigSchema, parseTransformConfig, stringProperty } from '../internal/config.js';
import { predicatePlugin } from '../internal/plugin-factory.js';

/** Settings of `HasHeaderKey`. */
export const hasHeaderKeyConfigSchema = defineConfigSchema({ name: stringProperty('The header name.', { minLength: 1 }) }, ['name']);

/** Kafka Connect's `HasHeaderKey`: true when the record has at least one header with the configured name. */
export class HasHeaderKey implements Predicate {
  #name = '';

  /** @throws ConfigValidationError for a missing or empty name. */
  configure(config: Readonly<Record<string, string>>): void {
    this.#name = parseTransformConfig<{ name: string }>(hasHeaderKeyConfigSchema, config).name;
  }

  test(record: AnyRecord): boolean {
    return record.headers.some((h) => h.key === this.#name);
  }

  close(): void {
    // nothing to release
  }

  toString(): string {
    return `HasHeaderKey{name='${this.#name}'}`;
  }
}

/** `org.apache.kafka.connect.transforms.predicates.HasHeaderKey`. */
export const hasHeaderKeyPlugin = predicatePlugin('HasHeaderKey', hasHeaderKeyConfigSchema, () => new HasHeaderKey());
