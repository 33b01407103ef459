import { describe, expect, test } from "bun:test";
import { sleepWhileActive } from "./sleep-while-active.ts";

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
