import { DataError, isDecimalValue, isStruct, type DecimalValue } from '@sluice/core';

const MAX_DEPTH = 64;

/**
 * Renders a record value as one line of text (without the newline): strings as-is, bytes as UTF-8,
 * everything else as compact JSON. Returns null for a null or undefined value (a tombstone carries
 * no line). Line breaks inside a string value are written as they are, as Kafka Connect does.
 *
 * JSON rendering: structs become objects in schema field order, maps become objects (non-string keys
 * rendered as their JSON text), nested bytes become base64 (as Kafka Connect's JsonConverter does),
 * bigints and decimals (`{unscaled, scale}`) become exact JSON numbers, dates become ISO-8601 strings.
 * Throws DataError for values nested deeper than 64 levels (almost certainly a cycle).
 */
export function renderValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  return toJson(value, 0);
}

function toJson(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new DataError(`value nested deeper than ${MAX_DEPTH} levels cannot be rendered`);
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      // functions and symbols have no data representation
      return 'null';
  }
  if (value instanceof Uint8Array)
    return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  if (value instanceof Date) return JSON.stringify(Number.isNaN(value.getTime()) ? null : value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v, depth + 1)).join(',')}]`;
  if (value instanceof Map) {
    const entries = [...value.entries()].map(
      ([k, v]) => `${JSON.stringify(typeof k === 'string' ? k : toJson(k, depth + 1))}:${toJson(v, depth + 1)}`,
    );
    return `{${entries.join(',')}}`;
  }
  if (isDecimalValue(value)) return decimalLiteral(value);
  const entries: [string, unknown][] = isStruct(value)
    ? value.schema.fields.map((f) => [f.name, value.get(f.name)])
    : Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v, depth + 1)}`).join(',')}}`;
}

/** A Connect Decimal as an exact JSON number literal (no float rounding). */
function decimalLiteral({ unscaled, scale }: DecimalValue): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  let text: string;
  if (scale <= 0) text = digits + '0'.repeat(-scale);
  else {
    const padded = digits.padStart(scale + 1, '0');
    text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  }
  return negative ? `-${text}` : text;
}
