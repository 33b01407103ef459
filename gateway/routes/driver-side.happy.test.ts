import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { bookingEvents, bookingOffers, bookings } from "../../shared/db/schema.ts";
import { asDriver, asOperator, gatewayOverEmbeddedLog, insertBooking } from "../testing.ts";

describe("the driver's side: an offered booking, open offers, the current trip", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  let bookingId: string;
  const expiresAt = new Date(Date.now() + 15_000).toISOString();
  const get = (path: string, headers: Record<string, string>) => gw.app.request(path, { headers });
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
    bookingId = await insertBooking(gw.history, { customerId: "cust-1", status: "offered", driverId: null, pickupAddress: "Gate 2" });
    await gw.history.orm.insert(bookingOffers).values([
      { bookingId, driverId: "drv-a", wave: 1, offeredAt: Date.now() },
      { bookingId, driverId: "drv-b", wave: 1, offeredAt: Date.now() },
    ]);
    await gw.history.orm.insert(bookingEvents).values({
      eventId: crypto.randomUUID(),
      bookingId,
      type: "booking.offered",
      occurredAt: new Date().toISOString(),
      applied: true,
      data: JSON.stringify({ bookingId, wave: 1, driverIds: ["drv-a", "drv-b"], radiusM: 1000, expiresAt }),
      recordedAt: Date.now(),
    });
    const now = Date.now();
    await gw.geo.setStatus([{ driverId: "drv-a", status: "available", vehicleType: "sedan", changedAt: now }]);
    await gw.geo.upsertPositions([{ driverId: "drv-a", lat: 12.99, lng: 77.59, recordedAt: now }]);
  });
  afterAll(() => gw.close());

  test("an offered driver reads what it needs to decide, with its distance and ETA to the pickup, while the offer stands", async () => {
    const res = await get(`/v1/bookings/${bookingId}`, asDriver("drv-a"));
    expect(res.status).toBe(200);
    const b = (await res.json()) as Record<string, unknown> & { pickupEta: { seconds: number; distanceM: number; model: string } };
    expect(b).toMatchObject({
      bookingId,
      status: "offered",
      vehicleType: "sedan",
      pickup: { lat: 12.97, lng: 77.59, address: "Gate 2" },
      dropoff: { lat: 12.93, lng: 77.62 },
      fareEstimate: { amount: 100, currency: "INR" },
      offer: { wave: 1, expiresAt },
    });
    expect(b.pickupEta.distanceM).toBeGreaterThan(2_000);
    expect(b.pickupEta.seconds).toBeGreaterThan(0);
    expect(b).not.toHaveProperty("customerId");
    expect(b).not.toHaveProperty("timeline");
    // No position known: the offer still reads, without an ETA.
    expect(((await (await get(`/v1/bookings/${bookingId}`, asDriver("drv-b"))).json()) as { pickupEta: unknown }).pickupEta).toBeNull();
    expect((await get(`/v1/bookings/${bookingId}`, asDriver("drv-z"))).status).toBe(404);
  });

  test("GET /v1/drivers/{id}/offers lists a driver's standing offers; only to itself and operators", async () => {
    const mine = (await (await get("/v1/drivers/drv-a/offers", asDriver("drv-a"))).json()) as { offers: { bookingId: string }[] };
    expect(mine.offers.map((o) => o.bookingId)).toEqual([bookingId]);
    expect(mine.offers[0]).toMatchObject({ wave: 1, expiresAt, pickupEta: { model: "straight-line/typical-speed" } });
    expect(((await (await get("/v1/drivers/drv-z/offers", asOperator())).json()) as { offers: unknown[] }).offers).toEqual([]);
    expect((await get("/v1/drivers/drv-a/offers", asDriver("drv-b"))).status).toBe(403);
  });

  test("once another driver takes it, the offer is gone: 404 and no offers; the winner's trip shows with its leg's ETA", async () => {
    await gw.history.orm.update(bookings).set({ status: "accepted", driverId: "drv-c" }).where(eq(bookings.bookingId, bookingId));
    expect((await get(`/v1/bookings/${bookingId}`, asDriver("drv-a"))).status).toBe(404);
    expect(((await (await get("/v1/drivers/drv-a/offers", asDriver("drv-a"))).json()) as { offers: unknown[] }).offers).toEqual([]);
    expect(await (await get("/v1/drivers/drv-a/trip", asDriver("drv-a"))).json()).toEqual({ driverId: "drv-a", trip: null });
    await gw.geo.upsertPositions([{ driverId: "drv-c", lat: 12.98, lng: 77.59, recordedAt: Date.now() }]);
    const trip = (await (await get("/v1/drivers/drv-c/trip", asDriver("drv-c"))).json()) as { trip: Record<string, unknown> };
    expect(trip.trip).toMatchObject({ bookingId, status: "accepted", customerId: "cust-1", eta: { to: "pickup" } });
    await gw.history.orm.update(bookings).set({ status: "started" }).where(eq(bookings.bookingId, bookingId));
    const started = (await (await get("/v1/drivers/drv-c/trip", asOperator())).json()) as { trip: { eta: { to: string } } };
    expect(started.trip.eta.to).toBe("dropoff");
    expect((await get("/v1/drivers/drv-c/trip", asDriver("drv-a"))).status).toBe(403);
  });
});
