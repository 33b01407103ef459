import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readBooking } from "../../shared/booking/booking-query.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { createStraightLineEta } from "../../shared/eta/straight-line-eta.ts";
import type { BookingOffered } from "../../shared/events/booking.ts";
import type { NotificationRequested } from "../../shared/events/notification.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { createBookingHandler } from "./booking-handler.ts";
import { busyWithOpenBookings } from "./booking-store.ts";
import { consumed, consumedRecord, dataOf, handledBy, loopback, recordingPublisher, requestedEvent, seedDrivers } from "./testing.ts";

const WAVES = { radiiM: [1_000, 3_000], batchSize: 2, offerTtlMs: 15_000 };

/* The booking worker decides a whole batch before one commit: these pin that a batch ends where one event at a time would, and the one-booking-per-driver rule. */
describe("booking handler, batches and driver holds (libSQL file + embedded geo)", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let db: Db;
  let geo: GeoIndex;
  let publisher: ReturnType<typeof recordingPublisher>;
  const handler = handledBy(createBookingHandler({ waves: WAVES }));
  const deps = () => ({ db, geo, publisher, eta: createStraightLineEta() });

  beforeEach(async () => {
    history = await openTempHistory("fleet-booking-batch-");
    db = history.db;
    geo = createEmbeddedGeoIndex();
    publisher = recordingPublisher();
  });
  afterEach(() => history.remove());

  test("one batch of requested, its own offered echo and an accept ends where one event at a time would", async () => {
    await seedDrivers(geo, [
      { id: "d-1", north: 100 },
      { id: "d-2", north: 300 },
    ]);
    const req = requestedEvent("cust-1", "k-1");
    await handler([req], deps());
    const offered = consumedRecord(publisher.records.find((r) => r.topic === TOPICS.bookings)!);

    const other = await openTempHistory("fleet-booking-batch-one-");
    const oneAtATime = { db: other.db, geo, publisher: recordingPublisher(), eta: createStraightLineEta() };
    try {
      const accept = consumed("booking.accepted", { bookingId: req.key, driverId: "d-2" });
      await handler([req, offered, accept], deps());
      for (const e of [req, offered, accept]) await handler([e], oneAtATime);
      const strip = (b: Awaited<ReturnType<typeof readBooking>>) => b && { ...b, timeline: b.timeline.map((t) => [t.type, t.applied]) };
      expect(strip(await readBooking(db, req.key))).toEqual(strip(await readBooking(other.db, req.key)));
      expect(await readBooking(db, req.key)).toMatchObject({ status: "accepted", driverId: "d-2" });
      expect((await geo.get("d-2"))?.status).toBe("busy");
    } finally {
      other.remove();
    }
  });

  test("a batch of bookings from different customers: each is matched in its own wave", async () => {
    await seedDrivers(geo, [
      { id: "d-1", north: 100 },
      { id: "d-2", north: 300 },
      { id: "d-3", north: 2_000 },
    ]);
    const reqs = Array.from({ length: 25 }, (_, i) => requestedEvent(`cust-${i}`, `k-${i}`));
    await handler(reqs, deps());
    const offered = dataOf<BookingOffered>(publisher.records, "booking.offered");
    expect(offered.map((o) => o.bookingId).sort()).toEqual(reqs.map((r) => r.key).sort());
    expect(new Set(offered.map((o) => `${o.wave} ${o.driverIds.join(",")}`))).toEqual(new Set(["1 d-1,d-2"]));
    for (const r of reqs) expect((await readBooking(db, r.key))?.status).toBe("requested");
  });

  test("a driver holds one booking at a time: a second accept is refused (driver-busy) and the driver told, until the first completes", async () => {
    await seedDrivers(geo, [{ id: "d-1", north: 100 }]);
    const log = loopback(handler, deps());
    const [a, b, c] = ["k-a", "k-b", "k-c"].map((k) => requestedEvent(`cust-${k}`, k));
    await log.deliver(a!, b!);
    // Both accepts in one batch: the first in log order wins the driver.
    await log.deliver(
      consumed("booking.accepted", { bookingId: a!.key, driverId: "d-1" }),
      consumed("booking.accepted", { bookingId: b!.key, driverId: "d-1" }),
    );

    expect(await readBooking(db, a!.key)).toMatchObject({ status: "accepted", driverId: "d-1" });
    const refused = await readBooking(db, b!.key);
    expect(refused).toMatchObject({ status: "offered" });
    expect(refused?.driverId).toBeUndefined();
    expect(refused!.timeline.find((t) => !t.applied)).toMatchObject({
      type: "booking.accepted",
      reason: `driver d-1 already holds booking ${a!.key}`,
    });
    expect(dataOf(log.published, "booking.accept-rejected")).toEqual([{ bookingId: b!.key, driverId: "d-1", reason: "driver-busy" }]);
    const told = dataOf<NotificationRequested>(log.published, "notification.requested").filter((n) => n.kind === "booking.accept-rejected");
    expect(told.map((n) => [n.recipientId, n.payload.reason])).toEqual([["d-1", "driver-busy"]]);

    // Complete the first booking (seen by a later batch, from the database), then the driver may take another.
    await log.deliver(consumed("booking.started", { bookingId: a!.key }), consumed("booking.completed", { bookingId: a!.key }));
    await log.deliver(c!);
    await log.deliver(consumed("booking.accepted", { bookingId: c!.key, driverId: "d-1" }));
    expect(await readBooking(db, c!.key)).toMatchObject({ status: "accepted", driverId: "d-1" });
  });

  test("a hold taken by another partition after the batch was decided is caught in the transaction: the accept is decided again and refused", async () => {
    await seedDrivers(geo, [{ id: "d-1", north: 100 }]);
    const log = loopback(handler, deps());
    const [a, b] = ["k-a", "k-b"].map((k) => requestedEvent(`cust-${k}`, k));
    await log.deliver(a!, b!);
    // The geo status write runs between deciding and committing: take the hold for booking a right then, as another partition would.
    const setStatus = geo.setStatus.bind(geo);
    let raced = false;
    geo.setStatus = async (updates) => {
      if (!raced) {
        raced = true;
        await handler([consumed("booking.accepted", { bookingId: a!.key, driverId: "d-1" })], deps());
      }
      return setStatus(updates);
    };
    const acceptB = consumed("booking.accepted", { bookingId: b!.key, driverId: "d-1" });
    await expect(handler([acceptB], deps())).rejects.toThrow(
      /driver d-1 holds bookings .* another partition gave them one .* deciding again/,
    );
    await handler([acceptB], deps());
    expect(await readBooking(db, a!.key)).toMatchObject({ status: "accepted", driverId: "d-1" });
    expect(await readBooking(db, b!.key)).toMatchObject({ status: "offered" });
  });
});

