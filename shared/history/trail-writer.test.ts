import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { count, eq } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { driverTrail } from "../db/schema.ts";
import type { TrailPoint } from "./downsample.ts";
import { openTempHistory, pointAt } from "./testing.ts";
import { createTrailWriter } from "./trail-writer.ts";

const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);
const at = (driverId: string, s: number, north = 0) => pointAt(driverId, T0, s, 12.9716, 77.5946, north);
const byDriver = (...points: TrailPoint[]) => {
  const m = new Map<string, TrailPoint[]>();
  for (const p of points) m.set(p.driverId, [...(m.get(p.driverId) ?? []), p]);
  return m;
};

describe("trail writer", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let db: Db;
  beforeAll(async () => {
    history = await openTempHistory("fleet-trail-writer-");
    db = history.db;
  });
  afterAll(() => history.remove());

  const stored = async (driverId: string) =>
    (
      await db.orm
        .select({ t: driverTrail.recordedAt })
        .from(driverTrail)
        .where(eq(driverTrail.driverId, driverId))
        .orderBy(driverTrail.recordedAt)
    ).map((r) => (r.t - T0) / 1000);

  test("stores what the rule keeps, all fields, and nothing twice when the same fixes come again", async () => {
    const writer = createTrailWriter(db);
    const first = { ...at("w-1", 0), speed: 8.5, heading: 270, accuracy: 4, flags: ["speed" as const, "accuracy" as const] };
    const fixes = byDriver(first, ...Array.from({ length: 119 }, (_, i) => at("w-1", i + 1)));
    expect(await writer.append(fixes)).toBe(4);
    expect(await writer.append(fixes)).toBe(0);
    expect(await createTrailWriter(db).append(fixes)).toBe(0);
    expect(await stored("w-1")).toEqual([0, 30, 60, 90]);
    const [row] = await db.orm.select().from(driverTrail).where(eq(driverTrail.recordedAt, T0));
    expect(row).toEqual({
      driverId: "w-1",
      recordedAt: T0,
      lat: first.lat,
      lng: first.lng,
      speed: 8.5,
      heading: 270,
      accuracy: 4,
      flags: "speed,accuracy",
    });
    const [plain] = await db.orm
      .select({ flags: driverTrail.flags })
      .from(driverTrail)
      .where(eq(driverTrail.recordedAt, T0 + 30_000));
    expect(plain).toEqual({ flags: null });
  });

  test("a restarted writer continues from the newest stored point of each driver", async () => {
    await createTrailWriter(db).append(byDriver(at("w-2", 0), at("w-2", 30), at("w-3", 0, 0)));
    const restarted = createTrailWriter(db);
    expect(await restarted.append(byDriver(at("w-2", 45), at("w-2", 59), at("w-2", 60), at("w-3", 10, 30), at("w-3", 11, 60)))).toBe(2);
    expect(await stored("w-2")).toEqual([0, 30, 60]);
    expect(await stored("w-3")).toEqual([0, 11]);
  });

  test("a batch that rolled back leaves table and memory as they were, so its retry stores the same points", async () => {
    const writer = createTrailWriter(db);
    const w4 = Array.from({ length: 500 }, (_, i) => at("w-4", i * 30));
    // The first INSERT (500 rows) succeeds; the second fails binding NaN, which rolls both back.
    await expect(writer.append(byDriver(...w4, { ...at("w-5", 0), lat: Number.NaN }))).rejects.toThrow(/finite/);
    expect(await stored("w-4")).toEqual([]);
    expect(await writer.append(byDriver(...w4))).toBe(500);
  });

  test("drivers beyond maxTrackedDrivers are forgotten and re-read from the table, with the same result", async () => {
    const writer = createTrailWriter(db, { maxTrackedDrivers: 2 });
    for (const id of ["w-6", "w-7", "w-8"]) await writer.append(byDriver(at(id, 0)));
    expect(await writer.append(byDriver(at("w-6", 20), at("w-7", 20), at("w-8", 20)))).toBe(0);
    expect(await writer.append(byDriver(at("w-6", 30), at("w-7", 31, 10), at("w-8", 29, 51)))).toBe(3);
    const [total] = await db.orm.select({ n: count() }).from(driverTrail).where(eq(driverTrail.driverId, "w-6"));
    expect(total?.n).toBe(2);
  });
});
