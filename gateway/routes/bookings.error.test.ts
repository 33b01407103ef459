import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TOPICS } from "../../shared/events/topics.ts";
import { asCustomer, asDriver, expectProblem, gatewayOverEmbeddedLog, json, postWithKey } from "../testing.ts";

const body = {
  customerId: "cust-1",
  pickup: { lat: 12.9716, lng: 77.5946 },
  dropoff: { lat: 12.9352, lng: 77.6245 },
  vehicleType: "sedan",
};
const post = (b: unknown, key?: string) => postWithKey(b, key, asCustomer("cust-1"));
const bookingId = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("booking routes refuse bad requests and publish nothing for them", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  let accepted = 0;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(async () => {
    expect((await gw.published(TOPICS.bookings)).length).toBe(accepted);
    await gw.close();
  });

  test("no Idempotency-Key → 400 naming the header", async () => {
    await expectProblem(await gw.app.request("/v1/bookings", post(body)), 400, "Idempotency-Key");
  });

  test("a malformed Idempotency-Key (spaces, too long) → 400 naming the header", async () => {
    await expectProblem(await gw.app.request("/v1/bookings", post(body, "has a space")), 400, "Idempotency-Key");
    await expectProblem(await gw.app.request("/v1/bookings", post(body, "k".repeat(256))), 400, "Idempotency-Key");
  });

  test("the same key with a different body → 422 naming the header; the first booking stands", async () => {
    expect((await gw.app.request("/v1/bookings", post(body, "reused"))).status).toBe(202);
    accepted++;
    await expectProblem(await gw.app.request("/v1/bookings", post({ ...body, vehicleType: "suv" }, "reused")), 422, "Idempotency-Key");
    await expectProblem(
      await gw.app.request("/v1/bookings", post({ ...body, pickup: { ...body.pickup, address: "Gate 2" } }, "reused")),
      422,
      "Idempotency-Key",
    );
    expect((await gw.app.request("/v1/bookings", post(body, "reused"))).status).toBe(202);
    // The replay answers the same 202; its event was acked already, so nothing is published again.
  });

  const bodies: [string, unknown, number, string][] = [
    ["not JSON", "{nope", 400, "(body)"],
    ["no vehicle type", { ...body, vehicleType: undefined }, 422, "vehicleType"],
    ["an unknown vehicle type", { ...body, vehicleType: "rocket" }, 422, "vehicleType"],
    ["latitude 91", { ...body, pickup: { lat: 91, lng: 77 } }, 422, "pickup.lat"],
    ["a longitude as a string", { ...body, dropoff: { lat: 12.9, lng: "77.6" } }, 422, "dropoff.lng"],
    ["an address of 201 characters", { ...body, dropoff: { ...body.dropoff, address: "x".repeat(201) } }, 422, "dropoff.address"],
    ["a bad customer id", { ...body, customerId: "has spaces" }, 422, "customerId"],
    ["an unknown field", { ...body, fare: 1 }, 422, "fare"],
    ["a client-chosen booking id", { ...body, bookingId }, 422, "bookingId"],
  ];
  for (const [name, b, status, field] of bodies) {
    test(`POST /v1/bookings with ${name} → ${status} naming ${field}`, async () => {
      await expectProblem(await gw.app.request("/v1/bookings", post(b, `k-${crypto.randomUUID()}`)), status, field);
    });
  }

  test("actions: a booking id that is not a UUID → 400 naming bookingId", async () => {
    for (const action of ["accept", "start", "complete", "cancel"]) {
      await expectProblem(
        await gw.app.request(
          `/v1/bookings/not-a-uuid/${action}`,
          json({ driverId: "d-1", by: "driver" }, { method: "POST", headers: asDriver("d-1") }),
        ),
        400,
        "bookingId",
      );
    }
  });

  const actions: [string, unknown, number, string][] = [
    ["accept", { driverId: 7 }, 422, "driverId"],
    ["accept", { driverId: "bad id" }, 422, "driverId"],
    ["accept", "", 400, "(body)"],
    ["cancel", { by: "operator" }, 422, "by"],
    ["cancel", { by: "driver" }, 422, "by"],
    ["cancel", { by: "customer", reason: "" }, 422, "reason"],
    ["cancel", { by: "customer", refund: true }, 422, "refund"],
  ];
  for (const [action, b, status, field] of actions) {
    test(`POST …/${action} with ${JSON.stringify(b)} → ${status} naming ${field}`, async () => {
      const who = action === "accept" ? asDriver("d-1") : asCustomer("cust-1");
      await expectProblem(
        await gw.app.request(`/v1/bookings/${bookingId}/${action}`, json(b, { method: "POST", headers: who })),
        status,
        field,
      );
    });
  }

  test("GET an unknown booking → 404 problem; a malformed id → 400 naming bookingId", async () => {
    await expectProblem(await gw.app.request(`/v1/bookings/${bookingId}`, { headers: asCustomer("cust-1") }), 404, "");
    await expectProblem(await gw.app.request("/v1/bookings/12345", { headers: asCustomer("cust-1") }), 400, "bookingId");
  });
});
