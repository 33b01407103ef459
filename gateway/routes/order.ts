import type { Hono } from "hono";
import { OrderIdSchema } from "../../shared/events/order.ts";
import { allow } from "../auth/authorize.ts";
import { canSeeOrder } from "../auth/order-access.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";

/**
 * GET /v1/orders/{orderId}: its rolled-up status and every truck's, as the workers
 * recorded them in the history. For its customer and operators; another customer's
 * order is not found, exactly as an unknown id. Drivers see their trucks as bookings.
 */
export function registerOrder(app: Hono, deps: Pick<GatewayDeps, "order">): void {
  app.get("/v1/orders/:orderId", allow("customer", "operator"), async (c) => {
    const orderId = readParam(c.req.param("orderId"), OrderIdSchema, "orderId");
    const order = await deps.order(orderId);
    if (!order || !canSeeOrder(principalOf(c), order))
      return problem(c, 404, {
        title: "Order not found",
        detail: `no order ${orderId} has been processed (an order just created appears within moments)`,
      });
    return c.json(order);
  });
}
