import * as v from "valibot";
import { DriverIdSchema, IndexableLatSchema, VehicleTypeSchema } from "./driver.ts";
import { FreeTextSchema } from "./free-text.ts";
import { TimestampSchema } from "./timestamp.ts";

/*
 * Every event of a booking's life, v1, on the `bookings` topic keyed by bookingId, so
 * their order holds across the whole lifecycle (docs/architecture.md, events and topics). Producers:
 * - the gateway (or an order worker): requested, accepted, driver-arrived, started,
 *   completion-requested, cancelled;
 * - the location worker: driver-arrived (the driver's fix entered the pickup geofence);
 * - the booking worker, as decisions: offered, accept-rejected, reassigning, completed
 *   (with the final fare), expired;
 * - the booking worker's timer loop (internal): wave-due ("this offer wave ran out"),
 *   arrival-due ("the driver should have arrived by now"), wait-due ("the customer
 *   kept the driver waiting past the limit").
 * Fields added after v1 first shipped are optional, so every record already on the log
 * stays valid. The wire format is the type: no transforms.
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

const money = v.pipe(v.number(), v.finite(), v.minValue(0));
/** A surge multiplier (shared/surge/surge-formula.ts); bounded by the surge worker's floor and cap. */
export const SurgeMultiplierSchema = v.pipe(v.number(), v.finite(), v.minValue(0.1), v.maxValue(10));
export const PickupCodeSchema = v.pipe(v.string(), v.regex(/^\d{4}$/, "must be 4 digits"));

/** What a completed trip costs and why (shared/booking/final-fare.ts): amount = (base + distanceCharge) × surge + waitingFee. */
export const FinalFareSchema = v.strictObject({
  /** Metres driven between start and completion, from the stored trail. */
  distanceM: v.pipe(v.number(), v.finite(), v.minValue(0)),
  /** Seconds the driver waited between arrival and start. */
  waitingS: v.pipe(v.number(), v.finite(), v.minValue(0)),
  base: money,
  distanceCharge: money,
  /** Waiting past the free minutes, not surged. */
  waitingFee: money,
  /** The multiplier locked when the booking was requested. */
  surge: SurgeMultiplierSchema,
  amount: money,
  currency: FareSchema.entries.currency,
});
export type FinalFare = v.InferOutput<typeof FinalFareSchema>;

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
  /** The surge multiplier the estimate used, locked for the final fare; absent: 1. */
  surge: v.optional(SurgeMultiplierSchema),
  /** The code the customer gives the driver at pickup (`start` carries it when PICKUP_CODE_REQUIRED is set). */
  pickupCode: v.optional(PickupCodeSchema),
});
export type BookingRequested = v.InferOutput<typeof BookingRequestedSchema>;

const round = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Wave n of search round `round` offers the booking to up to a batch of drivers found within `radiusM` (the n-th radius step). */
export const BOOKING_OFFERED = "booking.offered";
export const BookingOfferedSchema = v.strictObject({
  ...bookingId,
  wave: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** 0 for the first search, n after the n-th reassignment; absent: 0. */
  round: v.optional(round),
  driverIds: v.pipe(v.array(DriverIdSchema), v.minLength(1)),
  radiusM: v.pipe(v.number(), v.finite(), v.minValue(1)),
  expiresAt: TimestampSchema,
});
export type BookingOffered = v.InferOutput<typeof BookingOfferedSchema>;

/** A driver's claim; only the first valid one wins. */
export const BOOKING_ACCEPTED = "booking.accepted";
export const BookingAcceptedSchema = v.strictObject({ ...bookingId, driverId: DriverIdSchema });
export type BookingAccepted = v.InferOutput<typeof BookingAcceptedSchema>;

/**
 * taken: another driver won; not-offered: this driver was never offered it; closed: the booking is no longer searching;
 * driver-busy: the driver already holds another open booking; dropped: the driver dropped this booking before.
 */
export const ACCEPT_REJECT_REASONS = ["taken", "not-offered", "closed", "unknown-booking", "driver-busy", "dropped"] as const;
export type AcceptRejectReason = (typeof ACCEPT_REJECT_REASONS)[number];

export const BOOKING_ACCEPT_REJECTED = "booking.accept-rejected";
export const BookingAcceptRejectedSchema = v.strictObject({
  ...bookingId,
  driverId: DriverIdSchema,
  reason: v.picklist(ACCEPT_REJECT_REASONS),
});
export type BookingAcceptRejected = v.InferOutput<typeof BookingAcceptRejectedSchema>;

/** The assigned driver is at the pickup: they said so (`driver`), or their fix entered the pickup geofence (`geofence`). */
export const ARRIVAL_DETECTED_BY = ["driver", "geofence"] as const;
export const BOOKING_DRIVER_ARRIVED = "booking.driver-arrived";
export const BookingDriverArrivedSchema = v.strictObject({
  ...bookingId,
  driverId: DriverIdSchema,
  detectedBy: v.picklist(ARRIVAL_DETECTED_BY),
});
export type BookingDriverArrived = v.InferOutput<typeof BookingDriverArrivedSchema>;

