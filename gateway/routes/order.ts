import type { Hono } from "hono";
import * as v from "valibot";
import { BookingIdSchema, CustomerIdSchema } from "../../shared/events/booking.ts";
import { DriverIdSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { OrderIdSchema } from "../../shared/events/order.ts";
import { ORDER_STATUSES, TRUCK_STATUSES } from "../../shared/order/roll-up.ts";
import { allow } from "../auth/authorize.ts";
import { canSeeOrder } from "../auth/order-access.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";

const count = v.pipe(v.number(), v.integer(), v.minValue(0));

export const OrderDetailsSchema = v.strictObject({
  orderId: OrderIdSchema,
  customerId: CustomerIdSchema,
  status: v.picklist(ORDER_STATUSES),
  trucks: v.array(
    v.strictObject({
      bookingId: BookingIdSchema,
      vehicleType: VehicleTypeSchema,
      status: v.picklist(TRUCK_STATUSES),
      driverId: v.optional(DriverIdSchema),
    }),
  ),
  counts: v.strictObject({ total: count, searching: count, assigned: count, cancelled: count, expired: count }),
  createdAt: IsoTimestampSchema,
  updatedAt: IsoTimestampSchema,
});

export const orderDoc = describeRoute({
  method: "get",
  path: "/v1/orders/:orderId",
  operationId: "getOrder",
  tag: "Orders",
  summary: "An order's rolled-up status and every truck's",
  description: "For its customer and operators. `counts.assigned` covers trucks assigned, in progress and completed.",
  access: ["customer", "operator"],
  params: { orderId: OrderIdSchema },
  responses: { 200: { description: "The order", schema: OrderDetailsSchema } },
  problems: { 404: "no order of the caller's with this id has been processed yet (an order just created appears within moments)" },
});

/**
 * GET /v1/orders/{orderId}: its rolled-up status and every truck's, as the workers
 * recorded them in the history. For its customer and operators; another customer's
 * order is not found, exactly as an unknown id. Drivers see their trucks as bookings.
 */
export function registerOrder(app: Hono, deps: Pick<GatewayDeps, "order">): void {
  app.get(orderDoc.path, allow("customer", "operator"), async (c) => {
    const orderId = readParam(c.req.param("orderId"), OrderIdSchema, "orderId");
    const order = await deps.order(orderId);
    if (!order || !canSeeOrder(principalOf(c), order))
      return problem(c, 404, {
        title: "Order not found",
        detail: `no order ${orderId} has been processed (an order just created appears within moments)`,
      });
    return c.json(order satisfies v.InferOutput<typeof OrderDetailsSchema>);
  });
}
