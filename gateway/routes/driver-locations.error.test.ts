import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TOPICS } from "../../shared/events/topics.ts";
import { asDriver, gatewayOverEmbeddedLog, json } from "../testing.ts";

const fix = (over: Record<string, unknown> = {}) => ({ lat: 12.97, lng: 77.59, recordedAt: new Date().toISOString(), ...over });

describe("POST /v1/drivers/:driverId/locations rejects bad input and publishes nothing", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(async () => {
    expect(await gw.published(TOPICS.driverLocations)).toEqual([]);
    await gw.close();
  });

  const cases: [string, string | object, number, string][] = [
    ["NaN (not JSON-representable)", '{"fixes":[{"lat":NaN,"lng":1,"recordedAt":"2026-01-01T00:00:00Z"}]}', 400, "(body)"],
    ["lat 91", { fixes: [fix({ lat: 91 })] }, 422, "fixes.0.lat"],
    ["lat 89 (beyond what the geo index holds)", { fixes: [fix(), fix({ lat: 89 })] }, 422, "fixes.1.lat"],
    ["a number as a string", { fixes: [fix({ lng: "77.59" })] }, 422, "fixes.0.lng"],
    ["501 fixes", { fixes: Array.from({ length: 501 }, () => fix()) }, 422, "fixes"],
    ["no fixes", { fixes: [] }, 422, "fixes"],
    ["a missing field", { fixes: [{ lat: 1, lng: 2 }] }, 422, "fixes.0.recordedAt"],
    ["an unknown field", { fixes: [fix({ altitude: 3 })] }, 422, "fixes.0.altitude"],
    ["an unknown top-level field", { fixes: [fix()], driverId: "someone-else" }, 422, "driverId"],
    ["a fix from the future", { fixes: [fix({ recordedAt: new Date(Date.now() + 120_000).toISOString() })] }, 422, "fixes.0.recordedAt"],
    [
      "a fix from last week",
      { fixes: [fix({ recordedAt: new Date(Date.now() - 7 * 86_400_000).toISOString() })] },
      422,
      "fixes.0.recordedAt",
    ],
    ["not a timestamp", { fixes: [fix({ recordedAt: "yesterday" })] }, 422, "fixes.0.recordedAt"],
    ["a body that is an array", [fix()], 422, "fixes"],
  ];

  for (const [name, body, status, field] of cases) {
    test(`${name} → ${status} naming ${field}`, async () => {
      const res = await gw.app.request("/v1/drivers/drv-1/locations", json(body, { method: "POST", headers: asDriver("drv-1") }));
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const p = (await res.json()) as { status: number; errors: { field: string }[] };
      expect(p.status).toBe(status);
      expect(p.errors.map((e) => e.field)).toContain(field);
    });
  }

  test("a 2 MB body → 413", async () => {
    const big = JSON.stringify({ fixes: [fix({ pad: "x".repeat(2 * 1024 * 1024) })] });
    const res = await gw.app.request("/v1/drivers/drv-1/locations", {
      method: "POST",
      body: big,
      headers: { "content-type": "application/json", "content-length": String(big.length), ...asDriver("drv-1") },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("a bad driver id → 400 naming driverId", async () => {
    const res = await gw.app.request(
      `/v1/drivers/${"x".repeat(65)}/locations`,
      json({ fixes: [fix()] }, { method: "POST", headers: asDriver("drv-1") }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("driverId");
  });

  test("a bad status body → 422 naming the field", async () => {
    const res = await gw.app.request(
      "/v1/drivers/drv-1/status",
      json({ status: "sleeping", vehicleType: "sedan" }, { method: "PUT", headers: asDriver("drv-1") }),
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("status");
  });

  test("an unknown route → 404 problem+json", async () => {
    const res = await gw.app.request("/v1/nowhere", { headers: asDriver("drv-1") });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
