import type { Hono } from "hono";
import { ORDER_CANCEL_REQUESTED, OrderIdSchema } from "../../shared/events/order.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { allow } from "../auth/authorize.ts";
import { canSeeOrder } from "../auth/order-access.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { limitBody } from "../http/body-limit.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";
import { publishDurably } from "../outbox/publish-durably.ts";

/**
 * POST /v1/orders/{orderId}/cancel → 202 {orderId, eventId} once `order.cancel-requested`
 * is durable (through the gateway's outbox, publish-durably.ts). A request, not a result: the order worker cancels every truck's booking
 * still open (workers/order/cancellation.ts; a driver on the way is freed and told) and
 * GET /v1/orders/{id} shows the trucks cancelled and the order settled. A truck already
 * completed stays completed. No body.
 *
 * For the order's customer and operators; the check reads the history, so an order the
 * worker has not recorded yet is a 404 until it has, the answer a stranger gets too.
 */
export function registerOrderCancel(app: Hono, deps: Pick<GatewayDeps, "publisher" | "order" | "idempotency">): void {
  app.post("/v1/orders/:orderId/cancel", allow("customer", "operator"), limitBody(1024), async (c) => {
    const orderId = readParam(c.req.param("orderId"), OrderIdSchema, "orderId");
    const order = await deps.order(orderId);
    if (!order || !canSeeOrder(principalOf(c), order))
      return problem(c, 404, {
        title: "Order not found",
        detail: `no order ${orderId} of yours has been processed (an order just created appears within moments)`,
      });
    const { eventId, replayed } = await publishDurably(c, deps, {
      operation: "orders.cancel",
      scope: principalOf(c).sub,
      topic: TOPICS.orders,
      event: { type: ORDER_CANCEL_REQUESTED, key: orderId, data: { orderId } },
    });
    if (replayed) c.header("idempotent-replayed", "true");
    return c.json({ orderId, eventId }, 202);
  });
}
