import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bookingOffers } from "../../shared/db/schema.ts";
import { statusBatch } from "../../shared/trip-stream/trip-entries.ts";
import { asCustomer, asDriver, expectProblem, gatewayOverEmbeddedLog, insertBooking } from "../testing.ts";

describe("who may follow a booking's stream", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  let bookingId: string;
  const follow = (headers: Record<string, string>, id = bookingId) => gw.app.request(`/v1/bookings/${id}/stream`, { headers });
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
    bookingId = await insertBooking(gw.history, { customerId: "cust-1", driverId: "drv-1", status: "offered" });
    await gw.history.orm.insert(bookingOffers).values({ bookingId, driverId: "drv-offered", wave: 1, offeredAt: Date.now() });
    await gw.tripStream.append(bookingId, [
      statusBatch({ eventId: crypto.randomUUID(), type: "booking.requested", at: new Date().toISOString(), applied: true }, false),
    ]);
  });
  afterAll(() => gw.close());

  test("another customer, an unassigned driver and a driver merely offered it get 404, as for an unknown booking", async () => {
    for (const who of [asCustomer("cust-2"), asDriver("drv-9"), asDriver("drv-offered")]) {
      const res = await follow(who);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await follow(asCustomer("cust-1"), crypto.randomUUID())).status).toBe(404);
  });

  test("a Last-Event-ID that is no id of ours, or a booking id that is no UUID, is a 400 naming it", async () => {
    await expectProblem(await follow({ ...asCustomer("cust-1"), "last-event-id": "'; DROP TABLE" }), 400, "Last-Event-ID");
    await expectProblem(await follow(asCustomer("cust-1"), "not-a-uuid"), 400, "bookingId");
  });

  test("without a token: 401; a gateway without a stream store answers 503", async () => {
    expect((await gw.app.request(`/v1/bookings/${bookingId}/stream`)).status).toBe(401);
    const bare = await gatewayOverEmbeddedLog({ tripStream: undefined });
    try {
      const id = await insertBooking(bare.history, { customerId: "cust-1" });
      const res = await bare.app.request(`/v1/bookings/${id}/stream`, { headers: asCustomer("cust-1") });
      expect(res.status).toBe(503);
    } finally {
      await bare.close();
    }
  });
});
