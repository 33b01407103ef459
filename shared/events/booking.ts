import * as v from "valibot";
import { DriverIdSchema, IndexableLatSchema, VehicleTypeSchema } from "./driver.ts";
import { FreeTextSchema } from "./free-text.ts";
import { TimestampSchema } from "./timestamp.ts";

/*
 * Every event of a booking's life, v1, on the `bookings` topic keyed by bookingId, so
 * their order holds across the whole lifecycle (docs/architecture.md, events and topics). Producers:
 * - the gateway (or an order worker): requested, accepted, started, completed, cancelled;
 * - the booking worker, as decisions: offered, accept-rejected, expired;
 * - the booking worker's timer loop: wave-due (internal: "this offer wave ran out").
 * The wire format is the type: no transforms.
 */

export const BookingIdSchema = v.pipe(v.string(), v.uuid("must be a UUID"));
export const CustomerIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '_' or '-'"));

const finite = (min: number, max: number) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));

/** A pickup or drop-off: matching searches the geo index around it, so it must lie where the index reaches. */
export const PlaceSchema = v.strictObject({
  lat: IndexableLatSchema,
  lng: finite(-180, 180),
  address: v.optional(FreeTextSchema(200)),
});
export type Place = v.InferOutput<typeof PlaceSchema>;

/** A price quoted to the customer; `currency` is ISO 4217. */
export const FareSchema = v.strictObject({
  amount: v.pipe(v.number(), v.finite(), v.minValue(0)),
  currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, "must be an ISO 4217 code")),
});
export type Fare = v.InferOutput<typeof FareSchema>;

const bookingId = { bookingId: BookingIdSchema };

export const BOOKING_REQUESTED = "booking.requested";
export const BookingRequestedSchema = v.strictObject({
  ...bookingId,
  customerId: CustomerIdSchema,
  pickup: PlaceSchema,
  dropoff: PlaceSchema,
  vehicleType: VehicleTypeSchema,
  fareEstimate: FareSchema,
  /** Set when an order worker created the booking as one truck of an order. */
  orderId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
});
export type BookingRequested = v.InferOutput<typeof BookingRequestedSchema>;

/** Wave n offers the booking to up to a batch of drivers found within `radiusM` (the n-th radius step). */
export const BOOKING_OFFERED = "booking.offered";
export const BookingOfferedSchema = v.strictObject({
  ...bookingId,
  wave: v.pipe(v.number(), v.integer(), v.minValue(1)),
  driverIds: v.pipe(v.array(DriverIdSchema), v.minLength(1)),
  radiusM: v.pipe(v.number(), v.finite(), v.minValue(1)),
  expiresAt: TimestampSchema,
});
export type BookingOffered = v.InferOutput<typeof BookingOfferedSchema>;

/** A driver's claim; only the first valid one wins. */
export const BOOKING_ACCEPTED = "booking.accepted";
export const BookingAcceptedSchema = v.strictObject({ ...bookingId, driverId: DriverIdSchema });
export type BookingAccepted = v.InferOutput<typeof BookingAcceptedSchema>;

/** taken: another driver won; not-offered: this driver was never offered it; closed: the booking is no longer searching; driver-busy: the driver already holds another open booking. */
export const ACCEPT_REJECT_REASONS = ["taken", "not-offered", "closed", "unknown-booking", "driver-busy"] as const;
export type AcceptRejectReason = (typeof ACCEPT_REJECT_REASONS)[number];

export const BOOKING_ACCEPT_REJECTED = "booking.accept-rejected";
export const BookingAcceptRejectedSchema = v.strictObject({
  ...bookingId,
  driverId: DriverIdSchema,
  reason: v.picklist(ACCEPT_REJECT_REASONS),
});
export type BookingAcceptRejected = v.InferOutput<typeof BookingAcceptRejectedSchema>;

export const BOOKING_STARTED = "booking.started";
export const BookingStartedSchema = v.strictObject(bookingId);
export type BookingStarted = v.InferOutput<typeof BookingStartedSchema>;

export const BOOKING_COMPLETED = "booking.completed";
export const BookingCompletedSchema = v.strictObject(bookingId);
export type BookingCompleted = v.InferOutput<typeof BookingCompletedSchema>;

export const CANCELLED_BY = ["customer", "driver"] as const;
export const BOOKING_CANCELLED = "booking.cancelled";
export const BookingCancelledSchema = v.strictObject({
  ...bookingId,
  by: v.picklist(CANCELLED_BY),
  reason: v.optional(FreeTextSchema(200)),
});
export type BookingCancelled = v.InferOutput<typeof BookingCancelledSchema>;

/** no-drivers: nobody was ever found to offer it to; no-acceptance: every wave ran out. */
export const EXPIRY_REASONS = ["no-drivers", "no-acceptance"] as const;
export const BOOKING_EXPIRED = "booking.expired";
export const BookingExpiredSchema = v.strictObject({ ...bookingId, reason: v.picklist(EXPIRY_REASONS) });
export type BookingExpired = v.InferOutput<typeof BookingExpiredSchema>;

/** Internal timer: the offers of wave `wave` ran out; the worker plans the next wave or expires the booking. */
export const BOOKING_WAVE_DUE = "booking.wave-due";
export const BookingWaveDueSchema = v.strictObject({ ...bookingId, wave: v.pipe(v.number(), v.integer(), v.minValue(1)) });
export type BookingWaveDue = v.InferOutput<typeof BookingWaveDueSchema>;

/** The schema of each event type on `bookings`; all are version 1. */
export const BOOKING_EVENT_SCHEMAS = {
  [BOOKING_REQUESTED]: BookingRequestedSchema,
  [BOOKING_OFFERED]: BookingOfferedSchema,
  [BOOKING_ACCEPTED]: BookingAcceptedSchema,
  [BOOKING_ACCEPT_REJECTED]: BookingAcceptRejectedSchema,
  [BOOKING_STARTED]: BookingStartedSchema,
  [BOOKING_COMPLETED]: BookingCompletedSchema,
  [BOOKING_CANCELLED]: BookingCancelledSchema,
  [BOOKING_EXPIRED]: BookingExpiredSchema,
  [BOOKING_WAVE_DUE]: BookingWaveDueSchema,
} as const;
export const BOOKING_EVENT_VERSION = 1;

export type BookingEventType = keyof typeof BOOKING_EVENT_SCHEMAS;

/** One event of a booking: its type and the data that type carries. */
export type BookingEvent = {
  [T in BookingEventType]: { type: T; data: v.InferOutput<(typeof BOOKING_EVENT_SCHEMAS)[T]> };
}[BookingEventType];

export function isBookingEventType(type: string): type is BookingEventType {
  return Object.hasOwn(BOOKING_EVENT_SCHEMAS, type);
}
