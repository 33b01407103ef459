import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { readBooking } from "../../shared/booking/booking-query.ts";
import { readDriverCounters } from "../../shared/booking/driver-counters.ts";
import { FARE_TABLE } from "../../shared/booking/fare.ts";
import { arrivalDueEventId, waitDueEventId } from "../../shared/booking/ids.ts";
import { DEFAULT_TRIP } from "../../shared/booking/trip-settings.ts";
import { insertRows } from "../../shared/db/insert-rows.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { bookingTimers } from "../../shared/db/schema.ts";
import { createStraightLineEta } from "../../shared/eta/straight-line-eta.ts";
import type { BookingOffered, BookingReassigning, FinalFare } from "../../shared/events/booking.ts";
import type { NotificationRequested } from "../../shared/events/notification.ts";
import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { createBookingHandler } from "./booking-handler.ts";
import { consumed, dataOf, handledBy, loopback, northOf, PICKUP, recordingPublisher, requestedEvent, seedDrivers } from "./testing.ts";

const WAVES = { radiiM: [1_000, 3_000], batchSize: 2, offerTtlMs: 15_000 };
const TRIP = { ...DEFAULT_TRIP, reassign: { maxReassignments: 2, windowMs: 1_800_000 } };

/* The trip after the accept: drops and reassignment, arrival and no-shows, cancellation fees, the final fare. */
describe("booking handler, the trip (libSQL file + embedded geo)", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let db: Db;
  let geo: GeoIndex;
  let publisher: ReturnType<typeof recordingPublisher>;
  const handler = handledBy(createBookingHandler({ waves: WAVES, trip: TRIP }));
  const deps = () => ({ db, geo, publisher, eta: createStraightLineEta() });
  const booking = (id: string) => readBooking(db, id);
  const at = (t0: number, s: number) => ({ occurredAt: new Date(t0 + s * 1000) });

  beforeEach(async () => {
    history = await openTempHistory("fleet-booking-trip-");
    db = history.db;
    geo = createEmbeddedGeoIndex();
    publisher = recordingPublisher();
  });
  afterEach(() => history.remove());

  /** A booking offered to d-1 and d-2 and accepted by d-1. */
  async function acceptedBy(key: string) {
    await seedDrivers(geo, [
      { id: "d-1", north: 100 },
      { id: "d-2", north: 300 },
      { id: "d-3", north: 2_000 },
    ]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", key);
    await log.deliver(req);
    await log.deliver(consumed("booking.accepted", { bookingId: req.key, driverId: "d-1" }));
    return { log, bookingId: req.key };
  }

  test("a driver cancelling after the accept frees the booking: searched again from wave 1 without them, counted, never theirs again", async () => {
    const { log, bookingId } = await acceptedBy("k-1");
    await log.deliver(consumed("booking.cancelled", { bookingId, by: "driver", driverId: "d-1", reason: "flat tyre" }));

    const b = await booking(bookingId);
    expect(b).toMatchObject({ status: "offered", reassignments: 1 });
    expect(b!.driverId).toBeUndefined();
    expect(b!.timeline.map((t) => t.type).slice(-3)).toEqual(["booking.cancelled", "booking.reassigning", "booking.offered"]);
    expect(dataOf<BookingReassigning>(log.published, "booking.reassigning")).toEqual([
      { bookingId, round: 1, droppedDriverId: "d-1", reason: "driver-cancelled" },
    ]);
    // Wave 1 again, to the nearest drivers except the one who dropped it.
    expect(dataOf<BookingOffered>(log.published, "booking.offered").at(-1)).toMatchObject({ wave: 1, round: 1, driverIds: ["d-2"] });
    expect(await readDriverCounters(db, "d-1")).toEqual({ cancelsAfterAccept: 1, noShows: 0 });
    expect((await geo.get("d-1"))?.status).toBe("available");
    const told = dataOf<NotificationRequested>(log.published, "notification.requested").filter((n) => n.kind === "booking.status");
    expect(told.map((n) => [n.recipientId, n.payload.status])).toContainEqual(["cust-1", "reassigning"]);
    expect(told.map((n) => [n.recipientId, n.payload.status])).toContainEqual(["d-1", "dropped"]);

    await log.deliver(consumed("booking.accepted", { bookingId, driverId: "d-1" }));
    expect(dataOf(log.published, "booking.accept-rejected").at(-1)).toEqual({ bookingId, driverId: "d-1", reason: "dropped" });
    await log.deliver(consumed("booking.accepted", { bookingId, driverId: "d-2" }));
    expect(await booking(bookingId)).toMatchObject({ status: "accepted", driverId: "d-2" });
  });

  test("a driver who never arrives is dropped when the arrival deadline fires, and the booking reassigned", async () => {
    const { log, bookingId } = await acceptedBy("k-2");
    const [timer] = await db.orm.select().from(bookingTimers).where(eq(bookingTimers.bookingId, bookingId));
    // d-1 was 100 m away: ETA (straight line, sedan) plus the grace.
    expect(timer!.eventId).toBe(arrivalDueEventId(bookingId, "d-1"));
    const acceptedAt = Date.parse((await booking(bookingId))!.timeline.find((t) => t.type === "booking.accepted")!.at);
    const eta = await createStraightLineEta().estimate({ from: northOf(100), to: PICKUP, vehicleType: "sedan" });
    expect(timer!.dueAt).toBe(acceptedAt + eta.seconds * 1000 + TRIP.arrivalGraceMs);

    const due = consumed("booking.arrival-due", { bookingId, driverId: "d-1" }, { id: timer!.eventId, source: "booking-timers" });
    await log.deliver(due);
    await log.deliver(due);
    const b = await booking(bookingId);
    expect(b).toMatchObject({ status: "offered", reassignments: 1 });
    expect(b!.timeline.filter((t) => t.type === "booking.reassigning")).toHaveLength(1);
    expect(dataOf<BookingReassigning>(log.published, "booking.reassigning")).toEqual([
      { bookingId, round: 1, droppedDriverId: "d-1", reason: "driver-no-show" },
    ]);
    expect(await readDriverCounters(db, "d-1")).toEqual({ cancelsAfterAccept: 0, noShows: 1 });
  });

  test("past the reassignment limit the booking expires with the reason instead of searching again", async () => {
    await seedDrivers(geo, [
      { id: "d-1", north: 100 },
      { id: "d-2", north: 200 },
      { id: "d-3", north: 300 },
      { id: "d-4", north: 400 },
    ]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "k-3");
    await log.deliver(req);
    for (const d of ["d-1", "d-2", "d-3"]) {
      await log.deliver(consumed("booking.accepted", { bookingId: req.key, driverId: d }));
      await log.deliver(consumed("booking.cancelled", { bookingId: req.key, by: "driver", driverId: d }));
    }
    const b = await booking(req.key);
    expect(b).toMatchObject({ status: "expired", endReason: "reassign-limit", reassignments: 3 });
    expect(dataOf(log.published, "booking.reassigning")).toHaveLength(2);
  });

  test("arrival (by the driver) starts the wait; past the wait limit the customer is a no-show: cancelled with the fee", async () => {
    const { log, bookingId } = await acceptedBy("k-4");
    await log.deliver(consumed("booking.driver-arrived", { bookingId, driverId: "d-1", detectedBy: "driver" }));
    const timers = await db.orm.select().from(bookingTimers).where(eq(bookingTimers.bookingId, bookingId));
    expect(timers.map((t) => t.type)).toEqual(["booking.wait-due"]);
    await log.deliver(consumed("booking.wait-due", { bookingId, driverId: "d-1" }, { id: waitDueEventId(bookingId, "d-1") }));
    expect(await booking(bookingId)).toMatchObject({
      status: "cancelled",
      cancelledBy: "system",
      endReason: "customer-no-show",
      fee: { amount: FARE_TABLE.sedan.base, currency: "INR" },
    });
    expect((await geo.get("d-1"))?.status).toBe("available");
  });

  test("the customer cancelling after the driver arrived owes the cancellation fee; before, nothing", async () => {
    const { log, bookingId } = await acceptedBy("k-5");
    await log.deliver(consumed("booking.driver-arrived", { bookingId, driverId: "d-1", detectedBy: "geofence" }));
    await log.deliver(consumed("booking.cancelled", { bookingId, by: "customer", reason: "took a bus" }));
    expect(await booking(bookingId)).toMatchObject({
      status: "cancelled",
      cancelledBy: "customer",
      endReason: "took a bus",
      fee: { amount: FARE_TABLE.sedan.base, currency: "INR" },
    });
    const told = dataOf<NotificationRequested>(log.published, "notification.requested").filter(
      (n) => n.kind === "booking.status" && n.payload.status === "cancelled",
    );
    expect(told.map((n) => [n.recipientId, n.payload.fee])).toEqual([
      ["d-1", { amount: 50, currency: "INR" }],
      ["cust-1", { amount: 50, currency: "INR" }],
    ]);

    const early = await acceptedBy("k-6");
    await early.log.deliver(consumed("booking.cancelled", { bookingId: early.bookingId, by: "customer" }));
    expect((await booking(early.bookingId))!.fee).toBeUndefined();
  });

  test("completion: the worker prices the trip from the stored trail (distance driven, waiting past the free minutes) and completes it", async () => {
    const { log, bookingId } = await acceptedBy("k-7");
    const t0 = Date.now();
    await log.deliver(consumed("booking.driver-arrived", { bookingId, driverId: "d-1", detectedBy: "driver" }, at(t0, 0)));
    // 7 minutes at the pickup: 4 charged past the 3 free.
    await log.deliver(consumed("booking.started", { bookingId }, at(t0, 420)));
    // 2 km north in 20 points of 100 m, and a flagged jump that must not count.
    const points = Array.from({ length: 21 }, (_, i) => ({ ...northOf(i * 100), recordedAt: t0 + (430 + i * 10) * 1000, flags: null }));
    const jump = { ...northOf(50_000), recordedAt: t0 + 535_000, flags: "speed" };
    await insertRows(db.client as never, {
      table: "driver_trail",
      columns: ["driver_id", "recorded_at", "lat", "lng", "flags"],
      rows: [...points, jump].map((p) => ["d-1", p.recordedAt, p.lat, p.lng, p.flags]),
    });
    await log.deliver(consumed("booking.completion-requested", { bookingId }, at(t0, 700)));

    const b = await booking(bookingId);
    expect(b?.status).toBe("completed");
    const fare: FinalFare = {
      distanceM: 2000,
      waitingS: 420,
      base: 50,
      distanceCharge: 32,
      waitingFee: 8,
      surge: 1,
      amount: 90,
      currency: "INR",
    };
    expect(b!.finalFare).toEqual(fare);
    expect(b!.fareEstimate.amount).toBeGreaterThan(0);
    expect(dataOf(log.published, "booking.completed")).toEqual([{ bookingId, fare }]);
    expect((await geo.get("d-1"))?.status).toBe("available");
  });

  test("replaying the log into an empty database rebuilds the same bookings, fares and counters", async () => {
    const { log, bookingId } = await acceptedBy("k-8");
    await log.deliver(consumed("booking.cancelled", { bookingId, by: "driver", driverId: "d-1" }));
    await log.deliver(consumed("booking.accepted", { bookingId, driverId: "d-2" }));
    const t0 = Date.now();
    await log.deliver(consumed("booking.driver-arrived", { bookingId, driverId: "d-2", detectedBy: "geofence" }, at(t0, 0)));
    await log.deliver(consumed("booking.started", { bookingId }, at(t0, 60)));
    await insertRows(db.client as never, {
      table: "driver_trail",
      columns: ["driver_id", "recorded_at", "lat", "lng", "flags"],
      rows: [0, 500, 1200].map((m, i) => ["d-2", t0 + (70 + i * 30) * 1000, northOf(m).lat, northOf(m).lng, null]),
    });
    await log.deliver(consumed("booking.completion-requested", { bookingId }, at(t0, 200)));
    const original = await booking(bookingId);
    expect(original).toMatchObject({ status: "completed", driverId: "d-2", finalFare: { distanceM: 1200 } });

    const replica = await openTempHistory("fleet-booking-trip-replay-");
    try {
      // No trail and nobody around: the replay must take the fare and the decisions from the log.
      const again = { db: replica.db, geo: createEmbeddedGeoIndex(), publisher: recordingPublisher(), eta: createStraightLineEta() };
      await handler(log.delivered, again);
      expect(await readBooking(replica.db, bookingId)).toEqual(original);
      expect(await readDriverCounters(replica.db, "d-1")).toEqual(await readDriverCounters(db, "d-1"));
      expect(await readDriverCounters(replica.db, "d-1")).toEqual({ cancelsAfterAccept: 1, noShows: 0 });
    } finally {
      replica.remove();
    }
  });
});
