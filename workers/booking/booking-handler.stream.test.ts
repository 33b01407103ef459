import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { Db } from "../../shared/db/open-libsql.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import type { NotificationRequested } from "../../shared/events/notification.ts";
import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { createEmbeddedTripStream } from "../../shared/trip-stream/embedded/embedded-trip-stream.ts";
import type { TripStream } from "../../shared/trip-stream/trip-stream.ts";
import { createBookingHandler } from "./booking-handler.ts";
import { bookingDeps, consumed, dataOf, handledBy, loopback, recordingPublisher, requestedEvent, seedDrivers } from "./testing.ts";

const WAVES = { radiiM: [1_000, 3_000], batchSize: 3, offerTtlMs: 15_000 };

describe("booking handler → trip streams and offers (libSQL file + embedded geo + in-process stream)", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let db: Db;
  let geo: GeoIndex;
  let tripStream: TripStream;
  let publisher: ReturnType<typeof recordingPublisher>;
  const handler = createBookingHandler({ waves: WAVES });
  let base: ReturnType<typeof bookingDeps<ReturnType<typeof recordingPublisher>>>;
  const deps = () => ({ ...base, tripStream });

  beforeEach(async () => {
    history = await openTempHistory("fleet-booking-stream-");
    db = history.db;
    geo = createEmbeddedGeoIndex();
    tripStream = createEmbeddedTripStream();
    publisher = recordingPublisher();
    base = bookingDeps(db, geo, publisher);
  });
  afterEach(async () => {
    await tripStream.close();
    history.remove();
  });

  const streamOf = async (bookingId: string) => {
    const page = await tripStream.read(bookingId, { limit: 100 });
    const events = page.entries.map((e): Record<string, unknown> => ({ kind: e.kind, ...(JSON.parse(e.data) as Record<string, unknown>) }));
    return { ...page, events };
  };

  test("every applied event is streamed as its timeline entry, with ETAs after accept and start; completion ends the stream", async () => {
    await seedDrivers(geo, [
      { id: "d-1", north: 300 },
      { id: "d-2", north: 600 },
    ]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "s-1");
    await log.deliver(req);
    await log.deliver(consumed("booking.accepted", { bookingId: req.key, driverId: "d-1" }));
    await log.deliver(consumed("booking.accepted", { bookingId: req.key, driverId: "d-2" }));
    await log.deliver(consumed("booking.started", { bookingId: req.key }));
    const done = consumed("booking.completed", { bookingId: req.key });
    await log.deliver(done);

    const s = await streamOf(req.key);
    expect(s.events.map((e) => (e.kind === "status" ? e.type : `eta→${e.to}`))).toEqual([
      "booking.requested",
      "booking.offered",
      "booking.accepted",
      "eta→pickup",
      // The losing accept and its accept-rejected notice: the refused one is not streamed, the notice applies (it changes nothing).
      "booking.accept-rejected",
      "booking.started",
      "eta→dropoff",
      "booking.completed",
    ]);
    expect(s.events[0]).toEqual({ kind: "status", eventId: req.id, type: "booking.requested", at: req.occurredAt, applied: true });
    expect(s.events[3]).toMatchObject({ to: "pickup", model: "straight-line/typical-speed" });
    expect(s.events[3]!.seconds as number).toBeGreaterThan(0);
    expect(s.ended).toBe(true);
    expect(s.events.at(-1)).toMatchObject({ eventId: done.id, type: "booking.completed" });
  });

  test("offers carry each driver's ETA to the pickup; the drivers who did not win are told the offer was withdrawn", async () => {
    await seedDrivers(geo, [
      { id: "near", north: 200 },
      { id: "far", north: 800 },
      { id: "mid", north: 500 },
    ]);
    const log = loopback(handler, deps());
    const req = requestedEvent("cust-1", "s-2");
    await log.deliver(req);
    const offers = dataOf<NotificationRequested>(log.published, "notification.requested").filter((n) => n.kind === "booking.offer");
    const etaOf = (id: string) =>
      (offers.find((n) => n.recipientId === id)!.payload.pickupEta as { seconds: number; distanceM: number }).seconds;
    expect(etaOf("near")).toBeGreaterThan(0);
    expect(etaOf("near")).toBeLessThan(etaOf("mid"));
    expect(etaOf("mid")).toBeLessThan(etaOf("far"));
    await log.deliver(consumed("booking.accepted", { bookingId: req.key, driverId: "mid" }));
    const withdrawn = dataOf<NotificationRequested>(log.published, "notification.requested").filter((n) => n.kind === "offer.withdrawn");
    expect(withdrawn.map((n) => [n.recipientId, n.payload.reason]).sort()).toEqual([
      ["far", "taken"],
      ["near", "taken"],
    ]);
  });

  test("a cancelled search withdraws every offer; a cancel after the accept withdraws nothing more", async () => {
    await seedDrivers(geo, [
      { id: "a", north: 200 },
      { id: "b", north: 400 },
    ]);
    const log = loopback(handler, deps());
    const cancelled = requestedEvent("cust-1", "s-3");
    await log.deliver(cancelled);
    await log.deliver(consumed("booking.cancelled", { bookingId: cancelled.key, by: "customer" }));
    const withdrawnFor = (bookingId: string) =>
      dataOf<NotificationRequested>(log.published, "notification.requested")
        .filter((n) => n.kind === "offer.withdrawn" && n.subjectId === bookingId)
        .map((n) => [n.recipientId, n.payload.reason])
        .sort();
    expect(withdrawnFor(cancelled.key)).toEqual([
      ["a", "cancelled"],
      ["b", "cancelled"],
    ]);
    const taken = requestedEvent("cust-2", "s-4");
    await log.deliver(taken);
    await log.deliver(consumed("booking.accepted", { bookingId: taken.key, driverId: "a" }));
    await log.deliver(consumed("booking.cancelled", { bookingId: taken.key, by: "customer" }));
    expect(withdrawnFor(taken.key)).toEqual([["b", "taken"]]);
    expect((await streamOf(taken.key)).ended).toBe(true);
  });

  test("an append that fails after the commit is retried: the redelivered events are streamed once, in order", async () => {
    await seedDrivers(geo, [{ id: "d-1", north: 300 }]);
    let failing = true;
    const failingDeps = {
      ...deps(),
      tripStream: {
        ...tripStream,
        append: async (bookingId: string, batches: Parameters<TripStream["append"]>[1]) => {
          if (failing) throw new Error("redis down (test)");
          return tripStream.append(bookingId, batches);
        },
      },
    };
    const req = requestedEvent("cust-1", "s-5");
    const err = await handledBy(handler)([req], failingDeps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((await streamOf(req.key)).events).toEqual([]);
    failing = false;
    await handledBy(handler)([req], failingDeps);
    await handledBy(handler)([req], failingDeps);
    expect((await streamOf(req.key)).events.map((e) => e.type)).toEqual(["booking.requested"]);
  });
});