export const BOOKING_STARTED = "booking.started";
export const BookingStartedSchema = v.strictObject({
  ...bookingId,
  /** The customer's pickup code, as the driver typed it. */
  pickupCode: v.optional(PickupCodeSchema),
});
export type BookingStarted = v.InferOutput<typeof BookingStartedSchema>;

/** The driver asks to end the trip; the booking worker prices it from the trail and decides `booking.completed`. */
export const BOOKING_COMPLETION_REQUESTED = "booking.completion-requested";
export const BookingCompletionRequestedSchema = v.strictObject(bookingId);
export type BookingCompletionRequested = v.InferOutput<typeof BookingCompletionRequestedSchema>;

/** The trip ended; `fare` is the final fare (absent only in completions published before final fares existed). */
export const BOOKING_COMPLETED = "booking.completed";
export const BookingCompletedSchema = v.strictObject({ ...bookingId, fare: v.optional(FinalFareSchema) });
export type BookingCompleted = v.InferOutput<typeof BookingCompletedSchema>;

export const CANCELLED_BY = ["customer", "driver"] as const;
export type CancelledBy = (typeof CANCELLED_BY)[number];
export const BOOKING_CANCELLED = "booking.cancelled";
export const BookingCancelledSchema = v.strictObject({
  ...bookingId,
  by: v.picklist(CANCELLED_BY),
  reason: v.optional(FreeTextSchema(200)),
  /** With `by: driver`: the driver cancelling, so a cancel that lands after the booking changed hands drops nobody else. */
  driverId: v.optional(DriverIdSchema),
});
export type BookingCancelled = v.InferOutput<typeof BookingCancelledSchema>;

/** Why a driver lost the booking: they cancelled after accepting, or missed the arrival deadline. */
export const DROP_REASONS = ["driver-cancelled", "driver-no-show"] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** The worker's decision after a driver dropped the booking: search again, from the first wave, in round `round`. */
export const BOOKING_REASSIGNING = "booking.reassigning";
export const BookingReassigningSchema = v.strictObject({
  ...bookingId,
  round: v.pipe(v.number(), v.integer(), v.minValue(1)),
  droppedDriverId: DriverIdSchema,
  reason: v.picklist(DROP_REASONS),
});
export type BookingReassigning = v.InferOutput<typeof BookingReassigningSchema>;

/**
 * no-drivers: nobody was ever found to offer it to; no-acceptance: every wave ran out;
 * reassign-limit: drivers dropped it more often than allowed; reassign-timeout: a driver
 * dropped it too long after it was requested to search again.
 */
export const EXPIRY_REASONS = ["no-drivers", "no-acceptance", "reassign-limit", "reassign-timeout"] as const;
export const BOOKING_EXPIRED = "booking.expired";
export const BookingExpiredSchema = v.strictObject({ ...bookingId, reason: v.picklist(EXPIRY_REASONS) });
export type BookingExpired = v.InferOutput<typeof BookingExpiredSchema>;

/** Internal timer: the offers of wave `wave` (of round `round`, absent: 0) ran out; the worker plans the next wave or expires the booking. */
export const BOOKING_WAVE_DUE = "booking.wave-due";
export const BookingWaveDueSchema = v.strictObject({
  ...bookingId,
  wave: v.pipe(v.number(), v.integer(), v.minValue(1)),
  round: v.optional(round),
});
export type BookingWaveDue = v.InferOutput<typeof BookingWaveDueSchema>;

/** Internal timer: driver `driverId` accepted but has not arrived within the ETA plus grace (driver no-show). */
export const BOOKING_ARRIVAL_DUE = "booking.arrival-due";
export const BookingArrivalDueSchema = v.strictObject({ ...bookingId, driverId: DriverIdSchema });
export type BookingArrivalDue = v.InferOutput<typeof BookingArrivalDueSchema>;

/** Internal timer: driver `driverId` arrived and waited the whole wait limit without the trip starting (customer no-show). */
export const BOOKING_WAIT_DUE = "booking.wait-due";
export const BookingWaitDueSchema = v.strictObject({ ...bookingId, driverId: DriverIdSchema });
export type BookingWaitDue = v.InferOutput<typeof BookingWaitDueSchema>;

/** The schema of each event type on `bookings`; all are version 1. */
export const BOOKING_EVENT_SCHEMAS = {
  [BOOKING_REQUESTED]: BookingRequestedSchema,
  [BOOKING_OFFERED]: BookingOfferedSchema,
  [BOOKING_ACCEPTED]: BookingAcceptedSchema,
  [BOOKING_ACCEPT_REJECTED]: BookingAcceptRejectedSchema,
  [BOOKING_DRIVER_ARRIVED]: BookingDriverArrivedSchema,
  [BOOKING_STARTED]: BookingStartedSchema,
  [BOOKING_COMPLETION_REQUESTED]: BookingCompletionRequestedSchema,
  [BOOKING_COMPLETED]: BookingCompletedSchema,
  [BOOKING_CANCELLED]: BookingCancelledSchema,
  [BOOKING_REASSIGNING]: BookingReassigningSchema,
  [BOOKING_EXPIRED]: BookingExpiredSchema,
  [BOOKING_WAVE_DUE]: BookingWaveDueSchema,
  [BOOKING_ARRIVAL_DUE]: BookingArrivalDueSchema,
  [BOOKING_WAIT_DUE]: BookingWaitDueSchema,
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
