import type { Field, Schema, Struct } from '@sluice/core';
import { mapGet, type MapValue } from '../internal/map-value.js';
import { requireMapOrNull, requireStructOrNull } from '../internal/requirements.js';

/**
 * How field names in a transform's config are read (KIP-821, `field.syntax.version`):
 * - `V1`: the name is one top-level field, dots and all (the behaviour before KIP-821).
 * - `V2`: dots separate nested steps; a step wrapped in backticks may contain dots, and a backtick
 *   directly before a dot can be escaped with a backslash (``foo.`bar.baz` `` → `foo`, `bar.baz`).
 */
export type FieldSyntaxVersion = 'V1' | 'V2';

/** The syntax versions, for config enums. */
export const FIELD_SYNTAX_VERSIONS: readonly FieldSyntaxVersion[] = Object.freeze(['V1', 'V2']);

/** Thrown for a V2 path with an unmatched backtick; the transform turns it into a config error. */
export class FieldPathSyntaxError extends Error {
  override name = 'FieldPathSyntaxError';
}

const BACKTICK = '`';
const DOT = '.';
const BACKSLASH = '\\';

function incompleteBacktick(path: string, at: number): never {
  throw new FieldPathSyntaxError(
    `Incomplete backtick pair in path [${path}]: escape the backtick at position ${at} with a backslash or close it`,
  );
}

// Splits a V2 path into steps, following the rules of Kafka Connect's SingleFieldPath so the same
// config string selects the same field in both.
function parseV2(path: string): string[] {
  const steps: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] !== BACKTICK) {
      const dot = path.indexOf(DOT, i);
      if (dot < 0) {
        steps.push(path.slice(i));
        i = path.length;
      } else {
        steps.push(path.slice(i, dot));
        i = dot + 1;
      }
      continue;
    }
    const openedAt = i;
    let start = i + 1;
    let search = start;
    let step = '';
    for (;;) {
      const close = path.indexOf(BACKTICK, search);
      if (close < 0) incompleteBacktick(path, openedAt);
      const escaped = path[close - 1] === BACKSLASH;
      if (close === path.length - 1) {
        if (escaped) incompleteBacktick(path, openedAt);
        steps.push(step + path.slice(start, close));
        i = path.length;
        break;
      }
      if (path[close + 1] !== DOT) {
        // A backtick inside a step: part of the name; keep looking for one followed by a dot.
        search = close + 1;
        continue;
      }
      if (escaped) {
        step += path.slice(start, close - 1) + BACKTICK;
        start = close + 1;
        search = start;
        continue;
      }
      steps.push(step + path.slice(start, close));
      i = close + 2;
      break;
    }
  }
  if (path.endsWith(DOT)) steps.push('');
  return steps;
}

/**
 * A path to one field of a Struct or schemaless map (Kafka Connect's `SingleFieldPath`). Immutable.
 * Lookups return null/undefined for a missing field rather than throwing, except where an
 * intermediate step holds something that is not a Struct/map.
 */
export class SingleFieldPath {
  readonly steps: readonly string[];

  /** @throws FieldPathSyntaxError for a malformed V2 path (unclosed backtick, or an empty path). */
  constructor(
    readonly text: string,
    readonly version: FieldSyntaxVersion,
  ) {
    const steps = version === 'V1' ? [text] : parseV2(text);
    if (steps.length === 0) throw new FieldPathSyntaxError('A field path must name at least one field');
    this.steps = Object.freeze(steps);
  }

  get #last(): string {
    return this.steps[this.steps.length - 1] as string;
  }

  /** The field at this path in a struct schema, or undefined when any step is missing. */
  fieldFrom(schema: Schema | null): Field | undefined {
    if (schema === null) return undefined;
    let current: Schema = schema;
    for (let i = 0; i < this.steps.length - 1; i++) {
      const field = current.field(this.steps[i] as string);
      if (field === undefined) return undefined;
      current = field.schema;
    }
    return current.field(this.#last);
  }

  /**
   * The value at this path in a struct; null when a step is missing or an intermediate struct is
   * null. `withDefault` applies schema defaults to the last step (intermediate steps always do).
   * @throws DataError when an intermediate step holds a non-struct.
   */
  valueFromStruct(struct: Struct | null, withDefault = true): unknown {
    let current: Struct | null = struct;
    for (let i = 0; i < this.steps.length - 1 && current !== null; i++) {
      const step = this.steps[i] as string;
      if (current.schema.field(step) === undefined) return null;
      current = requireStructOrNull(current.get(step), 'nested field access');
    }
    if (current === null || current.schema.field(this.#last) === undefined) return null;
    return withDefault ? current.get(this.#last) : current.getWithoutDefault(this.#last);
  }

  /**
   * The value at this path in a schemaless map; null when absent.
   * @throws DataError when an intermediate step holds something other than a map.
   */
  valueFromMap(map: MapValue | null): unknown {
    let current: MapValue | null = map;
    for (let i = 0; i < this.steps.length - 1 && current !== null; i++) {
      current = requireMapOrNull(mapGet(current, this.steps[i] as string), 'nested field access');
    }
    return current === null ? null : mapGet(current, this.#last);
  }

  toString(): string {
    return this.text;
  }
}
