import { withRecord, type AnyRecord, type Transformation } from '@sluice/core';
import { defineConfigSchema, listProperty, parseTransformConfig } from '../internal/config.js';
import { transformationPlugin } from '../internal/plugin-factory.js';

/** Settings of `DropHeaders`. */
export const dropHeadersConfigSchema = defineConfigSchema({ headers: listProperty('The names of the headers to remove.', { minItems: 1 }) }, ['headers']);

/** Kafka Connect's `DropHeaders`: removes every header whose name is listed (all values of it). */
export class DropHeaders implements Transformation {
  #names: ReadonlySet<string> = new Set();

  configure(config: Readonly<Record<string, string>>): void {
    this.#names = new Set(parseTransformConfig<{ headers: string[] }>(dropHeadersConfigSchema, config).headers);
  }

  apply<R extends AnyRecord>(record: R): R | null {
    if (!record.headers.some((h) => this.#names.has(h.key))) return record;
    return withRecord(record, { headers: record.headers.filter((h) => !this.#names.has(h.key)) });
  }

  close(): void {
    // nothing to release
  }
}

/** `org.apache.kafka.connect.transforms.DropHeaders`. */
export const dropHeadersPlugin = transformationPlugin('DropHeaders', dropHeadersConfigSchema, () => new DropHeaders());
