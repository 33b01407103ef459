import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bookingIdForOrderTruck } from "../../shared/booking/ids.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import { ORDER_CREATED } from "../../shared/events/order.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { partitionFor } from "../../shared/log/partition.ts";
import { createdEventId, orderIdForRequest } from "../../shared/order/ids.ts";
import { asCustomer, gatewayOverEmbeddedLog, postWithKey } from "../testing.ts";

const body = {
  customerId: "cust-9",
  pickup: { lat: 12.9716, lng: 77.5946, address: "Yard 4" },
  dropoff: { lat: 13.0827, lng: 80.2707 },
  trucks: [
    { vehicleType: "tipper", quantity: 2 },
    { vehicleType: "container", quantity: 1 },
  ],
};
const post = (b: unknown, key: string) => postWithKey(b, key, asCustomer("cust-9"));

describe("order routes", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  test("POST /v1/orders → 202 with the order id and one deterministic booking id per truck; order.created keyed by the order id", async () => {
    const res = await gw.app.request("/v1/orders", post(body, "o-key-1"));
    expect(res.status).toBe(202);
    const orderId = orderIdForRequest("cust-9", "o-key-1");
    const answer = (await res.json()) as Record<string, unknown> & { pickupCode: string };
    expect(answer).toEqual({
      orderId,
      bookingIds: [0, 1, 2].map((i) => bookingIdForOrderTruck(orderId, i)),
      pickupCode: expect.stringMatching(/^\d{4}$/),
    });

    const [r] = (await gw.published(TOPICS.orders)).filter((x) => x.key === orderId);
    expect(r!.partition).toBe(partitionFor(orderId, 6));
    expect(r!.headers.type).toBe(ORDER_CREATED);
    const env = parseEnvelope(r!.value);
    expect(env).toMatchObject({
      id: createdEventId(orderId),
      type: ORDER_CREATED,
      key: orderId,
      source: "gateway",
      correlationId: res.headers.get("x-request-id")!,
    });
    expect(env.data).toEqual({ orderId, ...body, pickupCode: answer.pickupCode });
  });

  test("the same key and body twice → the same 202, and the acked event published once", async () => {
    const first = await gw.app.request("/v1/orders", post(body, "o-key-2"));
    const again = await gw.app.request("/v1/orders", post(body, "o-key-2"));
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    const records = (await gw.published(TOPICS.orders)).filter((x) => x.key === orderIdForRequest("cust-9", "o-key-2"));
    expect(records.length).toBe(1);
  });

  test("an order key and a booking key of the same value are separate requests", async () => {
    const res = await gw.app.request(
      "/v1/bookings",
      post({ customerId: "cust-9", pickup: body.pickup, dropoff: body.dropoff, vehicleType: "tipper" }, "o-key-1"),
    );
    expect(res.status).toBe(202);
  });

  test("the largest order: 20 lines, 200 trucks", async () => {
    const trucks = Array.from({ length: 20 }, (_, i) => ({ vehicleType: i % 2 ? "open" : "trailer", quantity: 10 }));
    const res = await gw.app.request("/v1/orders", post({ ...body, trucks }, "o-key-big"));
    expect(res.status).toBe(202);
    expect(new Set(((await res.json()) as { bookingIds: string[] }).bookingIds).size).toBe(200);
  });

  test("GET /v1/orders/{id} → the order once the order worker wrote it", async () => {
    const orderId = orderIdForRequest("cust-9", "o-key-1");
    const asCust9 = { headers: asCustomer("cust-9") };
    expect((await gw.app.request(`/v1/orders/${orderId}`, asCust9)).status).toBe(404);
    await gw.history.client.execute({
      sql: "INSERT INTO orders (order_id, customer_id, pickup_lat, pickup_lng, dropoff_lat, dropoff_lng, status, truck_count, correlation_id, created_at, updated_at) VALUES (?, 'cust-9', 1, 2, 3, 4, 'partially-assigned', 2, 'c', 't', 't')",
      args: [orderId],
    });
    await gw.history.client.execute({
      sql: "INSERT INTO order_trucks VALUES (?, 0, ?, 'tipper', 'assigned', 'drv-1'), (?, 1, ?, 'tipper', 'searching', NULL)",
      args: [orderId, bookingIdForOrderTruck(orderId, 0), orderId, bookingIdForOrderTruck(orderId, 1)],
    });
    const res = await gw.app.request(`/v1/orders/${orderId}`, asCust9);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      orderId,
      customerId: "cust-9",
      status: "partially-assigned",
      trucks: [
        { bookingId: bookingIdForOrderTruck(orderId, 0), vehicleType: "tipper", status: "assigned", driverId: "drv-1" },
        { bookingId: bookingIdForOrderTruck(orderId, 1), vehicleType: "tipper", status: "searching" },
      ],
      counts: { total: 2, searching: 1, assigned: 1, cancelled: 0, expired: 0 },
      createdAt: "t",
      updatedAt: "t",
    });
  });
});
