import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { bookingEvents, bookings } from "../db/schema.ts";
import type { Fare, Place } from "../events/booking.ts";
import type { VehicleType } from "../events/driver.ts";
import { storedPlace } from "./active-trips.ts";
import type { BookingStatus } from "./state-machine.ts";

export interface TimelineEntry {
  eventId: string;
  type: string;
  /** When the event happened (its envelope's occurredAt), ISO-8601. */
  at: string;
  /** False when the booking worker refused the event (an invalid transition, a losing accept): it changed nothing. */
  applied: boolean;
  reason?: string;
}

export interface BookingDetails {
  bookingId: string;
  status: BookingStatus;
  customerId: string;
  orderId?: string;
  vehicleType: VehicleType;
  pickup: Place;
  dropoff: Place;
  driverId?: string;
  fareEstimate: Fare;
  requestedAt: string;
  /** Every event of the booking in log order, refused ones included. */
  timeline: TimelineEntry[];
}

/**
 * A booking as the booking worker last wrote it, with its timeline; null when the
 * worker has not processed a `booking.requested` for it (unknown, or not yet). Reads
 * only: the gateway opens the workers' history database read-only by convention.
 */
export async function readBooking(db: Db, bookingId: string): Promise<BookingDetails | null> {
  // One batch is one read transaction: the state and the timeline come from the same commit of the worker.
  const [[b], events] = await db.orm.batch([
    db.orm.select().from(bookings).where(eq(bookings.bookingId, bookingId)),
    db.orm
      .select({
        eventId: bookingEvents.eventId,
        type: bookingEvents.type,
        at: bookingEvents.occurredAt,
        applied: bookingEvents.applied,
        reason: bookingEvents.reason,
      })
      .from(bookingEvents)
      .where(eq(bookingEvents.bookingId, bookingId))
      .orderBy(asc(bookingEvents.seq)),
  ]);
  if (!b) return null;
  return {
    bookingId: b.bookingId,
    status: b.status,
    customerId: b.customerId,
    ...(b.orderId === null ? {} : { orderId: b.orderId }),
    vehicleType: b.vehicleType,
    pickup: storedPlace(b.pickupLat, b.pickupLng, b.pickupAddress),
    dropoff: storedPlace(b.dropoffLat, b.dropoffLng, b.dropoffAddress),
    ...(b.driverId === null ? {} : { driverId: b.driverId }),
    fareEstimate: { amount: b.fareAmount, currency: b.fareCurrency },
    requestedAt: b.requestedAt,
    timeline: events.map(({ reason, ...e }) => (reason === null ? e : { ...e, reason })),
  };
}
