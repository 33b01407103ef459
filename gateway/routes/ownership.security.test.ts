import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bookingIdForRequest } from "../../shared/booking/ids.ts";
import { bookings } from "../../shared/db/schema.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import {
  asCustomer,
  asDriver,
  asOperator,
  expectProblem,
  gatewayOverEmbeddedLog,
  json,
  postWithKey,
  storedBookingRow,
} from "../testing.ts";

/*
 * As whom: identity comes from the token's sub. A driver acts only as itself, a
 * customer sees only its own bookings and orders (another's is a 404, like an unknown
 * id), and the assigned driver and operators see a booking too. Nothing refused is published.
 */

const place = { lat: 12.97, lng: 77.59 };
const fix = () => ({ lat: 12.97, lng: 77.59, recordedAt: new Date().toISOString() });

describe("callers act only as themselves", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  /** cust-a's booking, accepted by drv-a. */
  const bookingId = bookingIdForRequest("cust-a", "k-own");
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
    await gw.history.orm
      .insert(bookings)
      .values(
        storedBookingRow(bookingId, { customerId: "cust-a", driverId: "drv-a", pickupLat: place.lat, pickupLng: place.lng, version: 3 }),
      );
    await gw.history.client.execute({
      sql: "INSERT INTO orders (order_id, customer_id, pickup_lat, pickup_lng, dropoff_lat, dropoff_lng, status, truck_count, correlation_id, created_at, updated_at) VALUES (?, 'cust-a', 1, 2, 3, 4, 'searching', 0, 'c', 't', 't')",
      args: [bookingId],
    });
  });
  afterAll(async () => {
    // Every refusal above published nothing; the one accepted cancel and accept did.
    const types = (await gw.published(TOPICS.bookings)).map((r) => parseEnvelope(r.value).type);
    expect(types.sort()).toEqual(["booking.accepted", "booking.cancelled"]);
    expect((await gw.published(TOPICS.orders)).map((r) => parseEnvelope(r.value))).toEqual([
      expect.objectContaining({ type: "order.cancel-requested", key: bookingId, data: { orderId: bookingId } }),
    ]);
    expect(await gw.published(TOPICS.driverLocations)).toEqual([]);
    expect(await gw.published(TOPICS.driverStatus)).toEqual([]);
    await gw.close();
  });

  test("driver A posting fixes or status as driver B → 403 naming driverId", async () => {
    await expectProblem(
      await gw.app.request("/v1/drivers/drv-b/locations", json({ fixes: [fix()] }, { method: "POST", headers: asDriver("drv-a") })),
      403,
      "driverId",
    );
    await expectProblem(
      await gw.app.request(
        "/v1/drivers/drv-b/status",
        json({ status: "available", vehicleType: "sedan" }, { method: "PUT", headers: asDriver("drv-a") }),
      ),
      403,
      "driverId",
    );
  });

  test("an operator cannot post fixes for a driver either → 403", async () => {
    await expectProblem(
      await gw.app.request("/v1/drivers/drv-b/locations", json({ fixes: [fix()] }, { method: "POST", headers: asOperator() })),
      403,
      "",
    );
  });

  test("driver A reading driver B's state or trail → 403; an operator may", async () => {
    await expectProblem(await gw.app.request("/v1/drivers/drv-b", { headers: asDriver("drv-a") }), 403, "driverId");
    await expectProblem(await gw.app.request("/v1/drivers/drv-b/trail", { headers: asDriver("drv-a") }), 403, "driverId");
    expect((await gw.app.request("/v1/drivers/drv-b/trail", { headers: asOperator() })).status).toBe(200);
  });

  test("driver A accepting as driver B (driverId in the body) → 403 naming driverId", async () => {
    await expectProblem(
      await gw.app.request(`/v1/bookings/${bookingId}/accept`, json({ driverId: "drv-b" }, { method: "POST", headers: asDriver("drv-a") })),
      403,
      "driverId",
    );
  });

  test("a customer booking or ordering as another customer → 403 naming customerId", async () => {
    await expectProblem(
      await gw.app.request(
        "/v1/bookings",
        postWithKey({ customerId: "cust-b", pickup: place, dropoff: place, vehicleType: "sedan" }, "k-1", asCustomer("cust-a")),
      ),
      403,
      "customerId",
    );
    await expectProblem(
      await gw.app.request(
        "/v1/orders",
        postWithKey(
          { customerId: "cust-b", pickup: place, dropoff: place, trucks: [{ vehicleType: "tipper", quantity: 1 }] },
          "k-1",
          asCustomer("cust-a"),
        ),
      ),
      403,
      "customerId",
    );
  });

  test("a customer reading another's booking or order → 404, the same answer as an unknown id", async () => {
    const unknown = await gw.app.request(`/v1/bookings/${crypto.randomUUID()}`, { headers: asCustomer("cust-b") });
    const others = await gw.app.request(`/v1/bookings/${bookingId}`, { headers: asCustomer("cust-b") });
    expect(others.status).toBe(404);
    expect(((await others.json()) as { title: string }).title).toBe(((await unknown.json()) as { title: string }).title);
    expect((await gw.app.request(`/v1/orders/${bookingId}`, { headers: asCustomer("cust-b") })).status).toBe(404);
  });

  test("an order is cancelled by its customer (202, order.cancel-requested keyed by the order); another customer gets 404", async () => {
    expect((await gw.app.request(`/v1/orders/${bookingId}/cancel`, { method: "POST", headers: asCustomer("cust-b") })).status).toBe(404);
    expect(
      (await gw.app.request(`/v1/orders/${crypto.randomUUID()}/cancel`, { method: "POST", headers: asCustomer("cust-a") })).status,
    ).toBe(404);
    const res = await gw.app.request(`/v1/orders/${bookingId}/cancel`, { method: "POST", headers: asCustomer("cust-a") });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ orderId: bookingId, eventId: expect.any(String) });
  });

  test("its customer, its assigned driver and an operator read the booking; another driver gets 404", async () => {
    for (const who of [asCustomer("cust-a"), asDriver("drv-a"), asOperator()])
      expect((await gw.app.request(`/v1/bookings/${bookingId}`, { headers: who })).status).toBe(200);
    expect((await gw.app.request(`/v1/bookings/${bookingId}`, { headers: asDriver("drv-b") })).status).toBe(404);
    expect((await gw.app.request(`/v1/orders/${bookingId}`, { headers: asCustomer("cust-a") })).status).toBe(200);
  });

  test("start, complete and cancel by a driver not assigned, or cancel by another customer → 404", async () => {
    for (const action of ["start", "complete", "cancel"]) {
      expect(
        (await gw.app.request(`/v1/bookings/${bookingId}/${action}`, json({}, { method: "POST", headers: asDriver("drv-b") }))).status,
      ).toBe(404);
    }
    expect(
      (await gw.app.request(`/v1/bookings/${bookingId}/cancel`, json({}, { method: "POST", headers: asCustomer("cust-b") }))).status,
    ).toBe(404);
  });

  test("a customer cannot cancel in a driver's name; an operator must say on whose behalf", async () => {
    await expectProblem(
      await gw.app.request(`/v1/bookings/${bookingId}/cancel`, json({ by: "driver" }, { method: "POST", headers: asCustomer("cust-a") })),
      422,
      "by",
    );
    await expectProblem(
      await gw.app.request(`/v1/bookings/${bookingId}/cancel`, json({}, { method: "POST", headers: asOperator() })),
      422,
      "by",
    );
  });

  test("the booking's customer cancels (by: customer from the token); a driver accepts as itself", async () => {
    const cancel = await gw.app.request(
      `/v1/bookings/${bookingId}/cancel`,
      json({ reason: "changed plans" }, { method: "POST", headers: asCustomer("cust-a") }),
    );
    expect(cancel.status).toBe(202);
    const accept = await gw.app.request(`/v1/bookings/${bookingId}/accept`, json({}, { method: "POST", headers: asDriver("drv-c") }));
    expect(accept.status).toBe(202);
    const data = (await gw.published(TOPICS.bookings)).map((r) => parseEnvelope(r.value).data);
    expect(data).toContainEqual({ bookingId, by: "customer", reason: "changed plans" });
    expect(data).toContainEqual({ bookingId, driverId: "drv-c" });
  });
});
