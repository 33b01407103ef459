import { describe, expect, test } from "bun:test";
import { RetryableError } from "../../shared/errors/errors.ts";
import type { DeliveredRecord } from "../../shared/log/event-log.ts";
import { createRegistry, metricValue } from "../../shared/metrics/registry.ts";
import { metricsObserver, withMetrics, workerMetrics } from "./metrics.ts";
import { withRetry } from "./retry.ts";
import { collectingPublisher, deliverUntilDone, eventRecord, recordBatch } from "./testing.ts";

const fast = { maxAttempts: 3, backoff: { baseMs: 2, capMs: 5 }, outageBackoff: { baseMs: 2, capMs: 5 } };
const poisonOf = (r: DeliveredRecord) => (JSON.parse(r.value) as { data: { poison: boolean } }).data.poison;

describe("worker metrics", () => {
  test("count processed, failed, retried and dead-lettered events per group and topic, and time handler calls", async () => {
    const registry = createRegistry();
    const m = workerMetrics(registry);
    let outage = 2;
    const handler = withRetry({ group: "g", publisher: collectingPublisher(), policy: fast, observers: [metricsObserver(m, "g")] })(
      withMetrics(
        m,
        "g",
      )(async (b) => {
        if (outage-- > 0) throw new RetryableError("db down");
        if (b.records.some(poisonOf)) throw new Error("poison");
      }),
    );
    await deliverUntilDone(handler, recordBatch(Array.from({ length: 4 }, (_, i) => eventRecord(i, { poison: i === 3 }))));

    const v = (name: string) => metricValue(registry, name, { group: "g", topic: "rides" });
    expect(await v("fleet_events_processed_total")).toBe(3);
    expect(await v("fleet_events_dead_lettered_total")).toBe(1);
    // 2 outage runs of 4 + the failing whole batch (4) + failing half [2,3] (2) + 3 attempts of the poison record
    expect(await v("fleet_events_failed_total")).toBe(8 + 4 + 2 + 3);
    // outage re-runs 2×4, isolation re-runs 4 then 2, 2 further attempts of the poison
    expect(await v("fleet_events_retried_total")).toBe(8 + 4 + 2 + 2);
    const text = await registry.metrics();
    expect(text).toMatch(/fleet_handler_duration_seconds_count\{group="g",topic="rides"\} \d+/);
  });

  test("two workers in one process share the series, each under its own group label", async () => {
    const registry = createRegistry();
    const a = workerMetrics(registry);
    const b = workerMetrics(registry);
    await withMetrics(a, "ga")(async () => {})(recordBatch([eventRecord(0, {})]));
    await withMetrics(b, "gb")(async () => {})(recordBatch([eventRecord(0, {}), eventRecord(1, {})]));
    expect(await metricValue(registry, "fleet_events_processed_total", { group: "ga" })).toBe(1);
    expect(await metricValue(registry, "fleet_events_processed_total", { group: "gb" })).toBe(2);
  });
});
