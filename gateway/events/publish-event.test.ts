import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Publisher } from "../../shared/log/event-log.ts";
import { asDriver, gatewayOverEmbeddedLog, json } from "../testing.ts";
import { DEFAULT_PUBLISH_TIMEOUT_MS } from "./publish-event.ts";

/** A broker that never answers: what kafkajs looks like for ~23 s while the broker is down. */
const hanging = (): Publisher & { calls: number } => {
  const p = {
    calls: 0,
    publish: () => {
      p.calls++;
      return new Promise<void>(() => {});
    },
    close: async () => {},
  };
  return p;
};
const fix = () =>
  json({ fixes: [{ lat: 12.97, lng: 77.59, recordedAt: new Date().toISOString() }] }, { method: "POST", headers: asDriver("drv-1") });

describe("publishEvent's bound on the broker's ack", () => {
  const bounded = hanging();
  const plain = hanging();
  let short: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  let byDefault: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    short = await gatewayOverEmbeddedLog({
      publisher: bounded,
      limits: { maxFixAgeMs: 3_600_000, staleAfterMs: 60_000, publishTimeoutMs: 150 },
    });
    byDefault = await gatewayOverEmbeddedLog({ publisher: plain });
  });
  afterAll(async () => {
    await short.close();
    await byDefault.close();
  });

  test("a fix whose publish hangs is answered 503 + Retry-After once the configured bound passes", async () => {
    const started = performance.now();
    const res = await short.app.request("/v1/drivers/drv-1/locations", fix());
    const ms = performance.now() - started;
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(1000);
    expect(bounded.calls).toBe(1);
  });

  test("by default the bound is DEFAULT_PUBLISH_TIMEOUT_MS", async () => {
    const started = performance.now();
    const res = await byDefault.app.request(
      "/v1/drivers/drv-1/status",
      json({ status: "available", vehicleType: "sedan" }, { method: "PUT", headers: asDriver("drv-1") }),
    );
    const ms = performance.now() - started;
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBe(Math.ceil(DEFAULT_PUBLISH_TIMEOUT_MS / 1000));
    expect(ms).toBeGreaterThanOrEqual(DEFAULT_PUBLISH_TIMEOUT_MS - 10);
    expect(ms).toBeLessThan(DEFAULT_PUBLISH_TIMEOUT_MS + 1000);
  });

  test("a publish that fails before the bound still answers at once, and an acked one 202", async () => {
    const failing = await gatewayOverEmbeddedLog({
      publisher: { publish: () => Promise.reject(new Error("boom")), close: async () => {} },
    });
    try {
      const started = performance.now();
      const res = await failing.app.request("/v1/drivers/drv-1/locations", fix());
      expect(res.status).toBe(500);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      await failing.close();
    }
    const ok = await gatewayOverEmbeddedLog();
    try {
      expect((await ok.app.request("/v1/drivers/drv-1/locations", fix())).status).toBe(202);
    } finally {
      await ok.close();
    }
  });
});
