import { describe, expect, test } from "bun:test";
import { register as globalRegistry } from "prom-client";
import { counter, createRegistry, gauge, histogram, LATENCY_BUCKETS, metricValue } from "./registry.ts";

describe("metrics registry", () => {
  test("registries are independent and never touch prom-client's global one", async () => {
    const a = createRegistry();
    const b = createRegistry();
    counter(a, { name: "fleet_test_total", help: "h", labelNames: ["group"] }).inc({ group: "g" }, 3);
    counter(b, { name: "fleet_test_total", help: "h", labelNames: ["group"] }).inc({ group: "g" });
    expect(await metricValue(a, "fleet_test_total", { group: "g" })).toBe(3);
    expect(await metricValue(b, "fleet_test_total", { group: "g" })).toBe(1);
    expect(globalRegistry.getSingleMetric("fleet_test_total")).toBeUndefined();
  });

  test("helpers are get-or-create, and refuse a clash of type or labels", () => {
    const r = createRegistry();
    const c1 = counter(r, { name: "fleet_x_total", help: "h", labelNames: ["group", "topic"] });
    expect(counter(r, { name: "fleet_x_total", help: "h", labelNames: ["group", "topic"] })).toBe(c1);
    expect(() => gauge(r, { name: "fleet_x_total", help: "h", labelNames: ["group", "topic"] })).toThrow(/already registered/);
    expect(() => counter(r, { name: "fleet_x_total", help: "h", labelNames: ["group"] })).toThrow(/already registered/);
  });

  test("exposition text carries default labels, gauges and histograms", async () => {
    const r = createRegistry({ defaultLabels: { process: "workers" } });
    gauge(r, { name: "fleet_lag", help: "h", labelNames: ["partition"] }).set({ partition: "3" }, 12);
    histogram(r, { name: "fleet_d_seconds", help: "h", labelNames: ["group"], buckets: LATENCY_BUCKETS }).observe({ group: "g" }, 0.004);
    const text = await r.metrics();
    expect(text).toContain('fleet_lag{partition="3",process="workers"} 12');
    expect(text).toContain('fleet_d_seconds_bucket{le="0.005",process="workers",group="g"} 1');
    expect(await metricValue(r, "fleet_lag", { partition: 3 })).toBe(12);
    expect(await metricValue(r, "fleet_missing", {})).toBe(0);
  });

  test("process metrics can be collected under Bun", async () => {
    const r = createRegistry({ processMetrics: true });
    expect(await r.metrics()).toContain("process_resident_memory_bytes");
  });
});
