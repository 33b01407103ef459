import { expect, test } from "bun:test";
import type { PartitionLag } from "../../shared/log/event-log.ts";
import { createFlowSampler } from "./flow-sampler.ts";

/** A log whose offsets the test sets: per topic, the end and (for the probe group) the retained records. */
function fakeLog() {
  const ends: Record<string, number> = {};
  const lags: Record<string, number> = {};
  const admin = {
    async lag(group: string, topics: string[]): Promise<PartitionLag[]> {
      return topics.map((topic) => {
        const end = ends[topic] ?? 0;
        const lag = group.startsWith("fleet-gateway-flow") ? end : (lags[group] ?? 0);
        return { topic, partition: 0, committed: end - lag, end, lag };
      });
    },
  };
  return { admin, ends, lags };
}

test("rates are records per second between samples; lag and dead letters are as of each sample; old samples leave the window", async () => {
  const log = fakeLog();
  let now = 1_000_000;
  const sampler = createFlowSampler({
    admin: log.admin,
    topics: ["bookings"],
    groups: [{ name: "booking", group: "fleet-booking", topics: ["bookings"] }],
    intervalMs: 2_000,
    windowMs: 5_000,
    now: () => now,
  });
  expect(sampler.window()).toEqual({ intervalMs: 2_000, points: [] });
  log.ends.bookings = 100;
  await sampler.sample();
  expect(sampler.window().points).toEqual([]);

  now += 2_000;
  log.ends.bookings = 300;
  log.ends["bookings.dlq"] = 2;
  log.lags["fleet-booking"] = 40;
  await sampler.sample();
  expect(sampler.window().points).toEqual([
    { at: new Date(now).toISOString(), rates: { bookings: 100 }, lags: { "fleet-booking": 40 }, deadLetters: { bookings: 2 } },
  ]);

  for (let i = 0; i < 3; i++) {
    now += 2_000;
    await sampler.sample();
  }
  const points = sampler.window().points;
  // 5 s of window at 2 s intervals: three samples kept, so two points, both without new records.
  expect(points.map((p) => p.rates.bookings)).toEqual([0, 0]);
  expect(points.at(-1)!.at).toBe(new Date(now).toISOString());
});
