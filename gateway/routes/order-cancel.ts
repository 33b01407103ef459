import type { Hono } from "hono";
import * as v from "valibot";
import { ORDER_CANCEL_REQUESTED, OrderIdSchema } from "../../shared/events/order.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { allow } from "../auth/authorize.ts";
import { canSeeOrder } from "../auth/order-access.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { limitBody } from "../http/body-limit.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { EventIdSchema, idempotencyKeyHeader, REPLAYED_HEADER } from "../openapi/shared-docs.ts";
import { publishDurably } from "../outbox/publish-durably.ts";

const CancelAcceptedSchema = v.strictObject({ orderId: OrderIdSchema, eventId: EventIdSchema });

export const orderCancelDoc = describeRoute({
  method: "post",
  path: "/v1/orders/:orderId/cancel",
  operationId: "cancelOrder",
  tag: "Orders",
  summary: "Cancel every truck of the order still open",
  description:
    "A request, not a result: the order worker cancels each truck's booking still open (drivers on the way are freed and told); completed trucks stay completed. No body.",
  access: ["customer", "operator"],
  params: { orderId: OrderIdSchema },
  headers: idempotencyKeyHeader(false),
  responses: { 202: { description: "Accepted for the order worker", schema: CancelAcceptedSchema, headers: REPLAYED_HEADER } },
  problems: {
    400: "Idempotency-Key is malformed",
    404: "no order of the caller's with this id has been processed yet",
    422: "the Idempotency-Key was already used with another request",
  },
});

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
  app.post(orderCancelDoc.path, allow("customer", "operator"), limitBody(1024), async (c) => {
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
    return c.json({ orderId, eventId } satisfies v.InferOutput<typeof CancelAcceptedSchema>, 202);
  });
}
