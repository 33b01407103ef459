import { expect, test } from "bun:test";
import { createRequire } from "node:module";
import fc from "fast-check";
import { murmur2, partitionFor } from "./partition.ts";

// kafkajs ships the Java-compatible murmur2 as an internal module; the reference for ours.
const kafkajsMurmur2: (key: string) => number = createRequire(import.meta.url)("kafkajs/src/producer/partitioners/default/murmur2.js");

test("murmur2 equals kafkajs's Java-compatible one on ids, any string and multi-byte text", () => {
  for (const key of ["", "a", "ab", "abc", "abcd", "driver-42", "0f8fad5b-d9cb-469f-a165-70867728950e", "ड्राइवर-7", "🚕🚚"])
    expect(murmur2(key)).toBe(kafkajsMurmur2(key));
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 80 }), (key) => murmur2(key) === kafkajsMurmur2(key)),
    { numRuns: 2000 },
  );
});

test("partitionFor is murmur2 masked positive, mod the partition count", () => {
  for (let i = 0; i < 500; i++) {
    const key = `key-${i}`;
    expect(partitionFor(key, 12)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % 12);
  }
});
