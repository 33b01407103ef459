import type { Hono } from "hono";
import * as v from "valibot";
import { CustomerIdSchema, PlaceSchema } from "../../shared/events/booking.ts";
import { OrderIdSchema } from "../../shared/events/order.ts";
import { ORDER_STATUSES } from "../../shared/order/roll-up.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { pageParams } from "../http/list-query.ts";
import { readParam } from "../http/read-json.ts";
import { readQuery } from "../http/read-query.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";

const OrderStatusSchema = v.picklist(ORDER_STATUSES);

/** An order in a list: its rolled-up state without the trucks (GET /v1/orders/{orderId} has them). */
export const OrderSummarySchema = v.strictObject({
  orderId: OrderIdSchema,
  status: OrderStatusSchema,
  customerId: CustomerIdSchema,
  truckCount: v.pipe(v.number(), v.integer(), v.minValue(1)),
  pickup: PlaceSchema,
  dropoff: PlaceSchema,
  createdAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
});

const QuerySchema = v.strictObject({ status: v.optional(OrderStatusSchema), ...pageParams });

const CustomerOrdersSchema = v.strictObject({
  customerId: CustomerIdSchema,
  orders: v.array(OrderSummarySchema),
  nextCursor: v.nullable(v.string()),
});

export const customerOrdersDoc = describeRoute({
  method: "get",
  path: "/v1/customers/:customerId/orders",
  operationId: "listCustomerOrders",
  tag: "Orders",
  summary: "A customer's orders, newest first",
  description: "Optionally of one status. Pass `nextCursor` back as `cursor` for the next page (null: the last page).",
  access: ["customer", "operator"],
  params: { customerId: CustomerIdSchema },
  query: QuerySchema,
  responses: { 200: { description: "One page of the customer's orders", schema: CustomerOrdersSchema } },
  problems: { 403: "a customer asked for another customer's orders" },
});

/**
 * GET /v1/customers/{customerId}/orders?status&limit&cursor: the customer's orders,
 * newest first, a page at a time (`nextCursor`). For the customer itself and operators.
 */
export function registerCustomerOrders(app: Hono, deps: Pick<GatewayDeps, "customerOrders">): void {
  app.get(customerOrdersDoc.path, allow("customer", "operator"), async (c) => {
    const customerId = readParam(c.req.param("customerId"), CustomerIdSchema, "customerId");
    requireSelfOrOperator(c, customerId, "customerId");
    const q = readQuery(c, QuerySchema);
    const page = await deps.customerOrders({ customerId, ...q });
    return c.json({ customerId, orders: page.items, nextCursor: page.nextCursor } satisfies v.InferOutput<typeof CustomerOrdersSchema>);
  });
}
