import { estimateFare } from "../../shared/booking/fare.ts";
import { requestedEventId } from "../../shared/booking/ids.ts";
import { orders, orderTrucks } from "../../shared/db/schema.ts";
import type { Tx } from "../../shared/db/write-transaction.ts";
import { BOOKING_REQUESTED, type BookingRequested } from "../../shared/events/booking.ts";
import { createEnvelope, envelopeHeaders } from "../../shared/events/envelope.ts";
import type { OrderCreated } from "../../shared/events/order.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";
import { expandTrucks } from "../../shared/order/trucks.ts";
import { enqueueRecords } from "../booking/outbox.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

const SOURCE = "order-worker";

/**
 * The `booking.requested` of every truck of an order. Everything in them is a function
 * of the `order.created` event alone — booking id, event id, fare, pickup code and
 * occurredAt (the order's) — so an expansion done twice (a redelivery, a replay into an empty
 * database) publishes byte-identical events that the booking worker applies once.
 */
export function bookingRequests(e: ConsumedEvent<OrderCreated>): OutgoingRecord[] {
  const { orderId, customerId, pickup, dropoff, trucks, pickupCode } = e.data;
  return expandTrucks(orderId, trucks).map((t) => {
    const data: BookingRequested = {
      bookingId: t.bookingId,
      customerId,
      pickup,
      dropoff,
      vehicleType: t.vehicleType,
      fareEstimate: estimateFare({ pickup, dropoff, vehicleType: t.vehicleType }),
      orderId,
      ...(pickupCode ? { pickupCode } : {}),
    };
    const env = createEnvelope({
      id: requestedEventId(t.bookingId),
      type: BOOKING_REQUESTED,
      key: t.bookingId,
      data,
      source: SOURCE,
      correlationId: e.correlationId,
      occurredAt: new Date(e.occurredAt),
    });
    return { topic: TOPICS.bookings, key: t.bookingId, value: JSON.stringify(env), headers: envelopeHeaders(env) };
  });
}

/**
 * Inside the order worker's applyOnce transaction: the order, one row per truck (every
 * truck searching), and the trucks' bookings in the outbox, all or nothing. Published
 * after the commit (workers/booking/outbox.ts): a crash before the commit leaves
 * nothing and the redelivered order starts over; after it, the outbox still holds
 * whatever was not yet acked.
 */
export async function writeExpansion(tx: Tx, e: ConsumedEvent<OrderCreated>, now: number): Promise<void> {
  const d = e.data;
  const trucks = expandTrucks(d.orderId, d.trucks);
  await tx.orm.insert(orders).values({
    orderId: d.orderId,
    customerId: d.customerId,
    pickupLat: d.pickup.lat,
    pickupLng: d.pickup.lng,
    pickupAddress: d.pickup.address ?? null,
    dropoffLat: d.dropoff.lat,
    dropoffLng: d.dropoff.lng,
    dropoffAddress: d.dropoff.address ?? null,
    status: "searching",
    truckCount: trucks.length,
    correlationId: e.correlationId,
    createdAt: e.occurredAt,
    updatedAt: e.occurredAt,
  });
  await tx.orm.insert(orderTrucks).values(
    trucks.map((t) => ({
      orderId: d.orderId,
      truckIndex: t.index,
      bookingId: t.bookingId,
      vehicleType: t.vehicleType,
      status: "searching" as const,
      driverId: null,
    })),
  );
  await enqueueRecords(tx, bookingRequests(e), now);
}
