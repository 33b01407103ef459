import { estimateFare } from "../../shared/booking/fare.ts";
import { bookingIdForRequest, requestedEventId } from "../../shared/booking/ids.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { createStraightLineEta } from "../../shared/eta/straight-line-eta.ts";
import { BOOKING_REQUESTED, type BookingRequested } from "../../shared/events/booking.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import { createEnvelope, parseEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { M_PER_DEG_LAT } from "../../shared/history/testing.ts";
import type { OutgoingRecord, Publisher } from "../../shared/log/event-log.ts";
import type { ConsumedEvent, Handler } from "../runtime/handler.ts";
import { type BookingOutbox, createBookingOutbox } from "./outbox.ts";

/* Events, drivers and an in-process log for the booking worker's tests. Not a test file. */

/** Where the test bookings start: central Bengaluru. */
export const PICKUP = { lat: 12.9716, lng: 77.5946 };

/** The point `m` metres north of PICKUP. */
export const northOf = (m: number) => ({ lat: PICKUP.lat + m / M_PER_DEG_LAT, lng: PICKUP.lng });

/** A consumed record of the bookings topic, as the runtime hands it to the handler. */
export function consumed(
  type: string,
  data: { bookingId: string } & Record<string, unknown>,
  opts: { id?: string; occurredAt?: Date; source?: string } = {},
): ConsumedEvent {
  const e = createEnvelope({ type, key: data.bookingId, data, source: opts.source ?? "gateway", id: opts.id, occurredAt: opts.occurredAt });
  return { ...e, record: { topic: TOPICS.bookings, partition: 0, offset: 0, key: e.key, headers: {}, timestamp: Date.now() } };
}

/** A published record read back as the consumer would see it. */
export function consumedRecord(r: OutgoingRecord): ConsumedEvent {
  return {
    ...parseEnvelope(r.value),
    record: { topic: r.topic, partition: 0, offset: 0, key: r.key, headers: r.headers ?? {}, timestamp: Date.now() },
  };
}

/** `booking.requested` as the gateway publishes it for (customer, key): dropoff 5 km north. */
export function requestedEvent(customerId: string, key: string, vehicleType: VehicleType = "sedan"): ConsumedEvent {
  const bookingId = bookingIdForRequest(customerId, key);
  const body = { customerId, pickup: PICKUP, dropoff: northOf(5_000), vehicleType };
  const data: BookingRequested = { bookingId, ...body, fareEstimate: estimateFare(body) };
  return consumed(BOOKING_REQUESTED, data, { id: requestedEventId(bookingId) });
}

/** Puts available drivers of a type `north` metres from PICKUP, seen just now. */
export async function seedDrivers(
  geo: GeoIndex,
  drivers: { id: string; north: number }[],
  vehicleType: VehicleType = "sedan",
): Promise<void> {
  const now = Date.now();
  await geo.setStatus(drivers.map((d) => ({ driverId: d.id, status: "available", vehicleType, changedAt: now - 60_000 })));
  await geo.upsertPositions(drivers.map((d) => ({ driverId: d.id, ...northOf(d.north), recordedAt: now })));
}

/**
 * Runs the handler, then waits until its outbox records are published: handlers publish
 * them in the background (drainAfterCommit), and tests look at what was published.
 */
export function handledBy<D extends { outbox: Pick<BookingOutbox, "published"> }>(handler: Handler<D>) {
  return async (events: ConsumedEvent[], deps: D): Promise<void> => {
    await handler(events, deps);
    await deps.outbox.published();
  };
}

/** The booking and order handlers' deps over `db`: the outbox publishes through `publisher`, kept here for tests to read. */
export function bookingDeps<P extends Pick<Publisher, "publish">>(db: Db, geo: GeoIndex, publisher: P) {
  return { db, geo, publisher, eta: createStraightLineEta(), outbox: createBookingOutbox(db, publisher) };
}

/** A publisher that keeps what it was given; `failing` makes publish() throw while true. */
export function recordingPublisher(): Publisher & { records: OutgoingRecord[]; failing: boolean } {
  const p = {
    records: [] as OutgoingRecord[],
    failing: false,
    async publish(records: OutgoingRecord[]) {
      if (p.failing) throw new Error("broker unavailable (test)");
      p.records.push(...records);
    },
    async close() {},
  };
  return p;
}

/**
 * The log in miniature: `deliver` runs the handler on events, then feeds what it
 * published on `bookings` back to it (the worker's own decisions come back through the
 * log), until nothing new was published. Notifications are kept in `published`.
 */
export function loopback<D extends { publisher: ReturnType<typeof recordingPublisher>; outbox: Pick<BookingOutbox, "published"> }>(
  handler: Handler<D>,
  deps: D,
) {
  const handle = handledBy(handler);
  let seen = 0;
  const delivered: ConsumedEvent[] = [];
  return {
    get published(): OutgoingRecord[] {
      return deps.publisher.records;
    },
    /** Every event handed to the handler, in order: the bookings topic as the log holds it. */
    delivered,
    async deliver(...events: ConsumedEvent[]): Promise<void> {
      delivered.push(...events);
      await handle(events, deps);
      for (;;) {
        const fresh = deps.publisher.records.slice(seen);
        seen = deps.publisher.records.length;
        const back = fresh.filter((r) => r.topic === TOPICS.bookings).map(consumedRecord);
        if (back.length === 0) return;
        delivered.push(...back);
        await handle(back, deps);
      }
    },
  };
}

export const typesOf = (records: readonly OutgoingRecord[], topic: string) =>
  records.filter((r) => r.topic === topic).map((r) => parseEnvelope(r.value).type);
export const dataOf = <T>(records: readonly OutgoingRecord[], type: string) =>
  records
    .map((r) => parseEnvelope(r.value))
    .filter((e) => e.type === type)
    .map((e) => e.data as T);
