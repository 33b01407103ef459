import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { workerAccepts } from "../../tests/support/worker-validation.ts";
import { asCustomer, asDriver, expectProblem, gatewayOverEmbeddedLog, json, postWithKey } from "../testing.ts";

/*
 * Issue 10, item 1: whatever the gateway answers 2xx, the consuming worker can apply.
 * Each case below was found answered 202 and then dead-lettered by the worker (or
 * answered 500); tests/fuzz/accepted-applies.fuzz.test.ts states the general property.
 */

const place = (lat: number, address?: string) => ({ lat, lng: 77.59, ...(address === undefined ? {} : { address }) });
const booking = { pickup: place(12.97), dropoff: place(12.93), vehicleType: "sedan" };
const order = { pickup: place(12.97), dropoff: place(12.93), trucks: [{ vehicleType: "tipper", quantity: 2 }] };
const CUSTOMER = "cust-10";
const key = () => `k-${crypto.randomUUID()}`;
/** `iso` with its Z replaced by an offset spelled `offset`, the same instant when the offset is +00. */
const withOffset = (ms: number, offset: string) => new Date(ms).toISOString().replace(/\.\d+Z$/, offset);

describe("what the gateway accepts, the workers apply", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  /** Sends a request; returns the answer and the records it made the gateway publish. */
  async function send(path: string, init: RequestInit) {
    const before = gw.sent.length;
    const res = await gw.app.request(path, init);
    return { res, records: gw.sent.slice(before) };
  }

  test("an X-Request-Id longer than the envelope's correlation id: 202, and the published booking passes the booking worker", async () => {
    const init = postWithKey(booking, key(), asCustomer(CUSTOMER));
    const { res, records } = await send("/v1/bookings", { ...init, headers: { ...init.headers, "x-request-id": "r".repeat(200) } });
    expect(res.status).toBe(202);
    expect(records).toHaveLength(1);
    for (const r of records) workerAccepts(r);
    // Replaced, not truncated: the answer names the id the events carry.
    const used = res.headers.get("x-request-id")!;
    expect(used.length).toBeLessThanOrEqual(128);
    expect(JSON.parse(records[0]!.value).correlationId).toBe(used);
  });

  test("an X-Request-Id of 128 characters is kept as the correlation id", async () => {
    const id = "q".repeat(128);
    const { res, records } = await send("/v1/drivers/d-10/locations", {
      ...json({ fixes: [{ lat: 12.97, lng: 77.59, recordedAt: new Date().toISOString() }] }, { method: "POST" }),
      headers: { "content-type": "application/json", "x-request-id": id, ...asDriver("d-10") },
    });
    expect(res.status).toBe(202);
    expect(JSON.parse(records[0]!.value).correlationId).toBe(id);
    workerAccepts(records[0]!);
  });

  for (const [where, lat] of [
    ["pickup", 85.1],
    ["dropoff", -89.5],
  ] as const) {
    test(`a booking whose ${where} lies beyond ±85.05° (the geo index's range) → 422 naming ${where}.lat, nothing published, key not spent`, async () => {
      const k = key();
      const bad = { ...booking, [where]: place(lat) };
      const { res, records } = await send("/v1/bookings", postWithKey(bad, k, asCustomer(CUSTOMER)));
      await expectProblem(res, 422, `${where}.lat`);
      expect(records).toHaveLength(0);
      expect((await gw.app.request("/v1/bookings", postWithKey(booking, k, asCustomer(CUSTOMER)))).status).toBe(202);
    });

    test(`an order whose ${where} lies beyond ±85.05° → 422 naming ${where}.lat, nothing published`, async () => {
      const { res, records } = await send("/v1/orders", postWithKey({ ...order, [where]: place(lat) }, key(), asCustomer(CUSTOMER)));
      await expectProblem(res, 422, `${where}.lat`);
      expect(records).toHaveLength(0);
    });
  }

  test("a pickup at exactly 85.05° is accepted and applicable", async () => {
    const { res, records } = await send("/v1/bookings", postWithKey({ ...booking, pickup: place(85.05) }, key(), asCustomer(CUSTOMER)));
    expect(res.status).toBe(202);
    for (const r of records) workerAccepts(r);
  });

  const fixAt = (recordedAt: string) =>
    json({ fixes: [{ lat: 12.97, lng: 77.59, recordedAt }] }, { method: "POST", headers: asDriver("d-10") });

  for (const [name, offset] of [
    ["an hour-only offset (+05)", "+05"],
    ["an offset without a colon (+0530)", "+0530"],
    ["a lowercase z", "z"],
  ] as const) {
    test(`a fix time with ${name} → 422 naming fixes.0.recordedAt, nothing published`, async () => {
      const { res, records } = await send("/v1/drivers/d-10/locations", fixAt(withOffset(Date.now(), offset)));
      await expectProblem(res, 422, "fixes.0.recordedAt");
      expect(records).toHaveLength(0);
    });
  }

  test("a time on a day that does not exist (Feb 30) → 400 naming it, not silently read as March 2", async () => {
    const res = await gw.app.request("/v1/drivers/d-10/trail?from=2026-02-30T10:00:00Z", { headers: asDriver("d-10") });
    await expectProblem(res, 400, "from");
  });

  test("a fix time with a full ±HH:MM offset is accepted and the location worker can order it", async () => {
    const now = Date.now();
    const { res, records } = await send("/v1/drivers/d-10/locations", fixAt(withOffset(now + 5.5 * 3600_000, "+05:30")));
    expect(res.status).toBe(202);
    workerAccepts(records[0]!);
  });

  for (const name of ["from", "to"]) {
    // A query-string flaw is a 400, like every other unreadable query (gateway/http/read-query.ts).
    test(`the trail's ${name} with an hour-only offset → 400 naming ${name}, never 500`, async () => {
      const res = await gw.app.request(`/v1/drivers/d-10/trail?${name}=${encodeURIComponent(withOffset(Date.now(), "+05"))}`, {
        headers: asDriver("d-10"),
      });
      await expectProblem(res, 400, name);
    });
  }

  test("a NUL or other control character in an address → 422 naming the address, nothing published", async () => {
    for (const address of ["Gate\u00002", "Gate\u001b[31m2", "Gate\u007f2"]) {
      const { res, records } = await send(
        "/v1/bookings",
        postWithKey({ ...booking, pickup: place(12.97, address) }, key(), asCustomer(CUSTOMER)),
      );
      await expectProblem(res, 422, "pickup.address");
      expect(records).toHaveLength(0);
    }
    const { res } = await send("/v1/orders", postWithKey({ ...order, dropoff: place(12.93, "Dock\u00003") }, key(), asCustomer(CUSTOMER)));
    await expectProblem(res, 422, "dropoff.address");
  });

  test("a NUL in a cancel reason → 422 naming reason", async () => {
    const res = await gw.app.request(
      "/v1/bookings/0f8fad5b-d9cb-469f-a165-70867728950e/cancel",
      json({ reason: "no\u0000show" }, { method: "POST", headers: asCustomer(CUSTOMER) }),
    );
    await expectProblem(res, 422, "reason");
  });
});
