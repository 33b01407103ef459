import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readBooking } from "../../shared/booking/booking-query.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { createEnvelope, parseEnvelope } from "../../shared/events/envelope.ts";
import type { NotificationRequested } from "../../shared/events/notification.ts";
import { ORDER_CANCEL_REQUESTED, ORDER_CREATED, type OrderCreated } from "../../shared/events/order.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { createdEventId, orderIdForRequest } from "../../shared/order/ids.ts";
import { readOrder } from "../../shared/order/order-query.ts";
import { createBookingHandler } from "../booking/booking-handler.ts";
import {
  bookingDeps,
  consumed,
  consumedRecord,
  handledBy,
  loopback,
  northOf,
  PICKUP,
  recordingPublisher,
  seedDrivers,
} from "../booking/testing.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";
import { createOrderHandler } from "./order-handler.ts";

const WAVES = { radiiM: [2_000], batchSize: 10, offerTtlMs: 60_000 };

/** A record of the orders topic as the order worker consumes it. */
function orderEvent(type: string, data: { orderId: string } & Record<string, unknown>, id?: string): ConsumedEvent {
  const e = createEnvelope({ type, key: data.orderId, data, source: "gateway", id });
  return { ...e, record: { topic: TOPICS.orders, partition: 0, offset: 0, key: e.key, headers: {}, timestamp: Date.now() } };
}

describe("order cancellation (order worker + booking worker, libSQL file + embedded geo)", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let db: Db;
  let geo: GeoIndex;
  let publisher: ReturnType<typeof recordingPublisher>;
  let deps: ReturnType<typeof bookingDeps<ReturnType<typeof recordingPublisher>>>;

  beforeEach(async () => {
    history = await openTempHistory("fleet-order-cancel-");
    db = history.db;
    geo = createEmbeddedGeoIndex();
    publisher = recordingPublisher();
    deps = bookingDeps(db, geo, publisher);
  });
  afterEach(() => history.remove());

  test("cancels every open truck's booking once: the assigned driver is freed, a completed truck stays completed, and the order settles (fulfilled, three trucks cancelled)", async () => {
    await seedDrivers(
      geo,
      [
        { id: "t-1", north: 100 },
        { id: "t-2", north: 200 },
        { id: "t-3", north: 300 },
      ],
      "tipper",
    );
    const orders = handledBy(createOrderHandler());
    const bookings = loopback(createBookingHandler({ waves: WAVES }), deps);
    const toBookings = async (from: number) => {
      const back = publisher.records
        .slice(from)
        .filter((r) => r.topic === TOPICS.bookings)
        .map(consumedRecord);
      if (back.length > 0) await bookings.deliver(...back);
    };

    const orderId = orderIdForRequest("cust-1", "order-1");
    const created: OrderCreated = {
      orderId,
      customerId: "cust-1",
      pickup: PICKUP,
      dropoff: northOf(8_000),
      trucks: [{ vehicleType: "tipper", quantity: 4 }],
    };
    let seen = publisher.records.length;
    await orders([orderEvent(ORDER_CREATED, created, createdEventId(orderId))], deps);
    await toBookings(seen);
    const trucks = (await readOrder(db, orderId))!.trucks.map((t) => t.bookingId);
    expect(trucks).toHaveLength(4);

    // Truck 0 is under way and truck 1 done; trucks 2 and 3 still searching.
    await bookings.deliver(
      consumed("booking.accepted", { bookingId: trucks[0]!, driverId: "t-1" }),
      consumed("booking.accepted", { bookingId: trucks[1]!, driverId: "t-2" }),
    );
    await bookings.deliver(
      consumed("booking.started", { bookingId: trucks[1]! }),
      consumed("booking.completed", { bookingId: trucks[1]! }),
    );
    expect((await geo.get("t-1"))?.status).toBe("busy");

    const cancel = orderEvent(ORDER_CANCEL_REQUESTED, { orderId });
    seen = publisher.records.length;
    await orders([cancel], deps);
    const cancels = publisher.records
      .slice(seen)
      .map((r) => parseEnvelope(r.value))
      .filter((e) => e.type === "booking.cancelled");
    expect(cancels.map((e) => e.key).sort()).toEqual([trucks[0]!, trucks[2]!, trucks[3]!].sort());
    expect(cancels.every((e) => (e.data as { by: string }).by === "customer")).toBe(true);
    await toBookings(seen);

    for (const i of [0, 2, 3]) expect((await readBooking(db, trucks[i]!))?.status).toBe("cancelled");
    expect((await readBooking(db, trucks[1]!))?.status).toBe("completed");
    expect((await geo.get("t-1"))?.status).toBe("available");
    const order = await readOrder(db, orderId);
    expect(order!.trucks.map((t) => t.status)).toEqual(["cancelled", "completed", "cancelled", "cancelled"]);
    // One truck was delivered, so the order settles as fulfilled with three cancelled (shared/order/roll-up.ts).
    expect(order).toMatchObject({ status: "fulfilled", counts: { total: 4, assigned: 1, cancelled: 3, searching: 0, expired: 0 } });

    // The customer was told each order-level change, once.
    const told = publisher.records
      .map((r) => parseEnvelope(r.value))
      .filter((e) => e.type === "notification.requested" && (e.data as NotificationRequested).kind === "order.status")
      .map((e) => e.data as NotificationRequested);
    expect(told.map((n) => [n.recipientId, n.recipientType, n.subjectId, n.payload.event, n.payload.status])).toEqual([
      ["cust-1", "customer", orderId, "order.truck-assigned", "partially-assigned"],
      ["cust-1", "customer", orderId, "order.truck-assigned", "partially-assigned"],
      ["cust-1", "customer", orderId, "order.fulfilled", "fulfilled"],
    ]);
    expect(told[0]!.payload).toMatchObject({ bookingId: trucks[0], driverId: "t-1", index: 0 });

    // The same request redelivered, or a second one: nothing left to cancel, nothing published.
    seen = publisher.records.length;
    await orders([cancel, orderEvent(ORDER_CANCEL_REQUESTED, { orderId })], deps);
    expect(publisher.records.slice(seen).filter((r) => r.topic === TOPICS.bookings)).toEqual([]);
  });

  test("an order with every truck still searching is cancelled as a whole", async () => {
    const orders = handledBy(createOrderHandler());
    const bookings = loopback(createBookingHandler({ waves: WAVES }), deps);
    const orderId = orderIdForRequest("cust-2", "order-2");
    await orders(
      [
        orderEvent(
          ORDER_CREATED,
          { orderId, customerId: "cust-2", pickup: PICKUP, dropoff: northOf(3_000), trucks: [{ vehicleType: "open", quantity: 2 }] },
          createdEventId(orderId),
        ),
      ],
      deps,
    );
    await orders([orderEvent(ORDER_CANCEL_REQUESTED, { orderId })], deps);
    await bookings.deliver(...publisher.records.filter((r) => r.topic === TOPICS.bookings).map(consumedRecord));
    expect(await readOrder(db, orderId)).toMatchObject({ status: "cancelled", counts: { total: 2, cancelled: 2 } });
  });

  test("a cancel for an order the worker never stored changes nothing", async () => {
    await handledBy(createOrderHandler())([orderEvent(ORDER_CANCEL_REQUESTED, { orderId: orderIdForRequest("nobody", "k") })], deps);
    expect(publisher.records).toEqual([]);
  });
});
