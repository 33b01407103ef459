import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { bookingEvents, bookings } from "../db/schema.ts";
import type { Fare, Place } from "../events/booking.ts";
import type { VehicleType } from "../events/driver.ts";
import { bookingSummary } from "./booking-list.ts";
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
  const [b] = await db.orm.select().from(bookings).where(eq(bookings.bookingId, bookingId));
  if (!b) return null;
  const events = await db.orm
    .select({
      eventId: bookingEvents.eventId,
      type: bookingEvents.type,
      at: bookingEvents.occurredAt,
      applied: bookingEvents.applied,
      reason: bookingEvents.reason,
    })
    .from(bookingEvents)
    .where(eq(bookingEvents.bookingId, bookingId))
    .orderBy(asc(bookingEvents.seq));
  const { updatedAt: _, ...fields } = bookingSummary(b);
  return {
    ...fields,
    timeline: events.map(({ reason, ...e }) => (reason === null ? e : { ...e, reason })),
  };
}
