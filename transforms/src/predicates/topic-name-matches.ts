import type { AnyRecord, Predicate } from '@sluice/core';
import { defineConfigSchema, parseTransformConfig, stringProperty } from '../internal/config.js';
import { predicatePlugin } from '../internal/plugin-factory.js';
import type { JavaRegex } from '../regex/java-regex.js';
import { compileRegexConfig } from '../internal/regex-config.js';

/** Settings of `TopicNameMatches`. */
export const topicNameMatchesConfigSchema = defineConfigSchema(
  { pattern: stringProperty('A Java regular expression matched against the whole topic name.', { minLength: 1 }) },
  ['pattern'],
);

/** Kafka Connect's `TopicNameMatches`: true when the whole topic name matches `pattern` (Java regex syntax). */
export class TopicNameMatches implements Predicate {
  #regex: JavaRegex | undefined;

  /** @throws ConfigValidationError for a missing, empty or invalid pattern. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<{ pattern: string }>(topicNameMatchesConfigSchema, config);
    this.#regex = compileRegexConfig('pattern', c.pattern);
  }

  test(record: AnyRecord): boolean {
    return this.#regex !== undefined && typeof record.topic === 'string' && this.#regex.matchWhole(record.topic) !== null;
  }

  close(): void {
    // nothing to release
  }

  toString(): string {
    return `TopicNameMatches{pattern=${this.#regex?.pattern ?? ''}}`;
  }
}

/** `org.apache.kafka.connect.transforms.predicates.TopicNameMatches`. */
export const topicNameMatchesPlugin = predicatePlugin('TopicNameMatches', topicNameMatchesConfigSchema, () => new TopicNameMatches());
