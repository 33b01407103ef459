/*
 * Kafka's default partitioner: murmur2 over the key's UTF-8 bytes, positive-masked, mod the
 * partition count, so the embedded log, the Kafka adapter and Java/Redpanda clients agree on
 * placement. Written here rather than taken from kafkajs: its murmur2 (an internal module)
 * emulates 64-bit Longs and costs several µs per key, a measurable share of a gateway
 * request; Java's algorithm is 32-bit int arithmetic, which Math.imul reproduces exactly.
 * partition.test.ts checks it against kafkajs's on random keys, multi-byte ones included.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/** Java's `Utils.murmur2` over the UTF-8 bytes of `key` (a signed 32-bit int). */
export function murmur2(key: string): number {
  const bytes = utf8(key);
  const length = bytes.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = bytes[i4]! | (bytes[i4 + 1]! << 8) | (bytes[i4 + 2]! << 16) | (bytes[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  // Java's switch falls through: each remaining byte adds itself, and any tail is mixed once.
  const rest = length & 3;
  if (rest === 3) h ^= bytes[tail + 2]! << 16;
  if (rest >= 2) h ^= bytes[tail + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ bytes[tail]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionFor(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/** The key's UTF-8 bytes in a reused buffer (keys are short ids; no allocation per call). */
function utf8(key: string): Uint8Array {
  if (scratch.length < key.length * 3) scratch = new Uint8Array(key.length * 3);
  const { written } = encoder.encodeInto(key, scratch);
  return scratch.subarray(0, written);
}
