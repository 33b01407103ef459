import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asCustomer, asDriver, asOperator, expectProblem, gatewayOverEmbeddedLog, json } from "../testing.ts";
import { createInProcessRateLimiter } from "./in-process-rate-limiter.ts";
import { type RateLimiter, RateLimiterUnavailableError } from "./rate-limiter.ts";

/*
 * The per-driver and per-customer limits as the HTTP app applies them (in-process
 * limiter; the Upstash adapter passes the same contract in upstash-rate-limiter.redis.test.ts).
 */

const WINDOW_MS = 1000;
const fixes = () => json({ fixes: [{ lat: 12.97, lng: 77.59, recordedAt: new Date().toISOString() }] }, { method: "POST" });
const post = (gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>, driverId: string) =>
  gw.app.request(`/v1/drivers/${driverId}/locations`, {
    ...fixes(),
    headers: { "content-type": "application/json", ...asDriver(driverId) },
  });

describe("rate limits per driver and per customer", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog({
      rateLimits: {
        driver: createInProcessRateLimiter({ max: 3, windowMs: WINDOW_MS }),
        customer: createInProcessRateLimiter({ max: 2, windowMs: 60_000 }),
      },
    });
  });
  afterAll(() => gw.close());

  test("a driver over its budget gets 429 problem+json with Retry-After, and is served again after the window", async () => {
    // Start at the top of a window, so the three requests and the refusal share one.
    await Bun.sleep(WINDOW_MS - (Date.now() % WINDOW_MS));
    for (let i = 0; i < 3; i++) expect((await post(gw, "drv-rl")).status).toBe(202);
    const refused = await post(gw, "drv-rl");
    await expectProblem(refused, 429, "");
    expect(Number(refused.headers.get("retry-after"))).toBe(1);
    // Another driver has its own budget.
    expect((await post(gw, "drv-other")).status).toBe(202);

    await Bun.sleep(WINDOW_MS + 50);
    expect((await post(gw, "drv-rl")).status).toBe(202);
  });

  test("a customer has its own (smaller) budget, reads included; operators are not limited", async () => {
    const read = () => gw.app.request(`/v1/bookings/${crypto.randomUUID()}`, { headers: asCustomer("cust-rl") });
    expect((await read()).status).toBe(404);
    expect((await read()).status).toBe(404);
    const refused = await read();
    await expectProblem(refused, 429, "");
    // The seconds left in the customer's 60 s window: 1 when the test happens to run in its last second.
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    for (let i = 0; i < 5; i++) expect((await gw.app.request("/v1/drivers/anyone/trail", { headers: asOperator() })).status).toBe(200);
  });

  test("requests without a valid token are refused before they count against anyone", async () => {
    for (let i = 0; i < 5; i++) expect((await gw.app.request("/v1/drivers/drv-fresh/locations", fixes())).status).toBe(401);
    expect((await post(gw, "drv-fresh")).status).toBe(202);
  });
});

describe("when the limiter's store is down", () => {
  test("requests are let through (fail-open) and the outage is counted", async () => {
    const down: RateLimiter = { limit: async () => Promise.reject(new RateLimiterUnavailableError("redis down")) };
    const gw = await gatewayOverEmbeddedLog({ rateLimits: { driver: down, customer: down } });
    try {
      for (let i = 0; i < 3; i++) expect((await post(gw, "drv-down")).status).toBe(202);
      expect(await gw.deps.registry.getSingleMetricAsString("fleet_rate_limiter_unavailable_total")).toContain(
        "fleet_rate_limiter_unavailable_total 3",
      );
    } finally {
      await gw.close();
    }
  });
});
