import { createRequire } from "node:module";

/*
 * Kafka's default partitioner is murmur2 over the key bytes, positive-masked, mod the
 * partition count. kafkajs ships the Java-compatible implementation but only as an
 * internal module; kafkajs is frozen at 2.2.4, so the path is stable. Reusing it means
 * the embedded log and the Kafka adapter (and Java/Redpanda clients) agree on placement.
 */
const require = createRequire(import.meta.url);
const murmur2: (key: string | Buffer) => number = require("kafkajs/src/producer/partitioners/default/murmur2.js");

export function partitionFor(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
