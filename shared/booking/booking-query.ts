import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { bookingEvents, bookings } from "../db/schema.ts";
import { BOOKING_ACCEPT_REJECTED, BOOKING_ACCEPTED, type Fare, type FinalFare, type Place } from "../events/booking.ts";
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
  /** Why the worker refused it, as the state machine said: may name other bookings and drivers (operators only, booking-view.ts). */
  reason?: string;
  /** The driver a claim is about (booking.accepted, booking.accept-rejected): detail for operators only. */
  driverId?: string;
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
  /** Quoted at request time, with the surge multiplier it used (locked for the final fare). */
  fareEstimate: Fare;
  surge: number;
  /** What the trip cost (shared/booking/final-fare.ts), beside the estimate once completed. */
  finalFare?: FinalFare;
  /** A cancellation or no-show fee the customer owes. */
  fee?: Fare;
  /** Who cancelled (customer, driver, system for a no-show) and why the booking ended (a cancel reason, an expiry reason). */
  cancelledBy?: string;
  endReason?: string;
  /** The code the customer gives the driver at pickup: for the customer's eyes (gateway/routes/booking.ts hides it from drivers). */
  pickupCode?: string;
  /** How many times drivers dropped the booking (each a reassignment, or the expiry that ended it). */
  reassignments: number;
  requestedAt: string;
  arrivedAt?: string;
  startedAt?: string;
  /** Every event of the booking in log order, refused ones included. */
  timeline: TimelineEntry[];
}

/**
 * A booking as the booking worker last wrote it, with its timeline; null when the
 * worker has not processed a `booking.requested` for it (unknown, or not yet). Reads
 * only: the gateway opens the workers' history database read-only by convention.
 */
export async function readBooking(db: Db, bookingId: string): Promise<BookingDetails | null> {
  // One batch is one transaction: the status and the timeline are read as of the same commit.
  const [[b], events] = await db.orm.batch([
    db.orm.select().from(bookings).where(eq(bookings.bookingId, bookingId)),
    db.orm
      .select({
        eventId: bookingEvents.eventId,
        type: bookingEvents.type,
        at: bookingEvents.occurredAt,
        applied: bookingEvents.applied,
        reason: bookingEvents.reason,
        data: bookingEvents.data,
      })
      .from(bookingEvents)
      .where(eq(bookingEvents.bookingId, bookingId))
      .orderBy(asc(bookingEvents.seq)),
  ]);
  if (!b) return null;
  return {
    ...bookingBasics(b),
    surge: b.surgeMultiplier,
    ...(b.finalFare === null ? {} : { finalFare: JSON.parse(b.finalFare) as FinalFare }),
    ...(b.feeAmount === null ? {} : { fee: { amount: b.feeAmount, currency: b.fareCurrency } }),
    ...(b.cancelledBy === null ? {} : { cancelledBy: b.cancelledBy }),
    ...(b.endReason === null ? {} : { endReason: b.endReason }),
    ...(b.pickupCode === null ? {} : { pickupCode: b.pickupCode }),
    reassignments: b.round,
    requestedAt: b.requestedAt,
    ...(b.arrivedAt === null ? {} : { arrivedAt: b.arrivedAt }),
    ...(b.startedAt === null ? {} : { startedAt: b.startedAt }),
    timeline: events.map(timelineEntry),
  };
}

/** What every view of a stored booking shows first: who, what, where and the estimate (lists add the times, details the rest). */
export function bookingBasics(b: typeof bookings.$inferSelect) {
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
  };
}

/** A booking_events row as the timeline shows it (the trip stream's status entries too). */
export function timelineEntry({
  reason,
  data,
  ...e
}: Omit<TimelineEntry, "reason" | "driverId"> & { reason: string | null; data: string }): TimelineEntry {
  const driverId = CLAIMS.includes(e.type) ? (JSON.parse(data) as { driverId?: unknown }).driverId : undefined;
  return { ...e, ...(reason === null ? {} : { reason }), ...(typeof driverId === "string" ? { driverId } : {}) };
}

/** The event types that are one driver's claim on the booking. */
export const CLAIMS: readonly string[] = [BOOKING_ACCEPTED, BOOKING_ACCEPT_REJECTED];
