import { DataError } from '../errors/connect-error.js';
import { Decimal, type DecimalValue } from '../data/logical.js';
import { type JsonNode, nodeTypeName } from './json-text.js';

// Scalar pieces of the JSON mapping: integers checked against their Connect type's range, floats,
// base64 bytes, NUMERIC decimals and schemaless values. Messages name types and paths, never values.

const INT_BOUNDS: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** A DataError whose message ends with the field path, when there is one. */
export function at(path: string, message: string): DataError {
  return new DataError(path === '' ? message : `${message} (at "${path}")`);
}

// Jackson writes NaN and the infinities as strings (WRITE_NAN_AS_STRINGS is on by default).
export function numberText(javaText: string): string {
  return javaText === 'NaN' || javaText.endsWith('Infinity') ? `"${javaText}"` : javaText;
}

export function integerText(type: string, value: unknown, path: string): string | undefined {
  let big: bigint;
  if (typeof value === 'bigint') {
    if (type !== 'int64') return undefined;
    big = value;
  } else if (typeof value === 'number' && Number.isInteger(value)) {
    if (Number.isSafeInteger(value)) {
      checkRange(type, BigInt(value), path);
      return String(value);
    }
    big = BigInt(value);
  } else return undefined;
  checkRange(type, big, path);
  return big.toString();
}

function checkRange(type: string, v: bigint, path: string): void {
  const [min, max] = INT_BOUNDS[type] ?? [0n, 0n];
  if (v < min || v > max) throw at(path, `Value out of range for ${type.toUpperCase()}`);
}

export function integerFromNode(type: string, node: JsonNode, path: string, logical?: string): bigint {
  const what = logical ?? type.toUpperCase();
  if (node.kind !== 'number')
    throw at(
      path,
      `Invalid type for ${what}, underlying representation should be integral but was ${nodeTypeName(node)}`,
    );
  let v: bigint;
  if (node.integral) v = BigInt(node.text);
  else {
    // Accept 1.0 / 1e3 (other JSON writers emit them) but never silently truncate a fraction.
    const n = Number(node.text);
    if (!Number.isSafeInteger(n)) throw at(path, `Invalid value for ${what}: expected an integer`);
    v = BigInt(n);
  }
  checkRange(type, v, path);
  return v;
}

export function narrowInt64(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export function floatFromNode(node: JsonNode, path: string): number {
  if (node.kind === 'number') return Number(node.text);
  if (node.kind === 'string' && (node.value === 'NaN' || node.value === 'Infinity' || node.value === '-Infinity'))
    return Number(node.value);
  throw at(path, `Invalid type for floating point number: ${nodeTypeName(node)}`);
}

export function bytesFromBase64(text: string, path: string): Uint8Array {
  if (!BASE64_RE.test(text)) throw at(path, 'Invalid bytes field: not valid base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

// A NUMERIC decimal keeps the schema's scale when that loses nothing (Kafka keeps the written scale,
// which then fails when re-serialised as BASE64).
export function decimalFromNumber(text: string, scale: number): DecimalValue {
  const parsed = Decimal.fromString(text);
  try {
    return Decimal.rescale(parsed, scale);
  } catch {
    return parsed;
  }
}

export function schemalessFromJson(node: JsonNode, path: string): unknown {
  switch (node.kind) {
    case 'null':
      return null;
    case 'boolean':
    case 'string':
      return node.value;
    case 'number':
      // Integers beyond int64 stay exact as bigint (Kafka would wrap them silently).
      return node.integral ? narrowInt64(BigInt(node.text)) : Number(node.text);
    case 'array':
      return node.items.map((item, i) => schemalessFromJson(item, `${path}[${i}]`));
    case 'object': {
      const m = new Map<string, unknown>();
      for (const [k, v] of node.entries) m.set(k, schemalessFromJson(v, path));
      return m;
    }
  }
}
