import type { Hono } from "hono";
import * as v from "valibot";
import { ValidationError } from "../../shared/errors/errors.ts";
import { BookingIdSchema, CustomerIdSchema, PickupCodeSchema, PlaceSchema } from "../../shared/events/booking.ts";
import { createEnvelope } from "../../shared/events/envelope.ts";
import { ORDER_CREATED, type OrderCreated, OrderIdSchema, TrucksSchema } from "../../shared/events/order.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { createdEventId, orderIdForRequest } from "../../shared/order/ids.ts";
import { expandTrucks } from "../../shared/order/trucks.ts";
import { allow, requireSelf } from "../auth/authorize.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { outgoingRecord } from "../events/outgoing-record.ts";
import { limitBody } from "../http/body-limit.ts";
import { readJson } from "../http/read-json.ts";
import { IDEMPOTENCY_HEADER, readIdempotencyKey } from "../idempotency/idempotency-key.ts";
import { fingerprintOf } from "../idempotency/idempotency-store.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { idempotencyKeyHeader, REPLAYED_HEADER } from "../openapi/shared-docs.ts";
import { deliver } from "../outbox/deliver.ts";
import { newPickupCode } from "../pricing/pickup-code.ts";

const MAX_BODY_BYTES = 16 * 1024;
const OPERATION = "orders.create";

/** `customerId` may be left out: the caller is the customer. When sent it must be the caller's own. */
const OrderRequestSchema = v.strictObject({
  customerId: v.optional(CustomerIdSchema),
  pickup: PlaceSchema,
  dropoff: PlaceSchema,
  trucks: TrucksSchema,
});

const CreatedSchema = v.strictObject({
  orderId: OrderIdSchema,
  bookingIds: v.array(BookingIdSchema),
  /** The code the customer gives every truck's driver at pickup. */
  pickupCode: v.optional(PickupCodeSchema),
});

export const ordersDoc = describeRoute({
  method: "post",
  path: "/v1/orders",
  operationId: "createOrder",
  tag: "Orders",
  summary: "Order several trucks at once",
  description:
    "1–20 lines, at most 200 trucks in all; one booking per truck, each matched like any booking. The ids derive from (customer, Idempotency-Key) and each truck's position, so a retry or a replay never creates more bookings. Answered once `order.created` is durable.",
  access: ["customer"],
  headers: idempotencyKeyHeader(true),
  body: OrderRequestSchema,
  responses: { 202: { description: "Accepted, with the booking id of every truck", schema: CreatedSchema, headers: REPLAYED_HEADER } },
  problems: {
    400: "Idempotency-Key is missing or malformed",
    403: "customerId is not the caller",
    422: "the Idempotency-Key was already used with another body",
  },
});

/**
 * POST /v1/orders (customers, as the token's sub) with a required Idempotency-Key → 202 {orderId, bookingIds} once
 * `order.created` is durable: acked by the log or in the gateway's outbox. Same contract
 * as POST /v1/bookings (routes/bookings.ts), under its own operation name in the
 * idempotency store: ids derived from (customerId, key), a retry answers the first
 * response and the stored record is published once, the key with another body is a 422.
 *
 * The booking ids are answered at once: they are derived from the order id and each
 * truck's position (shared/order/trucks.ts), the very ids the order worker books.
 */
export function registerOrders(app: Hono, deps: Pick<GatewayDeps, "publisher" | "idempotency">): void {
  app.post(ordersDoc.path, allow("customer"), limitBody(MAX_BODY_BYTES), async (c) => {
    const key = readIdempotencyKey(c);
    const { customerId: claimed, ...request } = await readJson(c, OrderRequestSchema);
    if (claimed !== undefined) requireSelf(c, claimed, "customerId");
    // The same request with or without customerId is the same request (and fingerprint).
    const body = { customerId: principalOf(c).sub, ...request };
    const orderId = orderIdForRequest(body.customerId, key);
    // One code for every truck of the order: the shipper gives it to each driver at loading.
    const data: OrderCreated = { orderId, ...body, pickupCode: newPickupCode() };
    const event = createEnvelope({
      id: createdEventId(orderId),
      type: ORDER_CREATED,
      key: orderId,
      data,
      source: "gateway",
      correlationId: c.get("requestId"),
    });
    const remembered = await deps.idempotency.remember({
      operation: OPERATION,
      scope: body.customerId,
      key,
      fingerprint: await fingerprintOf(body),
      response: {
        orderId,
        bookingIds: expandTrucks(orderId, body.trucks).map((t) => t.bookingId),
        pickupCode: data.pickupCode,
      } satisfies v.InferOutput<typeof CreatedSchema>,
      record: outgoingRecord(TOPICS.orders, event),
    });
    if (remembered.kind === "conflict") {
      throw new ValidationError(
        `${IDEMPOTENCY_HEADER} was already used with a different body`,
        [{ field: IDEMPOTENCY_HEADER, message: "was already used by this customer for a different order; use a new key" }],
        422,
      );
    }
    await deliver(remembered, { publisher: deps.publisher, outbox: deps.idempotency.outbox });
    if (remembered.kind === "replay") c.header("idempotent-replayed", "true");
    return c.json(remembered.response as object, 202);
  });
}
