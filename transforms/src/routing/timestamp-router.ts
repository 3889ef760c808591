import { DataError, withRecord, type AnyRecord, type Transformation } from '@sluice/core';
import { configError, defineConfigSchema, parseTransformConfig, stringProperty } from '../internal/config.js';
import { transformationPlugin } from '../internal/plugin-factory.js';
import { SimpleDateFormat, SimpleDateFormatError } from '../time/simple-date-format.js';

/** Settings of `TimestampRouter`. */
export const timestampRouterConfigSchema = defineConfigSchema({
  'topic.format': stringProperty('Format of the new topic name; ${topic} and ${timestamp} are replaced by the topic and the formatted timestamp.', {
    default: '${topic}-${timestamp}',
    'x-importance': 'HIGH',
  }),
  'timestamp.format': stringProperty('java.text.SimpleDateFormat pattern for the record timestamp (evaluated in UTC).', {
    default: 'yyyyMMdd',
    'x-importance': 'HIGH',
  }),
});

interface Config {
  'topic.format': string;
  'timestamp.format': string;
}

/**
 * Kafka Connect's `TimestampRouter`: renames the topic from `topic.format`, replacing every
 * `${topic}` with the record's topic and then every `${timestamp}` with its timestamp formatted in
 * UTC. Mostly useful in sink connectors (the topic often names the destination table or index). A
 * record without a timestamp is a DataError.
 */
export class TimestampRouter implements Transformation {
  #topicFormat = '${topic}-${timestamp}';
  #timestampFormat = new SimpleDateFormat('yyyyMMdd');

  /** @throws ConfigValidationError for an invalid `timestamp.format` pattern. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(timestampRouterConfigSchema, config);
    try {
      this.#timestampFormat = new SimpleDateFormat(c['timestamp.format']);
    } catch (err) {
      if (!(err instanceof SimpleDateFormatError)) throw err;
      throw configError('timestamp.format', c['timestamp.format'], err.message);
    }
    this.#topicFormat = c['topic.format'];
  }

  apply<R extends AnyRecord>(record: R): R | null {
    if (record.timestamp === null) throw new DataError(`Timestamp missing on a record of topic ${record.topic}: TimestampRouter needs one`);
    const stamp = this.#timestampFormat.format(record.timestamp);
    // Function replacers: a string replacement would interpret `$&`, `$1`… in the topic or timestamp.
    const topic = this.#topicFormat.replaceAll('${topic}', () => record.topic).replaceAll('${timestamp}', () => stamp);
    return withRecord(record, { topic });
  }

  close(): void {
    // nothing to release
  }
}

/** `org.apache.kafka.connect.transforms.TimestampRouter`. */
export const timestampRouterPlugin = transformationPlugin('TimestampRouter', timestampRouterConfigSchema, () => new TimestampRouter());
