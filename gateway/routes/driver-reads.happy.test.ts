import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { insertRows } from "../../shared/db/insert-rows.ts";
import { asCustomer, asDriver, asOperator, gatewayOverEmbeddedLog } from "../testing.ts";

const M_PER_DEG_LAT = 111_195;

describe("driver read routes", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  const now = Date.now();
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
    // Three sedans north of the query point at 300 m, 1 km and 2 km; one busy at 100 m; one stale at 200 m.
    const drivers = [
      ["near", 300, "available", now - 1000],
      ["mid", 1000, "available", now - 2000],
      ["far", 2000, "available", now - 3000],
      ["busy", 100, "busy", now - 1000],
      ["stale", 200, "available", now - 120_000],
    ] as const;
    await gw.geo.setStatus(drivers.map(([driverId, , status]) => ({ driverId, status, vehicleType: "sedan", changedAt: now - 200_000 })));
    await gw.geo.upsertPositions(
      drivers.map(([driverId, m, , t]) => ({ driverId, lat: 12.9 + m / M_PER_DEG_LAT, lng: 77.6, recordedAt: t })),
    );
    const rows = Array.from({ length: 7 }, (_, i) => ["near", now - 70_000 + i * 10_000, 12.9 + i * 0.001, 77.6, i, null, 5]);
    await insertRows(gw.history.client, {
      table: "driver_trail",
      columns: ["driver_id", "recorded_at", "lat", "lng", "speed", "heading", "accuracy"],
      rows,
    });
  });
  afterAll(() => gw.close());

  test("nearby: available, fresh drivers of the type, nearest first, with distance and last-seen time", async () => {
    const res = await gw.app.request("/v1/drivers/nearby?lat=12.9&lng=77.6&radiusM=5000&vehicleType=sedan&limit=10", {
      headers: asCustomer("cust-1"),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { drivers: { driverId: string; distanceM: number; lastSeenAt: string }[] };
    expect(body.drivers.map((d) => d.driverId)).toEqual(["near", "mid", "far"]);
    expect(body.drivers[0]!.distanceM).toBeCloseTo(300, -1);
    expect(body.drivers[2]!.distanceM).toBeCloseTo(2000, -1);
    expect(body.drivers[0]!.lastSeenAt).toBe(new Date(now - 1000).toISOString());
  });

  test("nearby honours radius, limit and vehicle type", async () => {
    const inner = (await (
      await gw.app.request("/v1/drivers/nearby?lat=12.9&lng=77.6&radiusM=1500&vehicleType=sedan", { headers: asCustomer("cust-1") })
    ).json()) as { drivers: { driverId: string }[] };
    expect(inner.drivers.map((d) => d.driverId)).toEqual(["near", "mid"]);
    const one = (await (
      await gw.app.request("/v1/drivers/nearby?lat=12.9&lng=77.6&vehicleType=sedan&limit=1", { headers: asCustomer("cust-1") })
    ).json()) as { drivers: { driverId: string }[] };
    expect(one.drivers.map((d) => d.driverId)).toEqual(["near"]);
    const trucks = (await (
      await gw.app.request("/v1/drivers/nearby?lat=12.9&lng=77.6&vehicleType=tipper", { headers: asCustomer("cust-1") })
    ).json()) as { drivers: unknown[] };
    expect(trucks.drivers).toEqual([]);
  });

  test("GET a driver: status, type, last fix and whether its newest fix was implausible; unknown driver → 404", async () => {
    const res = await gw.app.request("/v1/drivers/busy", { headers: asOperator() });
    expect(await res.json()).toEqual({
      driverId: "busy",
      status: "busy",
      vehicleType: "sedan",
      lastFix: { lat: 12.9 + 100 / M_PER_DEG_LAT, lng: 77.6, recordedAt: new Date(now - 1000).toISOString() },
      suspect: false,
      counters: { cancelsAfterAccept: 0, noShows: 0 },
    });
    const missing = await gw.app.request("/v1/drivers/nobody", { headers: asOperator() });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
  });

  test("trail: ordered, bounded by from/to, paginated by cursor", async () => {
    const first = (await (await gw.app.request("/v1/drivers/near/trail?limit=3", { headers: asDriver("near") })).json()) as {
      points: { recordedAt: string; speed: number }[];
      nextCursor: string;
    };
    expect(first.points.map((p) => p.speed)).toEqual([0, 1, 2]);
    const second = (await (
      await gw.app.request(`/v1/drivers/near/trail?limit=3&cursor=${first.nextCursor}`, { headers: asDriver("near") })
    ).json()) as { points: { speed: number }[]; nextCursor: string };
    expect(second.points.map((p) => p.speed)).toEqual([3, 4, 5]);
    const last = (await (
      await gw.app.request(`/v1/drivers/near/trail?limit=3&cursor=${second.nextCursor}`, { headers: asDriver("near") })
    ).json()) as { points: { speed: number }[]; nextCursor: string | null };
    expect(last.points.map((p) => p.speed)).toEqual([6]);
    expect(last.nextCursor).toBeNull();
    const from = new Date(now - 50_000).toISOString();
    const to = new Date(now - 30_000).toISOString();
    const window = (await (await gw.app.request(`/v1/drivers/near/trail?from=${from}&to=${to}`, { headers: asDriver("near") })).json()) as {
      points: { speed: number; recordedAt: string }[];
    };
    expect(window.points.map((p) => p.speed)).toEqual([2, 3, 4]);
    expect(window.points[0]!.recordedAt).toBe(from);
  });
});
