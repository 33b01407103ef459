import { describe, expect, test } from "bun:test";
import { canonicalJson, fingerprintOf } from "./idempotency-store.ts";

describe("request fingerprints", () => {
  test("key order does not matter, at any depth; values and arrays do", async () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(await fingerprintOf({ a: 1, b: { c: 2, d: 3 } })).toBe(await fingerprintOf({ b: { d: 3, c: 2 }, a: 1 }));
    expect(await fingerprintOf({ a: [1, 2] })).not.toBe(await fingerprintOf({ a: [2, 1] }));
    expect(await fingerprintOf({ a: 1 })).not.toBe(await fingerprintOf({ a: 1, b: "" }));
    expect(await fingerprintOf({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});
