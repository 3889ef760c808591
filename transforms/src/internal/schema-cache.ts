import { schemaEquals, type Schema } from '@sluice/core';

/**
 * A small LRU cache from an input schema to the schema a transform derives from it (Kafka Connect
 * keeps an LRU of 16 per transform). Lookups go by identity first, since converters hand out the same
 * schema object for every record of a kind; on a miss, cached entries are compared structurally so a
 * converter that builds equal schemas afresh still hits, and the new object is remembered as well.
 * Single-threaded, so no locking is needed.
 */
export class SchemaCache {
  readonly #entries = new Map<Schema, Schema>();

  constructor(readonly capacity = 16) {}

  get size(): number {
    return this.#entries.size;
  }

  get(schema: Schema): Schema | undefined {
    const hit = this.#entries.get(schema);
    if (hit !== undefined) {
      this.#touch(schema, hit);
      return hit;
    }
    for (const [key, derived] of this.#entries) {
      if (schemaEquals(key, schema)) {
        this.#touch(schema, derived);
        return derived;
      }
    }
    return undefined;
  }

  set(schema: Schema, derived: Schema): void {
    this.#touch(schema, derived);
  }

  /** The cached derivation of `schema`, computing and caching it on a miss. */
  getOrCompute(schema: Schema, derive: (schema: Schema) => Schema): Schema {
    const cached = this.get(schema);
    if (cached !== undefined) return cached;
    const derived = derive(schema);
    this.set(schema, derived);
    return derived;
  }

  clear(): void {
    this.#entries.clear();
  }

  #touch(schema: Schema, derived: Schema): void {
    this.#entries.delete(schema);
    this.#entries.set(schema, derived);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}
