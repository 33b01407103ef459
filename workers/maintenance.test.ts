import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEmbeddedGeoIndex } from "../shared/geo/embedded/embedded-geo.ts";
import { openTempHistory } from "../shared/history/testing.ts";
import { createLogger } from "../shared/logging/logger.ts";
import { startMaintenance } from "./maintenance.ts";

describe("worker maintenance", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  beforeAll(async () => {
    history = await openTempHistory();
  });
  afterAll(() => history.remove());

  test("sweeps stale drivers out of the geo index, prunes the trail by age and old processed-event ids", async () => {
    const geo = createEmbeddedGeoIndex();
    const now = Date.now();
    await geo.setStatus([
      { driverId: "fresh", status: "available", vehicleType: "van", changedAt: now - 1000 },
      { driverId: "silent", status: "available", vehicleType: "van", changedAt: now - 1000 },
    ]);
    await geo.upsertPositions([
      { driverId: "fresh", lat: 19.07, lng: 72.87, recordedAt: now },
      { driverId: "silent", lat: 19.071, lng: 72.871, recordedAt: now - 600_000 },
    ]);
    const day = 86_400_000;
    await history.db.client.execute(
      "INSERT INTO driver_trail (driver_id, recorded_at, lat, lng) VALUES ('old', ?, 1, 1), ('new', ?, 1, 1)",
      [now - 10 * day, now - day],
    );
    await history.db.client.execute(
      "INSERT INTO processed_events VALUES ('g', 'old', 'bookings', 0, 0, ?), ('g', 'new', 'bookings', 0, 1, ?)",
      [now - 30 * day, now - day],
    );

    const lines: string[] = [];
    const m = startMaintenance({
      db: history.db,
      geo,
      logger: createLogger({ level: "info", write: (l) => lines.push(l) }),
      staleAfterMs: 60_000,
      sweepIntervalMs: 20,
      trailRetentionMs: 7 * day,
    });
    const deadline = Date.now() + 5000;
    while (!lines.some((l) => l.includes("stale drivers swept")) && Date.now() < deadline) await Bun.sleep(20);
    await m.stop();

    const found = await geo.nearby({ lat: 19.07, lng: 72.87, radiusM: 5000, vehicleType: "van", limit: 10, now, staleAfterMs: 3_600_000 });
    expect(found.map((d) => d.driverId)).toEqual(["fresh"]);
    const rows = await history.db.client.execute("SELECT driver_id FROM driver_trail");
    expect(rows.rows.map((r) => r.driver_id)).toEqual(["new"]);
    expect((await history.db.client.execute("SELECT event_id FROM processed_events")).rows.map((r) => r.event_id)).toEqual(["new"]);
  });

  test("a process without the location worker prunes processed-event ids only", async () => {
    const geo = createEmbeddedGeoIndex();
    const now = Date.now();
    await history.db.client.execute("INSERT INTO driver_trail (driver_id, recorded_at, lat, lng) VALUES ('ancient', ?, 1, 1)", [
      now - 100 * 86_400_000,
    ]);
    await history.db.client.execute("INSERT INTO processed_events VALUES ('g', 'ancient', 'orders', 0, 0, ?)", [now - 100 * 86_400_000]);
    const m = startMaintenance({
      db: history.db,
      geo,
      logger: createLogger({ level: "error", write: () => {} }),
      staleAfterMs: 60_000,
      location: false,
    });
    const deadline = Date.now() + 5000;
    while (
      (await history.db.client.execute("SELECT 1 FROM processed_events WHERE event_id = 'ancient'")).rows.length > 0 &&
      Date.now() < deadline
    )
      await Bun.sleep(20);
    await m.stop();
    expect((await history.db.client.execute("SELECT 1 FROM processed_events WHERE event_id = 'ancient'")).rows).toEqual([]);
    expect((await history.db.client.execute("SELECT 1 FROM driver_trail WHERE driver_id = 'ancient'")).rows).toHaveLength(1);
  });
});
