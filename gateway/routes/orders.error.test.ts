import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TOPICS } from "../../shared/events/topics.ts";
import { asCustomer, expectProblem, gatewayOverEmbeddedLog, postWithKey } from "../testing.ts";

const body = {
  customerId: "cust-1",
  pickup: { lat: 12.9716, lng: 77.5946 },
  dropoff: { lat: 12.9352, lng: 77.6245 },
  trucks: [{ vehicleType: "tipper", quantity: 3 }],
};
const post = (b: unknown, key?: string) => postWithKey(b, key, asCustomer("cust-1"));
const orderId = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("order routes refuse bad requests and publish nothing for them", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  let accepted = 0;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(async () => {
    expect((await gw.published(TOPICS.orders)).length).toBe(accepted);
    await gw.close();
  });

  test("no Idempotency-Key → 400 naming the header", async () => {
    await expectProblem(await gw.app.request("/v1/orders", post(body)), 400, "Idempotency-Key");
  });

  test("the same key with a different body → 422 naming the header; the first order stands", async () => {
    expect((await gw.app.request("/v1/orders", post(body, "reused"))).status).toBe(202);
    accepted++;
    await expectProblem(
      await gw.app.request("/v1/orders", post({ ...body, trucks: [{ vehicleType: "tipper", quantity: 4 }] }, "reused")),
      422,
      "Idempotency-Key",
    );
    expect((await gw.app.request("/v1/orders", post(body, "reused"))).status).toBe(202);
    // The replay answers the same 202; its event was acked already, so nothing is published again.
  });

  const line = (vehicleType: string, quantity: unknown) => ({ vehicleType, quantity });
  const bodies: [string, unknown, number, string][] = [
    ["not JSON", "{nope", 400, "(body)"],
    ["no trucks field", { ...body, trucks: undefined }, 422, "trucks"],
    ["no truck lines", { ...body, trucks: [] }, 422, "trucks"],
    ["21 truck lines", { ...body, trucks: Array.from({ length: 21 }, () => line("open", 1)) }, 422, "trucks"],
    ["a quantity of 0", { ...body, trucks: [line("tipper", 0)] }, 422, "trucks.0.quantity"],
    ["a quantity of 101", { ...body, trucks: [line("tipper", 1), line("open", 101)] }, 422, "trucks.1.quantity"],
    ["a fractional quantity", { ...body, trucks: [line("tipper", 1.5)] }, 422, "trucks.0.quantity"],
    ["a quantity as a string", { ...body, trucks: [line("tipper", "2")] }, 422, "trucks.0.quantity"],
    ["201 trucks in all", { ...body, trucks: [line("tipper", 100), line("open", 100), line("reefer", 1)] }, 422, "trucks"],
    ["an unknown vehicle type", { ...body, trucks: [line("rocket", 1)] }, 422, "trucks.0.vehicleType"],
    ["an unknown field in a line", { ...body, trucks: [{ ...line("open", 1), colour: "red" }] }, 422, "trucks.0.colour"],
    ["latitude 91", { ...body, pickup: { lat: 91, lng: 77 } }, 422, "pickup.lat"],
    ["a bad customer id", { ...body, customerId: "has spaces" }, 422, "customerId"],
    ["a client-chosen order id", { ...body, orderId }, 422, "orderId"],
  ];
  for (const [name, b, status, field] of bodies) {
    test(`POST /v1/orders with ${name} → ${status} naming ${field}`, async () => {
      await expectProblem(await gw.app.request("/v1/orders", post(b, `k-${crypto.randomUUID()}`)), status, field);
    });
  }

  test("GET an unknown order → 404 problem; a malformed id → 400 naming orderId", async () => {
    await expectProblem(await gw.app.request(`/v1/orders/${orderId}`, { headers: asCustomer("cust-1") }), 404, "");
    await expectProblem(await gw.app.request("/v1/orders/12345", { headers: asCustomer("cust-1") }), 400, "orderId");
  });
});
