import * as v from "valibot";
import { BookingIdSchema, CustomerIdSchema, PickupCodeSchema, PlaceSchema } from "./booking.ts";
import { DriverIdSchema, VehicleTypeSchema } from "./driver.ts";

/*
 * Every event of a multi-truck order, v1, on the `orders` topic keyed by orderId (docs/architecture.md, events and topics).
 * Producers: the gateway (created); the booking worker, as the order's bookings change
 * (truck-assigned, and the order's end states fulfilled / expired / cancelled). The
 * order worker turns `order.created` into one `booking.requested` per truck; the other
 * events are notices for other consumers (audit, customers' apps). No transforms.
 */

export const OrderIdSchema = v.pipe(v.string(), v.uuid("must be a UUID"));

export const MAX_ORDER_LINES = 20;
export const MAX_TRUCKS_PER_LINE = 100;
export const MAX_TRUCKS_PER_ORDER = 200;

export const TruckLineSchema = v.strictObject({
  vehicleType: VehicleTypeSchema,
  quantity: v.pipe(v.number(), v.integer("must be an integer"), v.minValue(1), v.maxValue(MAX_TRUCKS_PER_LINE)),
});
export type TruckLine = v.InferOutput<typeof TruckLineSchema>;

export const TrucksSchema = v.pipe(
  v.array(TruckLineSchema),
  v.minLength(1, "must hold at least one line"),
  v.maxLength(MAX_ORDER_LINES, `must hold at most ${MAX_ORDER_LINES} lines`),
  v.check(
    (lines) => lines.reduce((n, l) => n + l.quantity, 0) <= MAX_TRUCKS_PER_ORDER,
    `must ask for at most ${MAX_TRUCKS_PER_ORDER} trucks in all`,
  ),
);

const orderId = { orderId: OrderIdSchema };

export const ORDER_CREATED = "order.created";
export const OrderCreatedSchema = v.strictObject({
  ...orderId,
  customerId: CustomerIdSchema,
  pickup: PlaceSchema,
  dropoff: PlaceSchema,
  trucks: TrucksSchema,
  /** The code every truck's driver must be given at loading (carried by each truck's booking); absent in orders created before codes. */
  pickupCode: v.optional(PickupCodeSchema),
});
export type OrderCreated = v.InferOutput<typeof OrderCreatedSchema>;

/** Truck `index` (0-based, in the order's line order) got a driver: its booking was accepted. */
export const ORDER_TRUCK_ASSIGNED = "order.truck-assigned";
export const OrderTruckAssignedSchema = v.strictObject({
  ...orderId,
  index: v.pipe(v.number(), v.integer(), v.minValue(0)),
  bookingId: BookingIdSchema,
  driverId: DriverIdSchema,
});
export type OrderTruckAssigned = v.InferOutput<typeof OrderTruckAssignedSchema>;

/**
 * The customer asked to cancel the order (POST /v1/orders/{id}/cancel): the order worker
 * cancels every truck's booking that is still open; the roll-up then settles the order.
 */
export const ORDER_CANCEL_REQUESTED = "order.cancel-requested";
export const OrderCancelRequestedSchema = v.strictObject(orderId);
export type OrderCancelRequested = v.InferOutput<typeof OrderCancelRequestedSchema>;

/** The order's end states, each published once, when the roll-up first reaches it (shared/order/roll-up.ts). */
export const ORDER_FULFILLED = "order.fulfilled";
export const ORDER_EXPIRED = "order.expired";
export const ORDER_CANCELLED = "order.cancelled";
export const OrderSettledSchema = v.strictObject({
  ...orderId,
  assigned: v.pipe(v.number(), v.integer(), v.minValue(0)),
  expired: v.pipe(v.number(), v.integer(), v.minValue(0)),
  cancelled: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type OrderSettled = v.InferOutput<typeof OrderSettledSchema>;

export const ORDER_EVENT_SCHEMAS = {
  [ORDER_CREATED]: OrderCreatedSchema,
  [ORDER_CANCEL_REQUESTED]: OrderCancelRequestedSchema,
  [ORDER_TRUCK_ASSIGNED]: OrderTruckAssignedSchema,
  [ORDER_FULFILLED]: OrderSettledSchema,
  [ORDER_EXPIRED]: OrderSettledSchema,
  [ORDER_CANCELLED]: OrderSettledSchema,
} as const;
export const ORDER_EVENT_VERSION = 1;

export type OrderEventType = keyof typeof ORDER_EVENT_SCHEMAS;

export function isOrderEventType(type: string): type is OrderEventType {
  return Object.hasOwn(ORDER_EVENT_SCHEMAS, type);
}
