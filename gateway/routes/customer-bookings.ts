import type { Hono } from "hono";
import * as v from "valibot";
import { CustomerIdSchema } from "../../shared/events/booking.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { pageParams } from "../http/list-query.ts";
import { readParam } from "../http/read-json.ts";
import { readQuery } from "../http/read-query.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { BookingStatusSchema } from "./booking.ts";
import { BookingSummarySchema } from "./bookings-list.ts";

const QuerySchema = v.strictObject({ status: v.optional(BookingStatusSchema), ...pageParams });

const CustomerBookingsSchema = v.strictObject({
  customerId: CustomerIdSchema,
  bookings: v.array(BookingSummarySchema),
  nextCursor: v.nullable(v.string()),
});

export const customerBookingsDoc = describeRoute({
  method: "get",
  path: "/v1/customers/:customerId/bookings",
  operationId: "listCustomerBookings",
  tag: "Bookings",
  summary: "A customer's bookings, newest first",
  description:
    "Trucks of the customer's orders included; optionally of one status. Pass `nextCursor` back as `cursor` for the next page (null: the last page).",
  access: ["customer", "operator"],
  params: { customerId: CustomerIdSchema },
  query: QuerySchema,
  responses: { 200: { description: "One page of the customer's bookings", schema: CustomerBookingsSchema } },
  problems: { 403: "a customer asked for another customer's bookings" },
});

/**
 * GET /v1/customers/{customerId}/bookings?status&limit&cursor: the customer's bookings
 * (trucks of its orders included), newest request first, a page at a time (`nextCursor`).
 * For the customer itself and operators.
 */
export function registerCustomerBookings(app: Hono, deps: Pick<GatewayDeps, "customerBookings">): void {
  app.get(customerBookingsDoc.path, allow("customer", "operator"), async (c) => {
    const customerId = readParam(c.req.param("customerId"), CustomerIdSchema, "customerId");
    requireSelfOrOperator(c, customerId, "customerId");
    const q = readQuery(c, QuerySchema);
    const page = await deps.customerBookings({ customerId, ...q });
    return c.json({ customerId, bookings: page.items, nextCursor: page.nextCursor } satisfies v.InferOutput<typeof CustomerBookingsSchema>);
  });
}
