import { v5 as uuidv5 } from "uuid";

/**
 * Deterministic ids (UUIDv5) for bookings and every event the booking flow emits. Whoever
 * produces the same thing twice — a client retrying with its Idempotency-Key, an order
 * worker redelivered, the booking worker republishing after a crash, two timer loops —
 * produces the same id, and consumers record ids with their effects, so the duplicate
 * applies once. Names are JSON arrays of their parts, so no separator can make two
 * different part lists collide.
 */

/** uuidv5("https://fleetstream.dev/ns/bookings", URL namespace), fixed for ever: changing it changes every id. */
export const BOOKING_NAMESPACE = "c09a55ae-6bef-5154-b584-8bd099ce4426";

const idOf = (...parts: (string | number)[]) => uuidv5(JSON.stringify(parts), BOOKING_NAMESPACE);

/** The booking a customer's request with this Idempotency-Key creates (POST /v1/bookings). */
export function bookingIdForRequest(customerId: string, idempotencyKey: string): string {
  return idOf("booking", customerId, idempotencyKey);
}

/** The booking for truck `index` (0-based) of an order: what an order worker publishes `booking.requested` for. */
export function bookingIdForOrderTruck(orderId: string, index: number): string {
  return idOf("order-truck", orderId, index);
}

/** The `booking.requested` event of a booking: one per booking, whoever publishes it. */
export function requestedEventId(bookingId: string): string {
  return idOf(bookingId, "booking.requested");
}

/**
 * The event the booking worker decides on applying `causeEventId`: the next wave's
 * `booking.offered` or the `booking.expired` (cause: the booking's requested, or a
 * wave-due), or a `booking.accept-rejected` (cause: the refused accept). Named by its
 * cause, not its content, and the same whichever event it turns out to be: a replay
 * that decides again on a geo index that has moved on publishes under the id of the
 * original decision, which the log already holds and the worker already applied, so
 * the new one is skipped and the replay rebuilds the same booking.
 */
export function decisionEventId(bookingId: string, causeEventId: string): string {
  return idOf(bookingId, "decision", causeEventId);
}

/** The `booking.wave-due` timer that ends wave n of search round `round` (the first round's ids predate rounds). */
export function waveDueEventId(bookingId: string, wave: number, round = 0): string {
  return round === 0 ? idOf(bookingId, "booking.wave-due", wave) : idOf(bookingId, "booking.wave-due", wave, round);
}

/** The `booking.arrival-due` timer of a driver's accept: a driver gets a booking at most once, so one per (booking, driver). */
export function arrivalDueEventId(bookingId: string, driverId: string): string {
  return idOf(bookingId, "booking.arrival-due", driverId);
}

/** The `booking.wait-due` timer started by a driver's arrival. */
export function waitDueEventId(bookingId: string, driverId: string): string {
  return idOf(bookingId, "booking.wait-due", driverId);
}

/**
 * The `booking.driver-arrived` the location worker emits when the driver's fix enters
 * the pickup geofence: one per trip, however many batches see the driver inside.
 */
export function geofenceArrivalEventId(bookingId: string, driverId: string): string {
  return idOf(bookingId, "booking.driver-arrived", driverId);
}

/** One notification per (event that caused it, recipient). */
export function notificationIdFor(causeEventId: string, recipientId: string): string {
  return idOf("notification", causeEventId, recipientId);
}
