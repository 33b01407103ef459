import { and, eq, inArray } from "drizzle-orm";
import { decisionEventId } from "../../shared/booking/ids.ts";
import { orderTrucks } from "../../shared/db/schema.ts";
import type { Tx } from "../../shared/db/write-transaction.ts";
import { BOOKING_CANCELLED, type BookingCancelled } from "../../shared/events/booking.ts";
import { createEnvelope, toRecord } from "../../shared/events/envelope.ts";
import type { OrderCancelRequested } from "../../shared/events/order.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { TruckStatus } from "../../shared/order/roll-up.ts";
import type { BookingOutbox } from "../booking/outbox.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

const SOURCE = "order-worker";
/** Trucks whose booking can still be cancelled (shared/booking/state-machine.ts: cancelled from any state before completed). */
const OPEN: TruckStatus[] = ["searching", "assigned", "in-progress"];

/**
 * Inside the order worker's applyOnce transaction: a `booking.cancelled` (on the
 * customer's behalf) into the outbox for every truck of the order still open, each
 * with an id derived from the request's, so a redelivery or a replay cancels nothing
 * twice. The booking worker applies them like a customer's own cancel (a driver on
 * the way is freed and told), and its roll-up settles the order. A booking that
 * completes meanwhile refuses its cancel; its truck stays completed. An order not
 * stored (yet) has no trucks: nothing to cancel.
 */
export async function writeCancellation(
  tx: Tx,
  e: ConsumedEvent<OrderCancelRequested>,
  now: number,
  outbox: Pick<BookingOutbox, "enqueue">,
): Promise<number> {
  const trucks = await tx.orm
    .select({ bookingId: orderTrucks.bookingId })
    .from(orderTrucks)
    .where(and(eq(orderTrucks.orderId, e.data.orderId), inArray(orderTrucks.status, OPEN)))
    .orderBy(orderTrucks.truckIndex);
  if (trucks.length === 0) return 0;
  await outbox.enqueue(
    tx,
    trucks.map(({ bookingId }) => {
      const data: BookingCancelled = { bookingId, by: "customer", reason: "order cancelled" };
      const env = createEnvelope({
        id: decisionEventId(bookingId, e.id),
        type: BOOKING_CANCELLED,
        key: bookingId,
        data,
        source: SOURCE,
        correlationId: e.correlationId,
        occurredAt: new Date(e.occurredAt),
      });
      return toRecord(TOPICS.bookings, env);
    }),
    now,
  );
  return trucks.length;
}
