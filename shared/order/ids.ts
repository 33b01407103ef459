import { v5 as uuidv5 } from "uuid";

/**
 * Deterministic ids (UUIDv5) for orders and the events of their life, for the same
 * reason as shared/booking/ids.ts: whoever produces the same thing twice (a client
 * retrying, a redelivered booking event) produces the same id, which consumers dedupe.
 * The bookings of an order are named by shared/booking/ids.ts (bookingIdForOrderTruck).
 */

/** uuidv5("https://fleetstream.dev/ns/orders", URL namespace), fixed for ever: changing it changes every id. */
export const ORDER_NAMESPACE = "9bd337b8-49a7-510d-91af-3757af907cfb";

const idOf = (...parts: (string | number)[]) => uuidv5(JSON.stringify(parts), ORDER_NAMESPACE);

/** The order a customer's request with this Idempotency-Key creates (POST /v1/orders). */
export function orderIdForRequest(customerId: string, idempotencyKey: string): string {
  return idOf("order", customerId, idempotencyKey);
}

/** The order's `order.created` event. */
export function createdEventId(orderId: string): string {
  return idOf(orderId, "order.created");
}

/** `order.truck-assigned`, named by the booking event that assigned the truck. */
export function truckAssignedEventId(orderId: string, causeEventId: string): string {
  return idOf(orderId, "order.truck-assigned", causeEventId);
}

/**
 * An end state (`order.fulfilled` …), named by the booking event that brought the order
 * there: an order can be fulfilled twice (a truck's driver dropped out, another accepted).
 */
export function settledEventId(orderId: string, type: string, causeEventId: string): string {
  return idOf(orderId, type, causeEventId);
}