describe("rebuilding an empty geo index (bun run dev after a restart)", () => {
  test("drivers holding an open booking come back busy; a completed booking's driver does not", async () => {
    const history = await openTempHistory("fleet-booking-rebuild-");
    try {
      const geo = createEmbeddedGeoIndex();
      await seedDrivers(geo, [
        { id: "d-1", north: 100 },
        { id: "d-2", north: 200 },
      ]);
      const log = loopback(createBookingHandler({ waves: WAVES }), {
        db: history.db,
        geo,
        publisher: recordingPublisher(),
        eta: createStraightLineEta(),
      });
      const [a, b] = ["k-a", "k-b"].map((k) => requestedEvent(`cust-${k}`, k));
      await log.deliver(a!, b!);
      await log.deliver(
        consumed("booking.accepted", { bookingId: a!.key, driverId: "d-1" }),
        consumed("booking.accepted", { bookingId: b!.key, driverId: "d-2" }),
      );
      await log.deliver(consumed("booking.started", { bookingId: b!.key }), consumed("booking.completed", { bookingId: b!.key }));

      // The restarted index knows only what the driver topics say: both available.
      const rebuilt = createEmbeddedGeoIndex();
      await seedDrivers(rebuilt, [
        { id: "d-1", north: 100 },
        { id: "d-2", north: 200 },
      ]);
      await rebuilt.setStatus(await busyWithOpenBookings(history.db.orm));
      expect((await rebuilt.get("d-1"))?.status).toBe("busy");
      expect((await rebuilt.get("d-2"))?.status).toBe("available");
    } finally {
      history.remove();
    }
  });
});
