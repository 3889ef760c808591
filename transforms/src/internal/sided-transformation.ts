import { withRecord, type AnyRecord, type Schema, type Transformation } from '@sluice/core';

/** Which part of a record a `$Key` / `$Value` transform variant works on. */
export type RecordSide = 'key' | 'value';

/**
 * Base of the transforms that come in `$Key` and `$Value` variants: one class, told its side at
 * construction. Subclasses read the side's schema and value and return a record with the side
 * replaced; the other side, topic, partition, timestamp and headers are kept.
 */
export abstract class SidedTransformation implements Transformation {
  constructor(readonly side: RecordSide) {}

  abstract configure(config: Readonly<Record<string, string>>): void;
  abstract apply<R extends AnyRecord>(record: R): R | null;

  close(): void {
    // nothing to release by default
  }

  protected schemaOf(record: AnyRecord): Schema | null {
    return this.side === 'key' ? record.keySchema : record.valueSchema;
  }

  protected valueOf(record: AnyRecord): unknown {
    return (this.side === 'key' ? record.key : record.value) ?? null;
  }

  /** A copy of `record` with this side's schema and value replaced. */
  protected withSide<R extends AnyRecord>(record: R, schema: Schema | null, value: unknown): R {
    return this.side === 'key' ? withRecord(record, { keySchema: schema, key: value }) : withRecord(record, { valueSchema: schema, value });
  }
}
