import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Registry } from "prom-client";
import { type BookingDetails, readBooking } from "../shared/booking/booking-query.ts";
import { DEFAULT_TRIP } from "../shared/booking/trip-settings.ts";
import { bookings, driverCounters } from "../shared/db/schema.ts";
import { createStraightLineEta } from "../shared/eta/straight-line-eta.ts";
import { createEmbeddedGeoIndex } from "../shared/geo/embedded/embedded-geo.ts";
import { haversineM, M_PER_DEG_LAT } from "../shared/geo/haversine.ts";
import { openTempHistory } from "../shared/history/testing.ts";
import { uniqueName } from "../shared/log/kafka/kafka-test-env.ts";
import { silentLogger } from "../shared/logging/logger.ts";
import { createBookingHandler } from "../workers/booking/booking-handler.ts";
import { createBookingOutbox } from "../workers/booking/outbox.ts";
import { recordingPublisher } from "../workers/booking/testing.ts";
import { runWorker } from "../workers/runtime/run-worker.ts";
import { type BookingEnv, type Mode, north, openBookingEnv, seedDrivers, until } from "./bookings-env.ts";
import {
  type ActionBody,
  apiClient,
  customer as asCustomer,
  asCustomerClient,
  driver as asDriver,
  asDriverClient,
  operator as asOperator,
  asOperatorClient,
  bookingAction,
  bookingDetails,
  type Caller,
} from "./support/api-client.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for real consumers and timers.
setDefaultTimeout(90_000);

/** Long offers, so nothing runs out while a test drives a booking; arrival deadlines of 3 s past the ETA; customers wait 10 s. */
const WAVES = { radiiM: [1_000, 3_000], batchSize: 10, offerTtlMs: 60_000 };
const TRIP = { ...DEFAULT_TRIP, arrivalGraceMs: 3_000, waitLimitMs: 10_000 };

/** A point `eastM` metres east and `northM` north of `o` (a local flat approximation, exact enough at city scale). */
const at = (o: { lat: number; lng: number }, northM: number, eastM = 0) => ({
  lat: o.lat + northM / M_PER_DEG_LAT,
  lng: o.lng + eastM / (M_PER_DEG_LAT * Math.cos((o.lat * Math.PI) / 180)),
});

