/**
 * Java's `Double.toString` / `Float.toString` (JDK 19+ specification, which Jackson uses for JSON
 * output), so our JSON is byte-identical to Kafka Connect's:
 * - the shortest decimal that rounds to the value, except that when one digit suffices the closest
 *   one- or two-digit decimal is chosen (so `Double.MIN_VALUE` is `4.9E-324`, not `5E-324`);
 * - plain notation with at least one fractional digit for 10^-3 ≤ |v| < 10^7 (`1.0`, `0.001`);
 * - otherwise computerized scientific notation `d.dddE±n` (`1.0E10`, `1.0E-4`);
 * - `NaN`, `Infinity`, `-Infinity`, `-0.0`.
 *
 * JDK 18 and older (JDK-4511638) occasionally printed a longer form than necessary (e.g. `0.0020`
 * for 0.002); Kafka Connect on those JVMs may differ from us on such values. We follow JDK 19+.
 */
export function javaDoubleToString(v: number): string {
  const special = nonFinite(v);
  if (special !== undefined) return special;
  const abs = Math.abs(v);
  let sci = abs.toExponential(); // shortest round-trip digits
  if (mantissaDigits(sci).length === 1) {
    const two = abs.toExponential(1);
    if (two[2] !== '0' && Number(two) === abs) sci = two;
  }
  return format(v < 0, sci);
}

/** Java's `Float.toString` for a float32 value (the argument is rounded to float32 first). */
export function javaFloatToString(value: number): string {
  const v = Math.fround(value);
  const special = nonFinite(v);
  if (special !== undefined) return special;
  const abs = Math.abs(v);
  let sci = '';
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = abs.toExponential(digits - 1);
    if (Math.fround(Number(candidate)) === abs) {
      sci = candidate;
      break;
    }
  }
  if (mantissaDigits(sci).length === 1) {
    const two = abs.toExponential(1);
    if (two[2] !== '0' && Math.fround(Number(two)) === abs) sci = two;
  }
  return format(v < 0, sci);
}

function nonFinite(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  return undefined;
}

function mantissaDigits(sci: string): string {
  const e = sci.indexOf('e');
  return sci.slice(0, e).replace('.', '').replace(/0+$/, '') || '0';
}

// `sci` is JS exponential notation of |v|, e.g. "1.2345e+21".
function format(negative: boolean, sci: string): string {
  const e = sci.indexOf('e');
  const digits = mantissaDigits(sci);
  const exp = Number(sci.slice(e + 1));
  let out: string;
  if (exp >= -3 && exp < 7) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      out = `${intPart}.${frac === '' ? '0' : frac}`;
    } else {
      out = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
  } else {
    out = `${digits[0]}.${digits.length > 1 ? digits.slice(1) : '0'}E${exp}`;
  }
  return negative ? `-${out}` : out;
}
