import { withRecord, type AnyRecord, type Transformation } from '@sluice/core';
import { configError, defineConfigSchema, parseTransformConfig, stringProperty } from '../internal/config.js';
import { transformationPlugin } from '../internal/plugin-factory.js';
import { compileRegexConfig } from '../internal/regex-config.js';
import { JavaRegexSyntaxError, type JavaRegex } from '../regex/java-regex.js';
import { JavaReplacement } from '../regex/java-replacement.js';

/** Settings of `RegexRouter`. */
export const regexRouterConfigSchema = defineConfigSchema(
  {
    regex: stringProperty('Java regular expression matched against the whole topic name.', { 'x-importance': 'HIGH' }),
    replacement: stringProperty('Replacement for a matching topic, in Java syntax: $1 / ${name} refer to groups, \\$ is a literal dollar.', {
      'x-importance': 'HIGH',
    }),
  },
  ['regex', 'replacement'],
);

/**
 * Kafka Connect's `RegexRouter`: when the whole topic matches `regex`, the topic becomes `replacement`
 * with group references expanded (Java's `Matcher.replaceFirst` on a full match); other records pass
 * unchanged. The regex and replacement are Java syntax, translated once at configure time (see
 * `compileJavaRegex` for what differs).
 */
export class RegexRouter implements Transformation {
  #regex: JavaRegex | undefined;
  #replacement: JavaReplacement | undefined;

  /** @throws ConfigValidationError for an invalid regex or a replacement referring to a missing group. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<{ regex: string; replacement: string }>(regexRouterConfigSchema, config);
    const regex = compileRegexConfig('regex', c.regex);
    try {
      this.#replacement = new JavaReplacement(c.replacement, regex);
    } catch (err) {
      if (err instanceof JavaRegexSyntaxError) throw configError('replacement', c.replacement, err.message);
      throw err;
    }
    this.#regex = regex;
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const match = this.#regex?.matchWhole(record.topic);
    if (match === null || match === undefined || this.#replacement === undefined) return record;
    return withRecord(record, { topic: this.#replacement.expand(match) });
  }

  close(): void {
    // nothing to release
  }
}

/** `org.apache.kafka.connect.transforms.RegexRouter`. */
export const regexRouterPlugin = transformationPlugin('RegexRouter', regexRouterConfigSchema, () => new RegexRouter());