function runTrips(mode: Mode): void {
  describe(`the trip end to end over HTTP: ${mode}`, () => {
    let env: BookingEnv;
    beforeAll(async () => {
      // GPS here moves faster than any car: fixes replay a trip in seconds, so the speed rule is lifted.
      env = await openBookingEnv(mode, WAVES, { trip: TRIP, location: { arrivalRadiusM: 100, maxSpeedKmh: 1_000_000 } });
    });
    afterAll(() => env?.close());

    const run = crypto.randomUUID().slice(0, 8);
    const town = (n: number) => ({ lat: 12.9716 + n * 0.5, lng: 77.5946 });
    const book = async (customerId: string, origin: { lat: number; lng: number }) => {
      const res = await asCustomerClient(env.app, customerId).POST("/v1/bookings", {
        params: { header: { "Idempotency-Key": `key-${customerId}` } },
        body: { pickup: origin, dropoff: north(origin, 3_000), vehicleType: "sedan" },
      });
      expect(res.response.status).toBe(202);
      return res.data!.bookingId;
    };
    const act = (bookingId: string, action: "accept" | "arrive" | "start" | "complete" | "cancel", who: Caller, body: ActionBody = {}) =>
      bookingAction(env.app, bookingId, action, who, body);
    const get = async (bookingId: string, who: Caller = asOperator()): Promise<BookingDetails | null> =>
      bookingDetails((await apiClient(env.app, who).GET("/v1/bookings/{bookingId}", { params: { path: { bookingId } } })).data) ?? null;
    const waitFor = async (bookingId: string, ok: (b: BookingDetails) => boolean, what: string): Promise<BookingDetails> =>
      (await until(
        () => get(bookingId),
        (b) => !!b && ok(b),
        what,
        60_000,
      ))!;
    const offersTo = (bookingId: string, driverId: string) =>
      env.notifications().filter((n) => n.subjectId === bookingId && n.kind === "booking.offer" && n.recipientId === driverId).length;
    const lastSent = new Map<string, number>();
    /**
     * Fixes posted by the driver through the gateway, `stepMs` apart, from now on (a few
     * seconds ahead at most, which the gateway accepts): newer than anything the driver
     * sent or was seeded with, so each moves it. Resolves with the last fix's time.
     */
    const drive = async (driverId: string, points: { lat: number; lng: number }[], stepMs = 20) => {
      const t0 = Math.max(Date.now() + stepMs, (lastSent.get(driverId) ?? 0) + stepMs);
      const fixes = points.map((p, i) => ({ ...p, recordedAt: new Date(t0 + i * stepMs).toISOString() }));
      const res = await asDriverClient(env.app, driverId).POST("/v1/drivers/{driverId}/locations", {
        params: { path: { driverId } },
        body: { fixes },
      });
      expect(res.response.status).toBe(202);
      lastSent.set(driverId, t0 + (points.length - 1) * stepMs);
      return t0 + (points.length - 1) * stepMs;
    };
    /** Until the driver's newest applied fix is the one recorded at `t`. */
    const applied = (driverId: string, t: number, what: string) =>
      until(
        async () => (await env.geo.get(driverId))?.position?.recordedAt,
        (at) => at === t,
        what,
      );
    const countersOf = async (driverId: string) =>
      (await asOperatorClient(env.app).GET("/v1/drivers/{driverId}", { params: { path: { driverId } } })).data?.counters;

    test("a driver cancelling after the accept: the booking is offered to the others, never again to them, and a second driver completes it", async () => {
      const home = town(21);
      const [d1, d2] = [`d1-${run}`, `d2-${run}`];
      await seedDrivers(env.geo, [
        { id: d1, at: north(home, 200) },
        { id: d2, at: north(home, 400) },
      ]);
      const customer = `cust-a-${run}`;
      const bookingId = await book(customer, home);
      await waitFor(bookingId, (b) => b.status === "offered", "the booking to be offered");
      await act(bookingId, "accept", asDriver(d1));
      await waitFor(bookingId, (b) => b.status === "accepted", "d1's accept");

      await act(bookingId, "cancel", asDriver(d1), { reason: "car trouble" });
      const again = await waitFor(bookingId, (b) => b.status === "offered" && b.reassignments === 1, "the booking offered again");
      expect(again.timeline.map((t) => t.type).slice(-3)).toEqual(["booking.cancelled", "booking.reassigning", "booking.offered"]);
      await until(
        () => offersTo(bookingId, d2),
        (n) => n === 2,
        "d2's second offer",
      );
      expect(offersTo(bookingId, d1)).toBe(1);
      const told = env
        .notifications()
        .filter((n) => n.subjectId === bookingId && n.recipientId === customer && n.kind === "booking.status");
      expect(told.map((n) => n.payload.status)).toContain("reassigning");
      expect(await countersOf(d1)).toEqual({ cancelsAfterAccept: 1, noShows: 0 });

      // d1 tries to take it back: refused, and told why.
      const late = await act(bookingId, "accept", asDriver(d1));
      await waitFor(bookingId, (b) => b.timeline.some((t) => t.eventId === late), "d1's late accept to be judged");
      await act(bookingId, "accept", asDriver(d2));
      await waitFor(bookingId, (b) => b.status === "accepted" && b.driverId === d2, "d2's accept");
      await act(bookingId, "arrive", asDriver(d2));
      await waitFor(bookingId, (b) => b.status === "arrived", "d2's arrival");
      const { pickupCode } = (await get(bookingId, asCustomer(customer)))!;
      expect(pickupCode).toMatch(/^\d{4}$/);
      await act(bookingId, "start", asDriver(d2), { pickupCode });
      await waitFor(bookingId, (b) => b.status === "started", "the start");
      await act(bookingId, "complete", asDriver(d2));
      const done = await waitFor(bookingId, (b) => b.status === "completed", "the completion");
      expect(done).toMatchObject({ driverId: d2, reassignments: 1, finalFare: { currency: "INR", surge: 1 } });
      expect(done.timeline.find((t) => t.eventId === late)).toMatchObject({
        applied: false,
        reason: `driver ${d1} dropped the booking before`,
      });
      expect(offersTo(bookingId, d1)).toBe(1);
    });

    test("a driver who never arrives is dropped when the arrival deadline passes, and the booking goes to another", async () => {
      const home = town(22);
      const [slow, other] = [`slow-${run}`, `other-${run}`];
      // At the pickup already: the ETA is zero, so the deadline is the grace alone.
      await seedDrivers(env.geo, [
        { id: slow, at: home },
        { id: other, at: north(home, 500) },
      ]);
      const bookingId = await book(`cust-b-${run}`, home);
      await waitFor(bookingId, (b) => b.status === "offered", "the booking to be offered");
      const accepted = Date.now();
      await act(bookingId, "accept", asDriver(slow));
      const b = await waitFor(bookingId, (x) => x.reassignments === 1 && x.status === "offered", "the no-show to be dropped");
      expect(Date.now() - accepted).toBeGreaterThanOrEqual(TRIP.arrivalGraceMs);
      expect(b.timeline.map((t) => t.type)).toEqual([
        "booking.requested",
        "booking.offered",
        "booking.accepted",
        "booking.arrival-due",
        "booking.reassigning",
        "booking.offered",
      ]);
      expect(await countersOf(slow)).toEqual({ cancelsAfterAccept: 0, noShows: 1 });
      await until(
        () => offersTo(bookingId, other),
        (n) => n === 2,
        "the other driver's new offer",
      );
      expect(offersTo(bookingId, slow)).toBe(1);
    });

    test("auto-arrival: the first fix inside the pickup's radius marks the driver arrived, once, however many fixes follow", async () => {
      const home = town(23);
      const d = `geo-${run}`;
      await seedDrivers(env.geo, [{ id: d, at: north(home, 600) }]);
      const bookingId = await book(`cust-c-${run}`, home);
      await waitFor(bookingId, (b) => b.status === "offered", "the booking to be offered");
      await act(bookingId, "accept", asDriver(d));
      await waitFor(bookingId, (b) => b.status === "accepted", "the accept");

      // 600 m out to 200 m: nothing yet.
      const far = await drive(
        d,
        [600, 500, 400, 300, 200].map((m) => north(home, m)),
        100,
      );
      await applied(d, far, "the approach to be applied");
      expect((await get(bookingId))!.status).toBe("accepted");
      // Into the radius and around the pickup, over two requests.
      await drive(
        d,
        [150, 90, 40, 10].map((m) => north(home, m)),
        100,
      );
      await waitFor(bookingId, (b) => b.status === "arrived", "the geofence arrival");
      const around = await drive(
        d,
        [5, 0, 8, 3].map((m) => north(home, m)),
        100,
      );
      await applied(d, around, "the last fixes to be applied");
      await Bun.sleep(300); // room for any repeat to land and be judged
      const arrivals = (await get(bookingId))!.timeline.filter((t) => t.type === "booking.driver-arrived");
      expect(arrivals).toHaveLength(1);
      expect(arrivals[0]!.applied).toBe(true);
    });

    test("after the driver arrived: the customer cancelling owes the fee; a customer who never shows is cancelled as a no-show, with the fee", async () => {
      const home = town(25);
      const [d1, d2] = [`wait1-${run}`, `wait2-${run}`];
      await seedDrivers(env.geo, [
        { id: d1, at: north(home, 100) },
        { id: d2, at: north(home, 5_000) },
      ]);
      const arrivedWith = async (customer: string, origin: { lat: number; lng: number }, driver: string) => {
        const bookingId = await book(customer, origin);
        await waitFor(bookingId, (b) => b.status === "offered", "the booking to be offered");
        await act(bookingId, "accept", asDriver(driver));
        await waitFor(bookingId, (b) => b.status === "accepted", "the accept");
        await act(bookingId, "arrive", asDriver(driver));
        return (await waitFor(bookingId, (b) => b.status === "arrived", "the arrival")).bookingId;
      };
      const cancelled = await arrivedWith(`cust-e-${run}`, home, d1);
      await act(cancelled, "cancel", asCustomer(`cust-e-${run}`), { reason: "found another ride" });
      expect(await waitFor(cancelled, (b) => b.status === "cancelled", "the cancel")).toMatchObject({
        cancelledBy: "customer",
        endReason: "found another ride",
        fee: { amount: 50, currency: "INR" },
      });

      const waited = Date.now();
      const noShow = await arrivedWith(`cust-f-${run}`, north(home, 5_000), d2);
      const b = await waitFor(noShow, (x) => x.status === "cancelled", "the customer no-show");
      expect(Date.now() - waited).toBeGreaterThanOrEqual(TRIP.waitLimitMs);
      expect(b).toMatchObject({ cancelledBy: "system", endReason: "customer-no-show", fee: { amount: 50, currency: "INR" } });
      expect(b.timeline.map((t) => t.type).slice(-2)).toEqual(["booking.driver-arrived", "booking.wait-due"]);
      expect((await env.geo.get(d2))?.status).toBe("available");
    });

    test("the final fare of a trip driven along a known path is priced on that path's length", async () => {
      const home = town(24);
      const d = `path-${run}`;
      await seedDrivers(env.geo, [{ id: d, at: home }]);
      const customer = `cust-d-${run}`;
      const bookingId = await book(customer, home);
      await waitFor(bookingId, (b) => b.status === "offered", "the booking to be offered");
      await act(bookingId, "accept", asDriver(d));
      await waitFor(bookingId, (b) => b.status === "accepted", "the accept");
      await act(bookingId, "arrive", asDriver(d));
      await waitFor(bookingId, (b) => b.status === "arrived", "the arrival");
      const { pickupCode } = (await get(bookingId, asCustomer(customer)))!;
      await act(bookingId, "start", asDriver(d), { pickupCode });
      const started = await waitFor(bookingId, (b) => b.status === "started", "the start");

      // An L: 1,200 m north, then 800 m east, a fix every 20 m, recorded after the start.
      const path = [
        ...Array.from({ length: 61 }, (_, i) => at(home, i * 20)),
        ...Array.from({ length: 40 }, (_, i) => at(home, 1_200, (i + 1) * 20)),
      ];
      const length = path.slice(1).reduce((m, p, i) => m + haversineM(path[i]!.lat, path[i]!.lng, p.lat, p.lng), 0);
      const last = await drive(d, path);
      expect(Date.parse(started.startedAt!)).toBeLessThan(last - (path.length - 1) * 20);
      await applied(d, last, "the path to be applied");
      // The completion must come after the last fix was recorded, or the window would leave it out.
      while (Date.now() <= last) await Bun.sleep(20);
      await act(bookingId, "complete", asDriver(d));
      const done = await waitFor(bookingId, (b) => b.status === "completed", "the completion");
      const fare = done.finalFare!;
      console.log(
        `trip fare (${mode}): known path ${Math.round(length)} m with one turn → priced on ${fare.distanceM} m, ${fare.amount} INR`,
      );
      // Downsampled trail (a point per ≥ 50 m): never longer than the path, short by < 50 m at each end and ≤ 15 m at the turn.
      expect(fare.distanceM).toBeLessThanOrEqual(Math.round(length) + 1);
      expect(fare.distanceM).toBeGreaterThanOrEqual(length - 115);
      expect(fare.amount).toBeCloseTo(50 + (16 * fare.distanceM) / 1000, 1);
      expect(done.fareEstimate.amount).toBeCloseTo(50 + 16 * 3, 1);
    });

    test("replaying the bookings topic into an empty database rebuilds identical bookings, fares and counters", async () => {
      const replica = await openTempHistory("fleet-trip-replay-");
      const group = uniqueName("fleet-booking-replay");
      // Nobody around and nothing published: the replay must take every decision from the log.
      const deps = {
        db: replica.db,
        geo: createEmbeddedGeoIndex(),
        eta: createStraightLineEta(),
        outbox: createBookingOutbox(replica.db, recordingPublisher()),
      };
      const worker = await runWorker({
        log: env.log,
        group,
        topics: [env.topics.bookings],
        handler: createBookingHandler({ waves: WAVES, trip: TRIP }),
        deps,
        registry: new Registry(),
        logger: silentLogger(),
        maxBatchSize: 100,
      });
      try {
        await until(
          async () => (await env.log.admin().lag(group, [env.topics.bookings])).reduce((n, p) => n + p.lag, 0),
          (lag) => lag === 0,
          "the replay to reach the end of the topic",
          60_000,
        );
        const ids = (await env.history.orm.select({ id: bookings.bookingId }).from(bookings)).map((r) => r.id).sort();
        expect(ids.length).toBeGreaterThanOrEqual(4);
        for (const id of ids) expect(await readBooking(replica.db, id)).toEqual(await env.booking(id));
        const counters = async (db: typeof replica.db) =>
          (await db.orm.select().from(driverCounters)).sort((a, b) => a.driverId.localeCompare(b.driverId));
        expect(await counters(replica.db)).toEqual(await counters(env.history));
        expect((await counters(env.history)).length).toBeGreaterThanOrEqual(2);
      } finally {
        await worker.stop();
        replica.remove();
      }
    });
  });
}

runTrips("embedded log + embedded geo");
runTrips("Kafka + Redis");
