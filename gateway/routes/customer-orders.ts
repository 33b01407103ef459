import type { Hono } from "hono";
import * as v from "valibot";
import { CustomerIdSchema } from "../../shared/events/booking.ts";
import { ORDER_STATUSES } from "../../shared/order/roll-up.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { pageParams } from "../http/list-query.ts";
import { readParam } from "../http/read-json.ts";
import { readQuery } from "../http/read-query.ts";

const QuerySchema = v.strictObject({ status: v.optional(v.picklist(ORDER_STATUSES)), ...pageParams });

/**
 * GET /v1/customers/{customerId}/orders?status&limit&cursor: the customer's orders,
 * newest first, a page at a time (`nextCursor`). For the customer itself and operators.
 */
export function registerCustomerOrders(app: Hono, deps: Pick<GatewayDeps, "customerOrders">): void {
  app.get("/v1/customers/:customerId/orders", allow("customer", "operator"), async (c) => {
    const customerId = readParam(c.req.param("customerId"), CustomerIdSchema, "customerId");
    requireSelfOrOperator(c, customerId, "customerId");
    const q = readQuery(c, QuerySchema);
    const page = await deps.customerOrders({ customerId, ...q });
    return c.json({ customerId, orders: page.items, nextCursor: page.nextCursor });
  });
}
