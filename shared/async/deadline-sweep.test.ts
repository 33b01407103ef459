import { expect, test } from "bun:test";
import { createDeadlineSweep } from "./deadline-sweep.ts";

const never = () => new Promise<string>(() => {});

test("work that settles in time settles the bound with its value or its error", async () => {
  const sweep = createDeadlineSweep(1000);
  expect(await sweep.bound(Promise.resolve("done"), () => "late")).toBe("done");
  await expect(sweep.bound(Promise.reject(new Error("failed")), () => "late")).rejects.toThrow("failed");
});

test("work still pending at its deadline settles with expired(): a value, or what it throws", async () => {
  const sweep = createDeadlineSweep(30);
  const started = performance.now();
  expect(await sweep.bound(never(), () => "late")).toBe("late");
  expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  await expect(
    sweep.bound(never(), () => {
      throw new Error("no ack in time");
    }),
  ).rejects.toThrow("no ack in time");
});

test("many bounds share one timer: each expires in order, none early, those that settled are not expired", async () => {
  const sweep = createDeadlineSweep(40);
  const timers: number[] = [];
  const original = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    timers.push(ms ?? 0);
    return original(fn, ms);
  }) as typeof setTimeout;
  try {
    const results: Promise<{ i: number; outcome: string; ms: number }>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) {
      const work = i % 2 === 0 ? Promise.resolve("acked") : never();
      results.push(sweep.bound(work, () => "expired").then((outcome) => ({ i, outcome, ms: performance.now() - t0 })));
    }
    const settled = await Promise.all(results);
    expect(settled.filter((r) => r.outcome === "acked").map((r) => r.i % 2)).toEqual(Array(500).fill(0));
    const expired = settled.filter((r) => r.outcome === "expired");
    expect(expired.length).toBe(500);
    expect(Math.min(...expired.map((r) => r.ms))).toBeGreaterThanOrEqual(39);
    expect(timers.length).toBeLessThan(10);
  } finally {
    globalThis.setTimeout = original;
  }
});

test("an abandoned work's later failure is not an unhandled rejection", async () => {
  const sweep = createDeadlineSweep(10);
  let fail!: (e: Error) => void;
  const work = new Promise<string>((_, reject) => (fail = reject));
  expect(await sweep.bound(work, () => "late")).toBe("late");
  fail(new Error("too late to matter"));
  await Bun.sleep(5);
});
