import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { readBooking } from "../../shared/booking/booking-query.ts";
import { arrivalDueEventId, decisionEventId, notificationIdFor } from "../../shared/booking/ids.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { bookingOutbox, bookingTimers } from "../../shared/db/schema.ts";
import { flushDeferred } from "../../shared/db/write-transaction.ts";
import { NonRetriableError, RetryableError } from "../../shared/errors/errors.ts";
import type { BookingOffered } from "../../shared/events/booking.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import type { NotificationRequested } from "../../shared/events/notification.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { createBookingHandler } from "./booking-handler.ts";
import {
  bookingDeps,
  consumed,
  consumedRecord,
  dataOf,
  handledBy,
  loopback,
  PICKUP,
  recordingPublisher,
  requestedEvent,
  seedDrivers,
  typesOf,
} from "./testing.ts";

const WAVES = { radiiM: [1_000, 3_000, 6_000], batchSize: 2, offerTtlMs: 15_000 };

describe("booking handler (libSQL file + embedded geo)", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let db: Db;
  let geo: GeoIndex;
  let publisher: ReturnType<typeof recordingPublisher>;
  let now: number;
  const handler = handledBy(createBookingHandler({ waves: WAVES, now: () => now }));
  let current: ReturnType<typeof bookingDeps<ReturnType<typeof recordingPublisher>>>;
  const deps = () => current;

  beforeEach(async () => {
    history = await openTempHistory("fleet-booking-handler-");
    db = history.db;
    geo = createEmbeddedGeoIndex();
    publisher = recordingPublisher();
    current = bookingDeps(db, geo, publisher);
    now = Date.now();
  });
  afterEach(() => history.remove());

  const booking = (id: string) => readBooking(db, id);

  test("requested: the worker decides wave 1 (nearest drivers within the first radius, batch-sized); applying it schedules the wave's end", async () => {
    await seedDrivers(geo, [
      { id: "far", north: 2_500 },
      { id: "near", north: 200 },
      { id: "mid", north: 600 },
      { id: "mid2", north: 900 },
    ]);
    const req = requestedEvent("cust-1", "k-1");
    await handler([req], deps());

    const b = await booking(req.key);
    expect(b).toMatchObject({ status: "requested", customerId: "cust-1", vehicleType: "sedan", pickup: PICKUP });
    expect(b!.timeline).toEqual([{ eventId: req.id, type: "booking.requested", at: req.occurredAt, applied: true }]);
    const [offered] = dataOf<BookingOffered>(publisher.records, "booking.offered");
    expect(offered).toEqual({
      bookingId: req.key,
      wave: 1,
      driverIds: ["near", "mid"],
      radiusM: 1000,
      expiresAt: new Date(now + 15_000).toISOString(),
    });
    expect(parseEnvelope(publisher.records[0]!.value)).toMatchObject({
      id: decisionEventId(req.key, req.id),
      correlationId: req.correlationId,
      source: "booking-worker",
    });
    // Published records are deleted with the next write transaction (outbox.ts).
    await flushDeferred(db);
    expect(await db.orm.select().from(bookingOutbox)).toEqual([]);
    // The decision is an event: the offers and the timer exist once it comes back through the log.
    expect(await db.orm.select().from(bookingTimers)).toEqual([]);
    await handler([consumedRecord(publisher.records[0]!)], deps());
    expect(await db.orm.select({ wave: bookingTimers.wave, dueAt: bookingTimers.dueAt }).from(bookingTimers)).toEqual([
      { wave: 1, dueAt: now + 15_000 },
    ]);
    expect(await booking(req.key)).toMatchObject({ status: "offered" });
  });

  test("offered: the booking is offered and each driver gets one offer notification with a deterministic id", async () => {
    await seedDrivers(geo, [
      { id: "d-1", north: 100 },
      { id: "d-2", north: 300 },
    ]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "k-2");
    await log.deliver(req);

    expect((await booking(req.key))?.status).toBe("offered");
    const offers = dataOf<NotificationRequested>(log.published, "notification.requested");
    const offeredId = decisionEventId(req.key, req.id);
    expect(offers.map((n) => [n.recipientId, n.kind, n.notificationId])).toEqual([
      ["d-1", "booking.offer", notificationIdFor(offeredId, "d-1")],
      ["d-2", "booking.offer", notificationIdFor(offeredId, "d-2")],
    ]);
    expect(offers[0]!.payload).toMatchObject({ bookingId: req.key, wave: 1, pickup: PICKUP, fareEstimate: { currency: "INR" } });
    expect(log.published.filter((r) => r.topic === TOPICS.notifications).map((r) => r.key)).toEqual(["d-1", "d-2"]);
  });

  test("first accept wins, the driver turns busy; a later accept is refused and that driver is told", async () => {
    await seedDrivers(geo, [
      { id: "d-1", north: 100 },
      { id: "d-2", north: 300 },
    ]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "k-3");
    await log.deliver(req);
    await log.deliver(
      consumed("booking.accepted", { bookingId: req.key, driverId: "d-2" }),
      consumed("booking.accepted", { bookingId: req.key, driverId: "d-1" }),
    );

    const b = await booking(req.key);
    expect(b).toMatchObject({ status: "accepted", driverId: "d-2" });
    expect(b!.timeline.map((t) => [t.type, t.applied, t.reason])).toEqual([
      ["booking.requested", true, undefined],
      ["booking.offered", true, undefined],
      ["booking.accepted", true, undefined],
      ["booking.accepted", false, "another driver accepted first"],
      ["booking.accept-rejected", true, undefined],
    ]);
    expect((await geo.get("d-2"))?.status).toBe("busy");
    expect((await geo.get("d-1"))?.status).toBe("available");
    expect(dataOf(log.published, "booking.accept-rejected")).toEqual([{ bookingId: req.key, driverId: "d-1", reason: "taken" }]);
    const told = dataOf<NotificationRequested>(log.published, "notification.requested").filter((n) => n.kind !== "booking.offer");
    expect(told.map((n) => [n.recipientId, n.kind, n.payload.status ?? n.payload.reason])).toEqual([
      ["d-1", "offer.withdrawn", "taken"],
      ["cust-1", "booking.status", "accepted"],
      ["d-1", "booking.accept-rejected", "taken"],
    ]);
    // The wave's timer is gone; the driver's arrival deadline replaces it.
    const timers = await db.orm.select().from(bookingTimers).where(eq(bookingTimers.bookingId, req.key));
    expect(timers.map((t) => [t.type, t.eventId, JSON.parse(t.data!)])).toEqual([
      ["booking.arrival-due", arrivalDueEventId(req.key, "d-2"), { bookingId: req.key, driverId: "d-2" }],
    ]);
  });

  test("start, complete: the driver is available again; complete before start is refused and recorded", async () => {
    await seedDrivers(geo, [{ id: "d-1", north: 100 }]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "k-4");
    await log.deliver(req);
    await log.deliver(consumed("booking.accepted", { bookingId: req.key, driverId: "d-1" }));
    await log.deliver(consumed("booking.completed", { bookingId: req.key }));
    expect((await booking(req.key))?.status).toBe("accepted");
    await log.deliver(consumed("booking.started", { bookingId: req.key }), consumed("booking.completed", { bookingId: req.key }));

    const b = await booking(req.key);
    expect(b?.status).toBe("completed");
    expect(b!.timeline.filter((t) => !t.applied)).toEqual([
      expect.objectContaining({ type: "booking.completed", reason: "booking.completed is not allowed while the booking is accepted" }),
    ]);
    expect((await geo.get("d-1"))?.status).toBe("available");
    expect(
      (await geo.nearby({ ...PICKUP, radiusM: 1000, vehicleType: "sedan", limit: 5, now: Date.now(), staleAfterMs: 60_000 })).map(
        (d) => d.driverId,
      ),
    ).toEqual(["d-1"]);
  });

  test("wave-due expands the radius to drivers not offered yet; after the last wave the booking expires", async () => {
    await seedDrivers(geo, [
      { id: "a", north: 300 },
      { id: "b", north: 2_000 },
    ]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "k-5");
    await log.deliver(req);
    await log.deliver(consumed("booking.wave-due", { bookingId: req.key, wave: 1 }, { source: "booking-timers" }));
    await log.deliver(consumed("booking.wave-due", { bookingId: req.key, wave: 1 }, { source: "booking-timers" }));
    expect(dataOf<BookingOffered>(log.published, "booking.offered").map((o) => [o.wave, o.radiusM, o.driverIds])).toEqual([
      [1, 1000, ["a"]],
      [2, 3000, ["b"]],
    ]);
    await log.deliver(consumed("booking.wave-due", { bookingId: req.key, wave: 2 }, { source: "booking-timers" }));

    const b = await booking(req.key);
    expect(b?.status).toBe("expired");
    expect(b!.timeline.map((t) => `${t.type}${t.applied ? "" : " (refused)"}`)).toEqual([
      "booking.requested",
      "booking.offered",
      "booking.wave-due",
      "booking.offered",
      "booking.wave-due (refused)",
      "booking.wave-due",
      "booking.expired",
    ]);
    expect(dataOf(log.published, "booking.expired")).toEqual([{ bookingId: req.key, reason: "no-acceptance" }]);
    expect(dataOf<NotificationRequested>(log.published, "notification.requested").at(-1)).toMatchObject({
      recipientId: "cust-1",
      kind: "booking.status",
      payload: { status: "expired" },
    });
  });

  test("nobody within any radius: the booking expires at once for lack of drivers", async () => {
    await seedDrivers(geo, [{ id: "too-far", north: 7_000 }]);
    await seedDrivers(geo, [{ id: "a-van", north: 100 }], "van");
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "k-6");
    await log.deliver(req);
    expect((await booking(req.key))?.status).toBe("expired");
    expect(dataOf(log.published, "booking.expired")).toEqual([{ bookingId: req.key, reason: "no-drivers" }]);
  });

  test("accept after cancel is refused as closed; the driver is told", async () => {
    await seedDrivers(geo, [{ id: "d-1", north: 100 }]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "k-7");
    await log.deliver(req);
    await log.deliver(consumed("booking.cancelled", { bookingId: req.key, by: "customer", reason: "changed my mind" }));
    await log.deliver(consumed("booking.accepted", { bookingId: req.key, driverId: "d-1" }));
    const b = await booking(req.key);
    expect(b?.status).toBe("cancelled");
    expect(b!.timeline.at(-2)).toMatchObject({ type: "booking.accepted", applied: false, reason: "the booking is cancelled" });
    expect(dataOf(log.published, "booking.accept-rejected")).toEqual([{ bookingId: req.key, driverId: "d-1", reason: "closed" }]);
  });

  test("a redelivered event applies once; a second requested for the same booking under another id is refused", async () => {
    await seedDrivers(geo, [{ id: "d-1", north: 100 }]);
    const req = requestedEvent("cust-1", "k-8");
    await handler([req, req], deps());
    await handler([req], deps());
    await handler([{ ...req, id: crypto.randomUUID() }], deps());
    expect(typesOf(publisher.records, TOPICS.bookings)).toEqual(["booking.offered"]);
    expect((await booking(req.key))!.timeline.map((t) => [t.type, t.applied, t.reason])).toEqual([
      ["booking.requested", true, undefined],
      ["booking.requested", false, "the booking already exists"],
    ]);
  });

  test("replaying the log into an empty database, against a geo index that moved on, rebuilds the same booking", async () => {
    await seedDrivers(geo, [
      { id: "d-1", north: 100 },
      { id: "d-2", north: 2_000 },
    ]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "k-10");
    await log.deliver(req);
    await log.deliver(consumed("booking.wave-due", { bookingId: req.key, wave: 1 }, { source: "booking-timers" }));
    await log.deliver(
      consumed("booking.accepted", { bookingId: req.key, driverId: "d-2" }),
      consumed("booking.accepted", { bookingId: req.key, driverId: "d-1" }),
    );
    await log.deliver(consumed("booking.started", { bookingId: req.key }), consumed("booking.completed", { bookingId: req.key }));
    const original = await booking(req.key);

    expect(original).toMatchObject({ status: "completed", driverId: "d-2" });

    // Now someone else is nearest; or nobody is, and the replay decides expiries where the original offered.
    for (const drivers of [[{ id: "newcomer", north: 50 }], []]) {
      const replica = await openTempHistory("fleet-booking-replay-");
      try {
        const moved = createEmbeddedGeoIndex();
        await seedDrivers(moved, drivers);
        const again = bookingDeps(replica.db, moved, recordingPublisher());
        await handler(log.delivered, again);
        // What the replay decided anew lands after the log's end, under the ids of the original decisions.
        await handler(again.publisher.records.filter((r) => r.topic === TOPICS.bookings).map(consumedRecord), again);
        expect(await readBooking(replica.db, req.key)).toEqual(original);
      } finally {
        replica.remove();
      }
    }
  });

  test("follow-ups that cannot be published wait in the outbox; while they do, the next batch fails (retried, never piling up); then they go out", async () => {
    await seedDrivers(geo, [{ id: "d-1", north: 100 }]);
    const bare = createBookingHandler({ waves: WAVES, now: () => now });
    const req = requestedEvent("cust-1", "k-9");
    publisher.failing = true;
    // The commit does not wait for the log: the handler succeeds, its background drain fails.
    await bare([req], deps());
    await expect(deps().outbox.published()).rejects.toBeInstanceOf(RetryableError);
    expect((await booking(req.key))?.status).toBe("requested");
    expect((await db.orm.select().from(bookingOutbox)).length).toBe(1);
    const next = requestedEvent("cust-2", "k-10");
    await expect(bare([next], deps())).rejects.toBeInstanceOf(RetryableError);
    publisher.failing = false;
    await handler([next], deps());
    expect(typesOf(publisher.records, TOPICS.bookings)).toEqual(["booking.offered", "booking.offered"]);
    // Published records are deleted with the next write transaction (outbox.ts).
    await flushDeferred(db);
    expect(await db.orm.select().from(bookingOutbox)).toEqual([]);
  });

  test("an unknown type, a bad payload or a key that is not the booking id is a NonRetriableError naming the record", async () => {
    const bookingId = crypto.randomUUID();
    for (const e of [
      consumed("booking.teleported", { bookingId }),
      consumed("booking.accepted", { bookingId, driverId: "no spaces allowed" }),
      { ...consumed("booking.started", { bookingId }), key: "someone-else" },
    ]) {
      const err = await handler([e], deps()).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(NonRetriableError);
      expect((err as Error).message).toStartWith("bookings/0@0: ");
    }
  });
});
