import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

describe('murmur2', () => {
  // Vectors from Apache Kafka's UtilsTest.testMurmur2 (the Java client's own expectations).
  const javaVectors: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];

  it.each(javaVectors)('hashes %j as the Java client does', (key, expected) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(expected);
  });

  it('agrees with the kafkajs default partitioner hash for keys of every tail length', () => {
    for (let len = 0; len < 64; len++) {
      const key = Buffer.alloc(len);
      for (let i = 0; i < len; i++) key[i] = (i * 37 + len * 11) & 0xff;
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }
  });
});

describe('partitionForKey', () => {
  it('maps the same key to the same partition and stays within range', () => {
    for (let i = 0; i < 200; i++) {
      const key = Buffer.from(`key-${i}`);
      const p = partitionForKey(key, 7);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(7);
      expect(partitionForKey(key, 7)).toBe(p);
    }
  });

  it('spreads distinct keys over all partitions', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(partitionForKey(Buffer.from(`key-${i}`), 5));
    expect(seen.size).toBe(5);
  });
});
