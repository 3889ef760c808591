import type { AnyRecord } from '../record/record.js';

/**
 * A single message transform (SMT). `apply` returns a new record (records are immutable) or null to
 * drop it. Throwing a DataError routes the record through the connector's error policy.
 */
export interface Transformation {
  configure(config: Readonly<Record<string, string>>): void;
  apply<R extends AnyRecord>(record: R): R | null;
  close?(): void;
}

/** Gates a transform: the transform runs when `test(record) !== negate`. */
export interface Predicate {
  configure(config: Readonly<Record<string, string>>): void;
  test(record: AnyRecord): boolean;
  close?(): void;
}
