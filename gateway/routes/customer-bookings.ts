import type { Hono } from "hono";
import * as v from "valibot";
import { BOOKING_STATUSES } from "../../shared/booking/state-machine.ts";
import { CustomerIdSchema } from "../../shared/events/booking.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { pageParams } from "../http/list-query.ts";
import { readParam } from "../http/read-json.ts";
import { readQuery } from "../http/read-query.ts";

const QuerySchema = v.strictObject({ status: v.optional(v.picklist(BOOKING_STATUSES)), ...pageParams });

/**
 * GET /v1/customers/{customerId}/bookings?status&limit&cursor: the customer's bookings
 * (trucks of its orders included), newest request first, a page at a time (`nextCursor`).
 * For the customer itself and operators.
 */
export function registerCustomerBookings(app: Hono, deps: Pick<GatewayDeps, "customerBookings">): void {
  app.get("/v1/customers/:customerId/bookings", allow("customer", "operator"), async (c) => {
    const customerId = readParam(c.req.param("customerId"), CustomerIdSchema, "customerId");
    requireSelfOrOperator(c, customerId, "customerId");
    const q = readQuery(c, QuerySchema);
    const page = await deps.customerBookings({ customerId, ...q });
    return c.json({ customerId, bookings: page.items, nextCursor: page.nextCursor });
  });
}
