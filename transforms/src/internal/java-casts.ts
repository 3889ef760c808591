import { DataError, Decimal, isDecimalValue, type DecimalValue } from '@sluice/core';

/** Integer widths a Cast can narrow to. */
export type IntWidth = 'int8' | 'int16' | 'int32' | 'int64';

const BITS: Readonly<Record<IntWidth, number>> = { int8: 8, int16: 16, int32: 32, int64: 64 };

/** An int64 as the data API holds it: `number` when safe, else `bigint`. */
export function narrowInt64(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function wrap(n: bigint, width: IntWidth): number | bigint {
  const wrapped = BigInt.asIntN(BITS[width], n);
  return width === 'int64' ? narrowInt64(wrapped) : Number(wrapped);
}

// Java's double → long/int narrowing: truncate toward zero, saturate, NaN → 0.
function saturate(x: number, bits: number): bigint {
  if (Number.isNaN(x)) return 0n;
  const max = 2n ** BigInt(bits - 1) - 1n;
  const min = -(2n ** BigInt(bits - 1));
  if (x === Infinity) return max;
  if (x === -Infinity) return min;
  const t = BigInt(Math.trunc(x));
  return t > max ? max : t < min ? min : t;
}

function decimalToBigInt(d: DecimalValue): bigint {
  return d.scale <= 0 ? d.unscaled * 10n ** BigInt(-d.scale) : d.unscaled / 10n ** BigInt(d.scale);
}

/**
 * Java's `Number.xxxValue()` for a Cast to an integer type: integers (and Decimals, truncated) wrap
 * to the width as two's complement; floating-point values truncate toward zero and saturate at int
 * (int8/int16/int32 then wrap, as Java's `byteValue()` on a Double does) or long. `fromFloat` says
 * the source is floating point (known from the schema, or from a non-integral number).
 */
export function numberToInt(value: number | bigint | DecimalValue, width: IntWidth, fromFloat: boolean): number | bigint {
  if (isDecimalValue(value)) return wrap(decimalToBigInt(value), width);
  if (typeof value === 'bigint') return wrap(value, width);
  if (fromFloat || !Number.isInteger(value)) return wrap(saturate(value, width === 'int64' ? 64 : 32), width);
  return wrap(BigInt(value), width);
}

/** `doubleValue()` of any Connect number. */
export function numberToFloat(value: number | bigint | DecimalValue): number {
  if (isDecimalValue(value)) return Number(Decimal.toString(value));
  return Number(value);
}

const INT_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;

/**
 * Java's `Byte/Short/Integer/Long.parseXxx`: optional sign and decimal digits, in range.
 * @throws DataError (without the text, which may be payload) when out of range or not a number.
 */
export function parseJavaInt(text: string, width: IntWidth): number | bigint {
  if (!INT_TEXT.test(text)) throw new DataError(`Cast: the string value is not a valid ${width}`);
  const n = BigInt(text);
  const bits = BigInt(BITS[width]);
  if (n < -(2n ** (bits - 1n)) || n >= 2n ** (bits - 1n)) throw new DataError(`Cast: the string value is out of range for ${width}`);
  return width === 'int64' ? narrowInt64(n) : Number(n);
}

/**
 * Java's `Float/Double.parseXxx` (decimal forms, `NaN`, `Infinity`, an `f`/`d` suffix; surrounding
 * whitespace ignored; hexadecimal floats are not supported). @throws DataError when not a number.
 */
export function parseJavaFloat(text: string): number {
  const t = text.trim();
  if (!FLOAT_TEXT.test(t)) throw new DataError('Cast: the string value is not a valid floating-point number');
  if (t.endsWith('NaN')) return NaN;
  if (t.endsWith('Infinity')) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t.replace(/[fFdD]$/, ''));
}
