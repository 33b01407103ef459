import { describe, expect, test } from "bun:test";
import { backoffDelay, sleepWhileActive } from "./backoff.ts";

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
});

describe("sleepWhileActive", () => {
  test("waits the full time while active, heartbeating on long waits", async () => {
    let beats = 0;
    const started = performance.now();
    expect(await sleepWhileActive(1200, { isActive: () => true, heartbeat: async () => void beats++ })).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1190);
    expect(beats).toBeGreaterThanOrEqual(1);
  });

  test("returns false soon after the batch stops being active", async () => {
    let active = true;
    setTimeout(() => (active = false), 100);
    const started = performance.now();
    expect(await sleepWhileActive(10_000, { isActive: () => active, heartbeat: async () => {} })).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
