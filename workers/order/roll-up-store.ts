import { eq } from "drizzle-orm";
import type { BookingStatus } from "../../shared/booking/state-machine.ts";
import { orders, orderTrucks } from "../../shared/db/schema.ts";
import type { Tx } from "../../shared/db/write-transaction.ts";
import { createEnvelope, toRecord } from "../../shared/events/envelope.ts";
import {
  ORDER_CANCELLED,
  ORDER_EXPIRED,
  ORDER_FULFILLED,
  ORDER_TRUCK_ASSIGNED,
  type OrderSettled,
  type OrderTruckAssigned,
} from "../../shared/events/order.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";
import { settledEventId, truckAssignedEventId } from "../../shared/order/ids.ts";
import { countTrucks, type OrderStatus, orderStatusOf, truckStatusOf } from "../../shared/order/roll-up.ts";
import { orderStatusNotification } from "../booking/follow-ups.ts";
import type { BookingOutbox } from "../booking/outbox.ts";

/** A booking of an order changed: what the booking worker just applied. */
export interface TruckChange {
  orderId: string;
  bookingId: string;
  status: BookingStatus;
  driverId: string | null;
  /** The driver before the change: a truck is assigned when its driver changes to someone. */
  previousDriverId: string | null;
  /** The booking event applied, its correlation id and occurredAt (ISO-8601). */
  cause: { eventId: string; correlationId: string; occurredAt: string };
}

const SOURCE = "booking-worker";
const SETTLED: Partial<Record<OrderStatus, string>> = { fulfilled: ORDER_FULFILLED, expired: ORDER_EXPIRED, cancelled: ORDER_CANCELLED };

/**
 * Rolls a booking's change up to its order, inside the booking worker's transaction for
 * that booking event (so the order can never disagree with its bookings, and the
 * booking worker's applyOnce makes this once-only too). Why here rather than in a
 * second consumer of `bookings`: only the booking worker knows whether an event
 * applied (a losing accept is on the log too), and a second group would have to run
 * the state machine again to find out.
 *
 * Updates the truck, recomputes the order from all its trucks (shared/order/roll-up.ts)
 * and queues, in the same outbox, `order.truck-assigned` when a driver took the truck
 * and the end state's event each time the order reaches it (an order fulfilled, whose
 * truck's driver then dropped out, is fulfilled again once another driver accepts), each
 * with an `order.status` notification to the order's customer. Bookings of one order sit
 * on different partitions and are applied side by side, but write transactions are
 * serialized, so each roll-up counts what the previous ones committed.
 * A booking whose order this database does not hold is left alone.
 */
export async function rollUpOrder(tx: Tx, c: TruckChange, now: number, outbox: Pick<BookingOutbox, "enqueue">): Promise<void> {
  const truck = truckStatusOf(c.status);
  const [row] = await tx.orm
    .update(orderTrucks)
    .set({ status: truck, driverId: c.driverId })
    .where(eq(orderTrucks.bookingId, c.bookingId))
    .returning({ index: orderTrucks.truckIndex });
  if (!row) return;
  const [order] = await tx.orm
    .select({ status: orders.status, customerId: orders.customerId })
    .from(orders)
    .where(eq(orders.orderId, c.orderId));
  const statuses = await tx.orm.select({ status: orderTrucks.status }).from(orderTrucks).where(eq(orderTrucks.orderId, c.orderId));
  const counts = countTrucks(statuses.map((s) => s.status));
  const status = orderStatusOf(counts);
  await tx.orm.update(orders).set({ status, updatedAt: c.cause.occurredAt }).where(eq(orders.orderId, c.orderId));

  const out: OutgoingRecord[] = [];
  // Each order event, and the customer told of it (order.status, named by that event).
  const announce = (id: string, type: string, data: { orderId: string } & Record<string, unknown>) => {
    out.push(record(id, type, data, c));
    if (!order) return;
    const { orderId: _, ...details } = data;
    const cause = { eventId: id, correlationId: c.cause.correlationId, now };
    out.push(
      orderStatusNotification({ orderId: c.orderId, customerId: order.customerId }, { event: type, status, counts, ...details }, cause),
    );
  };
  if (truck === "assigned" && c.driverId && c.driverId !== c.previousDriverId) {
    const data: OrderTruckAssigned = { orderId: c.orderId, index: row.index, bookingId: c.bookingId, driverId: c.driverId };
    announce(truckAssignedEventId(c.orderId, c.cause.eventId), ORDER_TRUCK_ASSIGNED, data);
  }
  const settled = SETTLED[status];
  if (settled && order?.status !== status) {
    const data: OrderSettled = { orderId: c.orderId, assigned: counts.assigned, expired: counts.expired, cancelled: counts.cancelled };
    announce(settledEventId(c.orderId, settled, c.cause.eventId), settled, data);
  }
  if (out.length > 0) await outbox.enqueue(tx, out, now);
}

function record(id: string, type: string, data: { orderId: string }, c: TruckChange): OutgoingRecord {
  const e = createEnvelope({
    id,
    type,
    key: data.orderId,
    data,
    source: SOURCE,
    correlationId: c.cause.correlationId,
    occurredAt: new Date(c.cause.occurredAt),
  });
  return toRecord(TOPICS.orders, e);
}
