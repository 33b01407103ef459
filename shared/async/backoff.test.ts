import { describe, expect, test } from "bun:test";
import { backoffCeiling, backoffDelay, sleep } from "./backoff.ts";

describe("backoffDelay", () => {
  const policy = { baseMs: 100, capMs: 1000 };
  test("doubles per attempt up to the cap, jittered within the upper half", () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(2, policy);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  test("the ceiling is the un-jittered step", () => {
    expect([0, 1, 3, 10].map((a) => backoffCeiling(a, policy))).toEqual([100, 200, 800, 1000]);
  });
});

describe("sleep", () => {
  test("ends early when its signal aborts, at once when already aborted", async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const started = performance.now();
    await sleep(10_000, stop.signal);
    expect(performance.now() - started).toBeLessThan(5_000);
    const again = performance.now();
    await sleep(10_000, stop.signal);
    expect(performance.now() - again).toBeLessThan(1_000);
  });
});
