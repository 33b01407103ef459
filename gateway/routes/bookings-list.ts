import type { Hono } from "hono";
import * as v from "valibot";
import { BookingIdSchema, CustomerIdSchema, FareSchema, PlaceSchema } from "../../shared/events/booking.ts";
import { DriverIdSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { OrderIdSchema } from "../../shared/events/order.ts";
import { allow } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { pageParams } from "../http/list-query.ts";
import { readQuery } from "../http/read-query.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";
import { BookingStatusSchema } from "./booking.ts";

/** A booking in a list: its state without the timeline (GET /v1/bookings/{bookingId} has it). */
export const BookingSummarySchema = v.strictObject({
  bookingId: BookingIdSchema,
  status: BookingStatusSchema,
  customerId: CustomerIdSchema,
  orderId: v.optional(OrderIdSchema),
  vehicleType: VehicleTypeSchema,
  pickup: PlaceSchema,
  dropoff: PlaceSchema,
  driverId: v.optional(DriverIdSchema),
  fareEstimate: FareSchema,
  requestedAt: IsoTimestampSchema,
  /** When the booking worker last changed it. */
  updatedAt: IsoTimestampSchema,
});

const QuerySchema = v.strictObject({
  status: v.optional(BookingStatusSchema),
  updatedBefore: v.optional(
    v.pipe(
      v.string(),
      v.isoTimestamp("must be an ISO-8601 timestamp"),
      v.transform((s) => new Date(s).toISOString()),
    ),
  ),
  ...pageParams,
});

const BookingsPageSchema = v.strictObject({ bookings: v.array(BookingSummarySchema), nextCursor: v.nullable(v.string()) });

export const bookingsListDoc = describeRoute({
  method: "get",
  path: "/v1/bookings",
  operationId: "listBookings",
  tag: "Bookings",
  summary: "Bookings by status and last change, least recently changed first",
  description:
    "For operators, e.g. `?status=accepted&updatedBefore=<an hour ago>` for trips that look stuck (the console's stuck trips). `updatedBefore` is exclusive; pass `nextCursor` back as `cursor` for the next page (null: the last page).",
  access: ["operator"],
  query: QuerySchema,
  responses: { 200: { description: "One page of bookings", schema: BookingsPageSchema } },
});

/**
 * GET /v1/bookings?status&updatedBefore&limit&cursor, for operators: bookings by status,
 * least recently changed first, e.g. `?status=accepted&updatedBefore=<an hour ago>` for
 * trips that look stuck. A page at a time (`nextCursor`).
 */
export function registerBookingsList(app: Hono, deps: Pick<GatewayDeps, "bookings">): void {
  app.get(bookingsListDoc.path, allow("operator"), async (c) => {
    const q = readQuery(c, QuerySchema);
    const page = await deps.bookings(q);
    return c.json({ bookings: page.items, nextCursor: page.nextCursor } satisfies v.InferOutput<typeof BookingsPageSchema>);
  });
}
