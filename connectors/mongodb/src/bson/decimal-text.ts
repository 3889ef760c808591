import type { DecimalValue } from '@sluice/core';

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses decimal text as Decimal128 prints it (`123.45`, `-1.5E+3`, `0E-6176`) into an exact
 * unscaled value and scale. Returns null for NaN, Infinity or anything that is not a finite decimal.
 */
export function parseDecimalText(text: string): DecimalValue | null {
  const m = DECIMAL_RE.exec(text.trim());
  if (m === null) return null;
  const [, sign = '', intPart = '', fracPart = '', exp = '0'] = m;
  if (intPart === '' && fracPart === '') return null;
  const digits = `${intPart}${fracPart}`.replace(/^0+(?=\d)/, '');
  const scale = fracPart.length - Number(exp);
  const unscaled = BigInt(digits === '' ? '0' : digits);
  return { unscaled: sign === '-' ? -unscaled : unscaled, scale };
}

/** Renders a decimal value as plain decimal text (no exponent), e.g. `{12345n, 2}` → `123.45`. */
export function formatDecimalText(value: DecimalValue): string {
  const negative = value.unscaled < 0n;
  let digits = (negative ? -value.unscaled : value.unscaled).toString();
  let text: string;
  if (value.scale <= 0) {
    text = digits + '0'.repeat(-value.scale);
  } else {
    if (digits.length <= value.scale) digits = '0'.repeat(value.scale - digits.length + 1) + digits;
    text = `${digits.slice(0, digits.length - value.scale)}.${digits.slice(digits.length - value.scale)}`;
  }
  return negative ? `-${text}` : text;
}
