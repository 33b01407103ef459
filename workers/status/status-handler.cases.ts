import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { NonRetriableError, RetryableError } from "../../shared/errors/errors.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { HOME, latAt, spyGeo, statusEvent } from "../shared/testing.ts";
import { statusHandler } from "./status-handler.ts";

/**
 * The status handler against a real GeoIndex: each adapter's test file runs these.
 * `createGeo` gives an empty index (or one whose drivers no other test uses) per test.
 */
export function runStatusHandlerCases(opts: { name: string; createGeo: () => Promise<GeoIndex> }): void {
  describe(`status handler over ${opts.name}`, () => {
    let geo: ReturnType<typeof spyGeo>;
    const now = Date.now();
    const driver = () => `drv-${crypto.randomUUID().slice(0, 8)}`;

    beforeEach(async () => {
      geo = spyGeo(await opts.createGeo());
    });
    afterEach(() => geo.close());

    const nearby = async (vehicleType: "sedan" | "van" = "sedan") =>
      (await geo.nearby({ ...HOME, radiusM: 5_000, vehicleType, limit: 10, now, staleAfterMs: 60_000 })).map((d) => d.driverId);
    const status = async (id: string) => (await geo.get(id))?.status;

    test("available, busy and offline show in get; only available drivers are found nearby", async () => {
      const [a, b, c] = [driver(), driver(), driver()];
      await geo.upsertPositions(
        [a, b, c].map((id, i) => ({ driverId: id, lat: latAt(100 * (i + 1)), lng: HOME.lng, recordedAt: now - 1000 })),
      );
      await statusHandler(
        [statusEvent(a, "available", now - 900), statusEvent(b, "busy", now - 900), statusEvent(c, "offline", now - 900)],
        { geo },
      );
      expect([await status(a), await status(b), await status(c)]).toEqual(["available", "busy", "offline"]);
      expect(await nearby()).toEqual([a]);

      await statusHandler(
        [statusEvent(a, "busy", now - 500), statusEvent(b, "available", now - 500), statusEvent(c, "available", now - 500)],
        { geo },
      );
      expect(await nearby()).toEqual([b, c]);
      expect(await geo.get(a)).toMatchObject({ status: "busy", vehicleType: "sedan", position: { recordedAt: now - 1000 } });
    });

    test("one setStatus per batch with each driver's latest change; on equal times the later record wins", async () => {
      const [a, b] = [driver(), driver()];
      const events = [
        statusEvent(a, "available", now - 300),
        statusEvent(b, "busy", now - 300),
        statusEvent(a, "busy", now - 100),
        statusEvent(a, "offline", now - 200),
        statusEvent(b, "available", now - 300),
      ];
      await statusHandler(events, { geo });
      expect(geo.statuses.length).toBe(1);
      expect(geo.statuses[0]!.map((u) => [u.driverId, u.status])).toEqual([
        [a, "busy"],
        [b, "available"],
      ]);
      expect([await status(a), await status(b)]).toEqual(["busy", "available"]);
    });

    test("a change older than the one applied, delivered later (redelivery, replay), changes nothing", async () => {
      const a = driver();
      await statusHandler([statusEvent(a, "busy", now - 100)], { geo });
      await statusHandler([statusEvent(a, "available", now - 200)], { geo });
      expect(await status(a)).toBe("busy");
    });

    test("the vehicle type decides which searches find the driver", async () => {
      const a = driver();
      await geo.upsertPositions([{ driverId: a, lat: HOME.lat, lng: HOME.lng, recordedAt: now - 1000 }]);
      await statusHandler([statusEvent(a, "available", now - 900, "van")], { geo });
      expect(await nearby("van")).toEqual([a]);
      expect(await nearby("sedan")).toEqual([]);
    });

    test("a geo failure is RetryableError; a record of another type is NonRetriableError", async () => {
      const a = driver();
      const down = spyGeo(geo, () => new Error("socket closed"));
      await expect(statusHandler([statusEvent(a, "available", now)], { geo: down })).rejects.toBeInstanceOf(RetryableError);
      const wrong = { ...statusEvent(a, "available", now), type: "driver.status.reported" };
      await expect(statusHandler([wrong], { geo })).rejects.toBeInstanceOf(NonRetriableError);
    });
  });
}
