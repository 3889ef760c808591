/**
 * Kafka's default key partitioner, so a key lands on the same partition in the embedded log as it
 * would on a Kafka cluster with the same partition count (tools and users may rely on that when they
 * move a deployment from standalone to distributed).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/**
 * Kafka's `Utils.murmur2`: 32-bit MurmurHash2 with seed 0x9747b28c, returned as a signed 32-bit
 * integer exactly as Java computes it. Pure; does not mutate `bytes`.
 */
export function murmur2(bytes: Uint8Array): number {
  const length = bytes.length;
  let h = (SEED ^ length) | 0;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    // Little-endian 4-byte block; the `| 0` keeps every step in signed 32-bit range like Java's int.
    let k = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) | 0;
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // Java's switch falls through from the highest remaining byte down, then multiplies once.
  const rest = length % 4;
  if (rest >= 3) h ^= bytes[whole + 2]! << 16;
  if (rest >= 2) h ^= bytes[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= bytes[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which overflows on MIN_VALUE in Java). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/**
 * Hands out partitions in turn for records without a key. One counter per topic keeps each topic's
 * spread even; the counter wraps well before it loses integer precision.
 */
export class RoundRobinCounter {
  private value = 0;

  /** Returns the next counter value (0, 1, 2, …) and advances. */
  next(): number {
    const v = this.value;
    this.value = (this.value + 1) % 0x7fffffff;
    return v;
  }
}

const sharedCounter = new RoundRobinCounter();

/**
 * Picks the partition for a record: `toPositive(murmur2(key)) % numPartitions` for a non-null key
 * (Kafka's default partitioner), round-robin for a null key using `roundRobinCounter` (advanced by one;
 * a process-wide counter when omitted). An empty key is a key, not null. Throws a RangeError when
 * `numPartitions` is not a positive integer.
 */
export function defaultPartition(
  key: Buffer | null,
  numPartitions: number,
  roundRobinCounter: RoundRobinCounter = sharedCounter,
): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
  if (key === null) return roundRobinCounter.next() % numPartitions;
  return toPositive(murmur2(key)) % numPartitions;
}
