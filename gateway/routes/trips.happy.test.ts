import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bookingIdForRequest } from "../../shared/booking/ids.ts";
import { bookings, driverCounters } from "../../shared/db/schema.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { surgeZoneOf } from "../../shared/surge/surge-formula.ts";
import { tripDeps } from "../build-deps.ts";
import { asCustomer, asDriver, asOperator, expectProblem, gatewayOverEmbeddedLog, json, postWithKey } from "../testing.ts";

const pickup = { lat: 12.9716, lng: 77.5946 };
const bookingRow = (bookingId: string, over: Partial<typeof bookings.$inferInsert> = {}) => ({
  bookingId,
  customerId: "cust-7",
  orderId: null,
  vehicleType: "sedan" as const,
  pickupLat: pickup.lat,
  pickupLng: pickup.lng,
  dropoffLat: 12.9352,
  dropoffLng: 77.6245,
  fareAmount: 127.1,
  fareCurrency: "INR",
  pickupCode: "4821",
  status: "arrived" as const,
  driverId: "drv-9",
  wave: 1,
  version: 4,
  correlationId: "req-1",
  requestedAt: "2026-11-01T08:00:00.000Z",
  updatedAt: "2026-11-01T08:00:09.000Z",
  ...over,
});

describe("trip routes: surge, pickup code, arrival, counters", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  const surge = (q: string, who = asCustomer("cust-7")) => gw.app.request(`/v1/surge?${q}`, { headers: who });

  test("GET /v1/surge: a zone never priced answers the floor with no supply; a priced zone its multiplier and inputs", async () => {
    const never = await surge("lat=40.7128&lng=-74.006&vehicleType=sedan");
    expect(never.status).toBe(200);
    expect(await never.json()).toEqual({
      cell: surgeZoneOf(40.7128, -74.006, "sedan").cell,
      resolution: 7,
      vehicleType: "sedan",
      multiplier: 1,
      demand: 0,
      supply: null,
      windowS: 600,
      updatedAt: null,
    });

    const zone = surgeZoneOf(pickup.lat, pickup.lng, "auto");
    await gw.surge.put([
      { ...zone, multiplier: 1.8, demand: 9, supply: 3, windowS: 600, updatedAt: Date.UTC(2026, 10, 1), settled: false },
    ]);
    const priced = await surge(`lat=${pickup.lat}&lng=${pickup.lng}&vehicleType=auto`, asDriver("drv-1"));
    expect(await priced.json()).toMatchObject({ multiplier: 1.8, demand: 9, supply: 3, updatedAt: "2026-11-01T00:00:00.000Z" });
  });

  test("a booking is quoted with its zone's surge and carries it (and a pickup code) on booking.requested", async () => {
    const zone = surgeZoneOf(pickup.lat, pickup.lng, "suv");
    await gw.surge.put([{ ...zone, multiplier: 1.5, demand: 6, supply: 2, windowS: 600, updatedAt: Date.now(), settled: false }]);
    const body = { pickup, dropoff: { lat: 12.9352, lng: 77.6245 }, vehicleType: "suv" };
    const res = await gw.app.request("/v1/bookings", postWithKey(body, "surge-key", asCustomer("cust-7")));
    const answer = (await res.json()) as { bookingId: string; surge: number; fareEstimate: { amount: number }; pickupCode: string };
    expect(answer.surge).toBe(1.5);
    const r = (await gw.published(TOPICS.bookings)).find((x) => x.key === answer.bookingId)!;
    expect(parseEnvelope(r.value).data).toMatchObject({ surge: 1.5, pickupCode: answer.pickupCode, fareEstimate: answer.fareEstimate });
  });

  test("a surge store that fails does not stop bookings: they are quoted at the floor", async () => {
    const failing = await gatewayOverEmbeddedLog();
    const broken = await gatewayOverEmbeddedLog({
      trips: tripDeps(failing.history, {
        ...failing.surge,
        get: async () => {
          throw new Error("connection refused (test)");
        },
      }),
    });
    try {
      const res = await broken.app.request(
        "/v1/bookings",
        postWithKey({ pickup, dropoff: pickup, vehicleType: "sedan" }, "k", asCustomer("cust-7")),
      );
      expect(res.status).toBe(202);
      expect(((await res.json()) as { surge: number }).surge).toBe(1);
      await expectProblem(await broken.app.request("/v1/surge?lat=1&lng=1&vehicleType=sedan", { headers: asCustomer("c") }), 503, "");
    } finally {
      await broken.close();
      await failing.close();
    }
  });

  test("the customer sees the pickup code; the assigned driver does not", async () => {
    const bookingId = bookingIdForRequest("cust-7", "code-view");
    await gw.history.orm.insert(bookings).values(bookingRow(bookingId));
    const forCustomer = await (await gw.app.request(`/v1/bookings/${bookingId}`, { headers: asCustomer("cust-7") })).json();
    const forDriver = await (await gw.app.request(`/v1/bookings/${bookingId}`, { headers: asDriver("drv-9") })).json();
    expect(forCustomer).toMatchObject({ pickupCode: "4821", status: "arrived" });
    expect(forDriver).not.toHaveProperty("pickupCode");
    expect(forDriver).toMatchObject({ status: "arrived", driverId: "drv-9" });
  });

  test("start with the right code is published with it; a wrong code is a 422 naming pickupCode and publishes nothing", async () => {
    const bookingId = bookingIdForRequest("cust-7", "code-start");
    await gw.history.orm.insert(bookings).values(bookingRow(bookingId));
    const before = (await gw.published(TOPICS.bookings)).length;
    const wrong = await gw.app.request(
      `/v1/bookings/${bookingId}/start`,
      json({ pickupCode: "1111" }, { method: "POST", headers: asDriver("drv-9") }),
    );
    await expectProblem(wrong, 422, "pickupCode");
    expect((await gw.published(TOPICS.bookings)).length).toBe(before);
    const right = await gw.app.request(
      `/v1/bookings/${bookingId}/start`,
      json({ pickupCode: "4821" }, { method: "POST", headers: asDriver("drv-9") }),
    );
    expect(right.status).toBe(202);
    const { eventId } = (await right.json()) as { eventId: string };
    const r = (await gw.published(TOPICS.bookings)).find((x) => parseEnvelope(x.value).id === eventId)!;
    expect(parseEnvelope(r.value)).toMatchObject({ type: "booking.started", data: { bookingId, pickupCode: "4821" } });
  });

  test("with PICKUP_CODE_REQUIRED a start without the code is a 400 naming pickupCode", async () => {
    const strict = await gatewayOverEmbeddedLog();
    strict.deps.trips.pickupCodeRequired = true;
    try {
      const bookingId = bookingIdForRequest("cust-7", "code-required");
      await strict.history.orm.insert(bookings).values(bookingRow(bookingId));
      await expectProblem(
        await strict.app.request(`/v1/bookings/${bookingId}/start`, json({}, { method: "POST", headers: asDriver("drv-9") })),
        400,
        "pickupCode",
      );
    } finally {
      await strict.close();
    }
  });

  test("an operator cancelling on the driver's behalf names the assigned driver; only the assigned driver may arrive", async () => {
    const bookingId = bookingIdForRequest("cust-7", "ops-cancel");
    await gw.history.orm.insert(bookings).values(bookingRow(bookingId, { status: "accepted" }));
    const res = await gw.app.request(`/v1/bookings/${bookingId}/cancel`, json({ by: "driver" }, { method: "POST", headers: asOperator() }));
    const { eventId } = (await res.json()) as { eventId: string };
    const r = (await gw.published(TOPICS.bookings)).find((x) => parseEnvelope(x.value).id === eventId)!;
    expect(parseEnvelope(r.value).data).toEqual({ bookingId, by: "driver", driverId: "drv-9" });
    const stranger = await gw.app.request(`/v1/bookings/${bookingId}/arrive`, { method: "POST", headers: asDriver("drv-1") });
    expect(stranger.status).toBe(404);
  });

  test("operators see what counts against a driver; the driver's own view leaves it out", async () => {
    await gw.geo.setStatus([{ driverId: "drv-c", status: "available", vehicleType: "sedan", changedAt: Date.now() }]);
    await gw.history.orm.insert(driverCounters).values({ driverId: "drv-c", cancelsAfterAccept: 2, noShows: 1 });
    const ops = await (await gw.app.request("/v1/drivers/drv-c", { headers: asOperator() })).json();
    expect(ops).toMatchObject({ driverId: "drv-c", counters: { cancelsAfterAccept: 2, noShows: 1 } });
    const own = await (await gw.app.request("/v1/drivers/drv-c", { headers: asDriver("drv-c") })).json();
    expect(own).not.toHaveProperty("counters");
  });

  test("GET /v1/surge with a bad query is a 400 naming the parameter", async () => {
    await expectProblem(await surge("lat=12.9&lng=77.5&vehicleType=rocket"), 400, "vehicleType");
    await expectProblem(await surge("lat=91&lng=77.5&vehicleType=sedan"), 400, "lat");
    await expectProblem(await surge("lng=77.5&vehicleType=sedan"), 400, "lat");
  });
});
