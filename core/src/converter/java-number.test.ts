import { describe, expect, it } from 'vitest';
import { javaDoubleToString, javaFloatToString } from './java-number.js';

describe('javaDoubleToString', () => {
  // Expected strings are what Java 19+ Double.toString prints.
  it.each([
    [1, '1.0'],
    [100, '100.0'],
    [-2.5, '-2.5'],
    [0.1, '0.1'],
    [12.34, '12.34'],
    [0.30000000000000004, '0.30000000000000004'],
    [0.001, '0.001'],
    [0.002, '0.002'],
    [0.0001, '1.0E-4'],
    [9999999, '9999999.0'],
    [1e7, '1.0E7'],
    [1e10, '1.0E10'],
    [123456789, '1.23456789E8'],
    [1e21, '1.0E21'],
    [2 ** 53, '9.007199254740992E15'],
    [1.5e-323, '1.5E-323'],
    [Number.MIN_VALUE, '4.9E-324'],
    [Number.MAX_VALUE, '1.7976931348623157E308'],
    [0, '0.0'],
    [-0, '-0.0'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('renders %d as %s', (value, expected) => {
    expect(javaDoubleToString(value)).toBe(expected);
  });
});

describe('javaFloatToString', () => {
  // Expected strings are what Java 19+ Float.toString prints.
  it.each([
    [1, '1.0'],
    [12.34, '12.34'],
    [0.1, '0.1'],
    [0.3, '0.3'],
    [1 / 3, '0.33333334'],
    [3.14159, '3.14159'],
    [1e10, '1.0E10'],
    [16777216, '1.6777216E7'],
    [1.4e-45, '1.4E-45'],
    [3.4028235e38, '3.4028235E38'],
    [-0.5, '-0.5'],
  ])('renders %d as %s', (value, expected) => {
    expect(javaFloatToString(value)).toBe(expected);
  });
});
