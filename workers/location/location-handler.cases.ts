import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { Db } from "../../shared/db/open-libsql.ts";
import { driverTrail } from "../../shared/db/schema.ts";
import { NonRetriableError, RetryableError } from "../../shared/errors/errors.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { recordingPublisher } from "../booking/testing.ts";
import { createLocationHandler } from "./location-handler.ts";
import { HOME, latAt, locationEvent, spyGeo, statusEvent, type TestFix } from "./testing.ts";

/**
 * The location handler against a real history database and a real GeoIndex: each
 * adapter's test file runs these. `createGeo` gives an empty index (or one whose
 * drivers no other test uses) for each test.
 */
export function runLocationHandlerCases(opts: { name: string; createGeo: () => Promise<GeoIndex> }): void {
  describe(`location handler over ${opts.name}`, () => {
    let db: Db;
    let geo: ReturnType<typeof spyGeo>;
    let publisher: ReturnType<typeof recordingPublisher>;
    let cleanup: () => Promise<void>;
    const t0 = Date.UTC(2026, 10, 1, 8, 0, 0);
    const driver = () => `drv-${crypto.randomUUID().slice(0, 8)}`;

    beforeEach(async () => {
      const history = await openTempHistory("fleet-location-");
      const inner = await opts.createGeo();
      db = history.db;
      geo = spyGeo(inner);
      publisher = recordingPublisher();
      cleanup = async () => {
        await inner.close();
        history.remove();
      };
    });
    afterEach(() => cleanup());

    const trail = async (driverId: string) =>
      (
        await db.orm
          .select({ t: driverTrail.recordedAt, lat: driverTrail.lat })
          .from(driverTrail)
          .where(eq(driverTrail.driverId, driverId))
          .orderBy(driverTrail.recordedAt)
      ).map((r) => (r.t - t0) / 1000);
    const position = async (driverId: string) => {
      const p = (await geo.get(driverId))?.position;
      return p && { s: (p.recordedAt - t0) / 1000, lat: p.lat };
    };

    test("one upsertPositions per batch carrying each driver's newest fix, whatever order the fixes came in", async () => {
      const [a, b] = [driver(), driver()];
      const handler = createLocationHandler();
      await handler(
        [
          locationEvent(a, t0, [{ s: 5, north: 240 }, { s: 1 }, { s: 3, north: 120 }]),
          locationEvent(b, t0, [{ s: 2, north: 20 }]),
          locationEvent(a, t0, [
            { s: 4, north: 180 },
            { s: 2, north: 60 },
          ]),
        ],
        { db, geo, publisher },
      );
      expect(geo.positions.length).toBe(1);
      expect(geo.positions[0]!.map((u) => [u.driverId, (u.recordedAt - t0) / 1000])).toEqual([
        [a, 5],
        [b, 2],
      ]);
      expect(await position(a)).toEqual({ s: 5, lat: expect.closeTo(latAt(240), 5) });
      expect(await trail(a)).toEqual([1, 2, 3, 4, 5]); // each 60 m on from the one before
    });

    test("the newest fix wins across batches; an older one arriving later moves no one back and adds no trail point", async () => {
      const a = driver();
      const handler = createLocationHandler();
      await handler([locationEvent(a, t0, [{ s: 10 }])], { db, geo, publisher });
      await handler([locationEvent(a, t0, [{ s: 40, north: 100 }])], { db, geo, publisher });
      await handler([locationEvent(a, t0, [{ s: 25, north: 900 }])], { db, geo, publisher });
      expect(await position(a)).toEqual({ s: 40, lat: expect.closeTo(latAt(100), 5) });
      expect(await trail(a)).toEqual([10, 40]);
    });

    test("a redelivered batch, or part of it, to this or a restarted worker adds no trail rows and moves no one", async () => {
      const a = driver();
      const events = [0, 10, 20, 30].map((s) =>
        locationEvent(a, t0, [
          { s, north: s * 6 },
          { s: s + 5, north: s * 6 + 30 },
        ]),
      );
      await createLocationHandler()(events, { db, geo, publisher });
      const before = { trail: await trail(a), position: await position(a) };
      expect(before.trail).toEqual([0, 10, 20, 30]);
      await createLocationHandler()(events, { db, geo, publisher });
      const same = createLocationHandler();
      await same(events.slice(1, 3), { db, geo, publisher });
      await same(events, { db, geo, publisher });
      expect(await trail(a)).toEqual(before.trail);
      expect(await position(a)).toEqual(before.position);
    });

    /** 5 minutes, a fix a second, sent 10 at a time (a phone flushing), delivered 6 records a batch. */
    async function drive(driverId: string, northAt: (s: number) => number) {
      const handler = createLocationHandler();
      const events = Array.from({ length: 30 }, (_, i) =>
        locationEvent(
          driverId,
          t0,
          Array.from({ length: 10 }, (_, j): TestFix => ({ s: i * 10 + j, north: northAt(i * 10 + j) })),
        ),
      );
      for (let i = 0; i < events.length; i += 6) await handler(events.slice(i, i + 6), { db, geo, publisher });
    }

    test("downsampling: standing still for 5 minutes stores one point per 30 s, 10 in all", async () => {
      const a = driver();
      await drive(a, (s) => (s % 2 ? 8 : -8)); // GPS jitter
      expect(await trail(a)).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270]);
      expect((await position(a))?.s).toBe(299);
      expect(geo.positions.length).toBe(5);
    });

    test("downsampling: driving at 20 m/s stores a point every 50 m or more, one per 3 s: 100", async () => {
      const a = driver();
      await drive(a, (s) => s * 20);
      const stored = await trail(a);
      expect(stored.length).toBe(100);
      expect(stored.slice(0, 4)).toEqual([0, 3, 6, 9]);
    });

    test("a failing geo index is a RetryableError (cause kept); the trail is written, and the retry completes the batch", async () => {
      const a = driver();
      const events = [locationEvent(a, t0, [{ s: 0 }, { s: 31 }])];
      const down = spyGeo(geo, () => Object.assign(new Error("Connection closed"), { code: "ERR_REDIS_CONNECTION_CLOSED" }));
      const handler = createLocationHandler();
      const err = await handler(events, { db, geo: down, publisher }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryableError);
      expect(((err as Error).cause as { code?: string }).code).toBe("ERR_REDIS_CONNECTION_CLOSED");
      expect(await trail(a)).toEqual([0, 31]);
      await handler(events, { db, geo, publisher });
      expect((await position(a))?.s).toBe(31);
      expect(await trail(a)).toEqual([0, 31]);
    });

    const flagsOf = async (driverId: string) =>
      (
        await db.orm
          .select({ t: driverTrail.recordedAt, flags: driverTrail.flags })
          .from(driverTrail)
          .where(eq(driverTrail.driverId, driverId))
          .orderBy(driverTrail.recordedAt)
      ).map((r) => [(r.t - t0) / 1000, r.flags ?? "ok"]);
    const nearbyIds = async (now: number) =>
      (await geo.nearby({ ...HOME, radiusM: 10_000, vehicleType: "sedan", limit: 10, now, staleAfterMs: 60_000 })).map((d) => d.driverId);

    test("a teleport (5,000 km/h) is stored flagged 'speed' and holds the driver out of nearby at its last plausible position; a plausible fix brings it back", async () => {
      const a = driver();
      const handler = createLocationHandler();
      await geo.setStatus([{ driverId: a, status: "available", vehicleType: "sedan", changedAt: t0 }]);
      await handler([locationEvent(a, t0, [{ s: 0 }, { s: 10, north: 100 }])], { db, geo, publisher });
      expect(await nearbyIds(t0 + 10_000)).toContain(a);

      await handler([locationEvent(a, t0, [{ s: 11, north: 1_500 }])], { db, geo, publisher });
      expect(await nearbyIds(t0 + 11_000)).not.toContain(a);
      expect(await geo.get(a)).toMatchObject({ suspect: true, position: { recordedAt: t0 + 10_000 } });

      // Back where it plausibly is: too fast from the jump, but not from the last plausible fix.
      await handler([locationEvent(a, t0, [{ s: 13, north: 110 }])], { db, geo, publisher });
      expect(await nearbyIds(t0 + 13_000)).toContain(a);
      expect(await geo.get(a)).toMatchObject({ suspect: false, position: { recordedAt: t0 + 13_000 } });
      expect(await flagsOf(a)).toEqual([
        [0, "ok"],
        [10, "ok"],
        [11, "speed"],
        [13, "ok"],
      ]);
    });

    test("fixes the gateway flagged (accuracy, outside-area) are stored with their flags and make the driver suspect", async () => {
      const a = driver();
      const handler = createLocationHandler();
      await geo.setStatus([{ driverId: a, status: "available", vehicleType: "sedan", changedAt: t0 }]);
      await handler([locationEvent(a, t0, [{ s: 0 }, { s: 30, north: 60, flags: ["accuracy"] }])], { db, geo, publisher });
      expect(await nearbyIds(t0 + 30_000)).toEqual([]);
      expect(await geo.get(a)).toMatchObject({ suspect: true, position: { recordedAt: t0 } });
      await handler(
        [
          locationEvent(a, t0, [
            { s: 60, north: 120, flags: ["outside-area"] },
            { s: 90, north: 180 },
          ]),
        ],
        { db, geo, publisher },
      );
      expect(await nearbyIds(t0 + 90_000)).toEqual([a]);
      expect(await flagsOf(a)).toEqual([
        [0, "ok"],
        [30, "accuracy"],
        [60, "outside-area"],
        [90, "ok"],
      ]);
    });

    test("a worker that did not see the driver before judges its first fix against the index's last plausible position", async () => {
      const a = driver();
      await geo.setStatus([{ driverId: a, status: "available", vehicleType: "sedan", changedAt: t0 }]);
      await createLocationHandler()([locationEvent(a, t0, [{ s: 0 }])], { db, geo, publisher });
      await createLocationHandler()([locationEvent(a, t0, [{ s: 1, north: 2_000 }])], { db, geo, publisher }); // a restarted worker
      expect(await geo.get(a)).toMatchObject({ suspect: true, position: { recordedAt: t0 } });
    });

    test("a batch that failed is judged again from the same memory: its retry flags the same fixes", async () => {
      const a = driver();
      let down = true;
      const flaky: GeoIndex = {
        ...geo,
        upsertPositions: async (u) => (down ? Promise.reject(new Error("Connection closed")) : geo.upsertPositions(u)),
      };
      const handler = createLocationHandler();
      down = false;
      await handler([locationEvent(a, t0, [{ s: 0 }])], { db, geo: flaky, publisher });
      down = true;
      const jump = [locationEvent(a, t0, [{ s: 1, north: 3_000 }])];
      expect(await handler(jump, { db, geo: flaky, publisher }).catch((e: unknown) => e)).toBeInstanceOf(RetryableError);
      down = false;
      await handler(jump, { db, geo: flaky, publisher });
      expect(await geo.get(a)).toMatchObject({ suspect: true });
      expect(await flagsOf(a)).toEqual([
        [0, "ok"],
        [1, "speed"],
      ]);
    });

    test("a record of another type is a NonRetriableError naming its position; nothing of the batch is applied", async () => {
      const a = driver();
      const status = statusEvent(a, "available", t0);
      const wrong = { ...status, record: { ...status.record, offset: 41 } };
      const err = await createLocationHandler()([locationEvent(a, t0, [{ s: 0 }]), wrong], { db, geo, publisher }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NonRetriableError);
      expect((err as Error).message).toContain("/0@41: expected driver.location.reported v1, got driver.status.changed v1");
      expect(geo.positions.length).toBe(0);
      expect(await trail(a)).toEqual([]);
    });
  });
}
