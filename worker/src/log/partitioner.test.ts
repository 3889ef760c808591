import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { RoundRobinCounter, defaultPartition, murmur2, toPositive } from './partitioner.js';

const require = createRequire(import.meta.url);
// kafkajs's Java-compatible partitioner hash, used only as an independent oracle.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('murmur2', () => {
  // Published values from Apache Kafka's UtilsTest#testMurmur2 and from ports checked against Utils.murmur2.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['1', -1993445489],
    ['12', 126087238],
    ['123', -267702483],
    ['1234', -1614185708],
    ['12345', -1188365604],
  ])('hashes %j to the value Kafka computes (%d)', (input, expected) => {
    expect(murmur2(utf8(input))).toBe(expected);
  });

  it('hashes the empty key from the seed alone', () => {
    // h = seed ^ 0; no blocks, no tail; then the final avalanche. Computed by hand from the algorithm.
    let h = 0x9747b28c | 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
    expect(murmur2(new Uint8Array(0))).toBe(h);
  });

  it('agrees with kafkajs on every tail length and on bytes with the high bit set', () => {
    const inputs: Buffer[] = [];
    for (let len = 0; len <= 40; len++) {
      inputs.push(Buffer.from(Array.from({ length: len }, (_, i) => (i * 37 + len * 11) & 0xff)));
      inputs.push(Buffer.alloc(len, 0xff));
      inputs.push(Buffer.alloc(len, 0x80));
    }
    for (const input of inputs) expect(murmur2(input)).toBe(kafkajsMurmur2(input));
  });

  it('returns a signed 32-bit integer', () => {
    for (let i = 0; i < 200; i++) {
      const h = murmur2(utf8(`key-${i}`));
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(-(2 ** 31));
      expect(h).toBeLessThan(2 ** 31);
    }
  });
});

describe('toPositive', () => {
  it('clears the sign bit instead of negating', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-(2 ** 31))).toBe(0);
    expect(toPositive(5)).toBe(5);
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
  });
});

describe('defaultPartition', () => {
  it('places keys where Kafka places them', () => {
    // murmur2("21") = -973932308 → toPositive = 1173551340 → % 12 = 0, % 7 = 3
    expect(defaultPartition(utf8('21'), 12)).toBe(0);
    expect(defaultPartition(utf8('21'), 7)).toBe(3);
    for (let i = 0; i < 100; i++) {
      const key = utf8(`order-${i}`);
      expect(defaultPartition(key, 6)).toBe(toPositive(kafkajsMurmur2(key)) % 6);
    }
  });

  it('always puts the same key on the same partition', () => {
    const key = utf8('customer-42');
    const first = defaultPartition(key, 9);
    for (let i = 0; i < 10; i++) expect(defaultPartition(key, 9)).toBe(first);
  });

  it('spreads null keys round-robin using the given counter', () => {
    const counter = new RoundRobinCounter();
    const partitions = Array.from({ length: 7 }, () => defaultPartition(null, 3, counter));
    expect(partitions).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('treats an empty key as a key, not as null', () => {
    const counter = new RoundRobinCounter();
    const empty = Buffer.alloc(0);
    const p = toPositive(murmur2(empty)) % 5;
    expect([defaultPartition(empty, 5, counter), defaultPartition(empty, 5, counter)]).toEqual([p, p]);
  });

  it('rejects a non-positive partition count', () => {
    expect(() => defaultPartition(utf8('k'), 0)).toThrow(RangeError);
    expect(() => defaultPartition(null, 1.5)).toThrow(RangeError);
  });
});
