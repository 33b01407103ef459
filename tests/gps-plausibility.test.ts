import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { queryTrail } from "../shared/history/trail-query.ts";
import { recordingPublisher } from "../workers/booking/testing.ts";
import { createLocationHandler } from "../workers/location/location-handler.ts";
import { HOME, locationEvent, statusEvent, type TestFix } from "../workers/location/testing.ts";
import { statusHandler } from "../workers/status/status-handler.ts";
import { type BookingEnv, type Mode, north, openBookingEnv, until } from "./bookings-env.ts";
import { asCustomerClient, asOperatorClient } from "./support/api-client.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for the booking worker.
setDefaultTimeout(60_000);

/** One wave wide enough for every position a driver here takes: only plausibility decides who is offered. */
const WAVES = { radiiM: [5_000], batchSize: 10, offerTtlMs: 60_000 };

/**
 * Issue 6: "a teleporting driver is flagged and not offered bookings". Fixes go through
 * the location worker's handler and statuses through the status worker's, into the geo
 * index the booking worker (under the real runtime) matches from.
 */
function runPlausibility(mode: Mode): void {
  describe(`GPS plausibility end to end: ${mode}`, () => {
    let env: BookingEnv;
    beforeAll(async () => {
      env = await openBookingEnv(mode, WAVES);
    });
    afterAll(() => env?.close());

    const run = crypto.randomUUID().slice(0, 8);
    const [teleporter, steady] = [`tele-${run}`, `steady-${run}`];
    const handler = createLocationHandler();
    const book = async (customerId: string) => {
      const res = await asCustomerClient(env.app, customerId).POST("/v1/bookings", {
        params: { header: { "Idempotency-Key": `key-${customerId}` } },
        body: { pickup: HOME, dropoff: north(HOME, 4_000), vehicleType: "sedan" },
      });
      expect(res.response.status).toBe(202);
      return res.data!.bookingId;
    };
    const offeredTo = async (bookingId: string, count: number) => {
      const get = async () =>
        (await asOperatorClient(env.app).GET("/v1/bookings/{bookingId}", { params: { path: { bookingId } } })).data?.status;
      await until(get, (s) => s === "offered", "the booking to be offered");
      const offers = await until(
        () => env.notifications().filter((n) => n.subjectId === bookingId && n.kind === "booking.offer"),
        (o) => o.length >= count,
        `${count} offer(s)`,
      );
      return offers.map((n) => n.recipientId).sort();
    };

    test("a teleporting driver (5,000 km/h between two fixes) is flagged and not offered a booking; a plausible fix makes it matchable again", async () => {
      // Fresh fixes: a driver silent for 60 s is not offered anything anyway.
      const t0 = Date.now() - 20_000;
      const report = (driverId: string, fixes: TestFix[]) =>
        handler([locationEvent(driverId, t0, fixes)], { db: env.history, geo: env.geo, publisher: recordingPublisher() });
      await statusHandler([statusEvent(teleporter, "available", t0), statusEvent(steady, "available", t0)], { geo: env.geo });
      await report(teleporter, [
        { s: 0, north: 300 },
        { s: 1, north: 305 },
      ]);
      await report(steady, [
        { s: 0, north: 600 },
        { s: 1, north: 610 },
      ]);
      // 1.4 km in one second: about 5,000 km/h.
      await report(teleporter, [{ s: 2, north: 1_705 }]);

      const trail = await queryTrail(env.history, { driverId: teleporter });
      expect(trail.points.map((p) => [(p.recordedAt - t0) / 1000, p.flags])).toEqual([
        [0, []],
        [2, ["speed"]],
      ]);
      expect(await env.geo.get(teleporter)).toMatchObject({ suspect: true, position: { recordedAt: t0 + 1_000 } });
      // Operators (and the driver) see the flag; the last fix shown is the last plausible one.
      expect(
        (await asOperatorClient(env.app).GET("/v1/drivers/{driverId}", { params: { path: { driverId: teleporter } } })).data,
      ).toMatchObject({
        suspect: true,
        lastFix: { recordedAt: new Date(t0 + 1_000).toISOString() },
      });

      const first = await book(`cust-1-${run}`);
      expect(await offeredTo(first, 1)).toEqual([steady]);

      // Back where it plausibly was: too fast from the jump, not from its last plausible fix.
      await report(teleporter, [{ s: 4, north: 320 }]);
      expect(await env.geo.get(teleporter)).toMatchObject({ suspect: false, position: { recordedAt: t0 + 4_000 } });
      const second = await book(`cust-2-${run}`);
      expect(await offeredTo(second, 1)).toContain(teleporter);
      // Nothing of the first booking reached the teleporter meanwhile.
      expect(
        env
          .notifications()
          .filter((n) => n.subjectId === first)
          .map((n) => n.recipientId),
      ).not.toContain(teleporter);
    });
  });
}

runPlausibility("embedded log + embedded geo");
runPlausibility("Kafka + Redis");
