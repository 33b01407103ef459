import type { Hono } from "hono";
import * as v from "valibot";
import { bookingAsSeenBy } from "../../shared/booking/booking-view.ts";
import { BOOKING_STATUSES } from "../../shared/booking/state-machine.ts";
import { BookingIdSchema, CustomerIdSchema, FareSchema, FinalFareSchema, PlaceSchema } from "../../shared/events/booking.ts";
import { DriverIdSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { canSeeBooking } from "../auth/booking-access.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { EventIdSchema, IsoTimestampSchema } from "../openapi/shared-docs.ts";
import { etaFrom } from "../views/pickup-eta.ts";
import { StandingOfferSchema } from "./driver-offers.ts";

export const BookingStatusSchema = v.picklist(BOOKING_STATUSES);

/** One event of a booking as the booking worker judged it: the timeline's entries, and the trip stream's `status` events. */
export const TimelineEntrySchema = v.strictObject({
  eventId: EventIdSchema,
  type: v.string(),
  at: IsoTimestampSchema,
  applied: v.boolean(),
  /** Operators only: why the worker refused it. */
  reason: v.optional(v.string()),
  /** Operators only: the driver a claim is about. */
  driverId: v.optional(DriverIdSchema),
});

export const BookingDetailsSchema = v.strictObject({
  bookingId: BookingIdSchema,
  status: BookingStatusSchema,
  customerId: CustomerIdSchema,
  orderId: v.optional(v.string()),
  vehicleType: VehicleTypeSchema,
  pickup: PlaceSchema,
  dropoff: PlaceSchema,
  driverId: v.optional(DriverIdSchema),
  fareEstimate: FareSchema,
  /** The surge multiplier the estimate used (locked for the final fare). */
  surge: v.number(),
  /** What the trip cost, once completed. */
  finalFare: v.optional(FinalFareSchema),
  /** A cancellation or no-show fee the customer owes. */
  fee: v.optional(FareSchema),
  cancelledBy: v.optional(v.string()),
  endReason: v.optional(v.string()),
  /** The code the customer gives the driver at pickup; left out of a driver's view. */
  pickupCode: v.optional(v.string()),
  reassignments: v.pipe(v.number(), v.integer(), v.minValue(0)),
  requestedAt: IsoTimestampSchema,
  arrivedAt: v.optional(IsoTimestampSchema),
  startedAt: v.optional(IsoTimestampSchema),
  timeline: v.array(TimelineEntrySchema),
});

/** What a driver the booking was offered to reads while the search lasts: the offer's terms, its wave and expiry. */
export const OfferedBookingSchema = v.strictObject({
  ...v.omit(StandingOfferSchema, ["wave", "expiresAt"]).entries,
  status: BookingStatusSchema,
  offer: v.strictObject({ wave: StandingOfferSchema.entries.wave, expiresAt: IsoTimestampSchema }),
});

export const bookingDoc = describeRoute({
  method: "get",
  path: "/v1/bookings/:bookingId",
  operationId: "getBooking",
  tag: "Bookings",
  summary: "A booking's state and timeline",
  description:
    "As the booking worker recorded it: every event in log order, refused ones included (`applied: false` with a `reason`). Its customer, its assigned driver and operators see it. A driver the booking was offered to reads, while the search lasts and its offer stands, the offer instead (`OfferedBooking`: pickup, drop-off, fare estimate, the wave's expiry, its distance and ETA to the pickup), so a driver whose push was lost can poll; once another driver takes it, or the search ends, that driver gets 404.",
  access: ["customer", "driver", "operator"],
  params: { bookingId: BookingIdSchema },
  responses: {
    200: {
      description: "The booking; to a driver it was offered to, while the search lasts, the offer instead",
      schema: v.union([BookingDetailsSchema, OfferedBookingSchema]),
    },
  },
  problems: {
    404: "no booking of the caller's (or offered to the calling driver) with this id has been processed yet (a booking just requested appears within moments)",
  },
});

/**
 * GET /v1/bookings/{bookingId}: its state and timeline, as the booking worker recorded
 * them in the history, with the fare estimate and, once completed, the final fare beside
 * it. Its customer, its assigned driver and operators see it. What each of them reads is
 * bookingAsSeenBy's call (shared/booking/booking-view.ts): operators everything; the
 * others no other booking and no other driver's claim; the driver not the pickup code,
 * which is the customer's to give. A driver the booking was offered to sees, while the
 * search lasts, what it needs to decide: pickup, drop-off, fare estimate, its offer's
 * wave and expiry, and its distance and ETA to the pickup (`pickupEta`), so a driver
 * whose push was lost can poll. To anyone else it is not found, exactly as an unknown id.
 */
export function registerBooking(app: Hono, deps: Pick<GatewayDeps, "booking" | "offers" | "geo" | "eta">): void {
  app.get(bookingDoc.path, async (c) => {
    const bookingId = readParam(c.req.param("bookingId"), BookingIdSchema, "bookingId");
    const booking = await deps.booking(bookingId);
    const caller = principalOf(c);
    if (booking && canSeeBooking(caller, booking))
      return c.json(bookingAsSeenBy(caller, booking) satisfies v.InferOutput<typeof BookingDetailsSchema>);
    const [offer] = booking && caller.role === "driver" ? await deps.offers(caller.sub, bookingId) : [];
    if (booking && offer) {
      const { wave, expiresAt, ...rest } = offer;
      const pickupEta = await etaFrom(deps, caller.sub, offer.pickup, offer.vehicleType);
      return c.json({ ...rest, status: booking.status, offer: { wave, expiresAt }, pickupEta } satisfies v.InferOutput<
        typeof OfferedBookingSchema
      >);
    }
    return problem(c, 404, {
      title: "Booking not found",
      detail: `no booking ${bookingId} has been processed (a booking just requested appears within moments)`,
    });
  });
}
