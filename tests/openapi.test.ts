import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Hono } from "hono";
import type { Role } from "../gateway/auth/principal.ts";
import { bearer, tokenFor } from "../gateway/auth/testing-auth.ts";
import { apiDocument } from "../gateway/openapi/api-document.ts";
import { createConformance, exchangeOf } from "../gateway/openapi/conformance.ts";
import { openApiPath } from "../gateway/openapi/route-doc.ts";
import { createInProcessRateLimiter } from "../gateway/ratelimit/in-process-rate-limiter.ts";
import { gatewayOverEmbeddedLog } from "../gateway/testing.ts";
import { BackpressureError } from "../shared/errors/errors.ts";
import { createEnvelope, envelopeHeaders } from "../shared/events/envelope.ts";
import { TOPICS } from "../shared/events/topics.ts";
import { deadLetterRecord } from "../workers/runtime/dead-letter.ts";
import { apiClient, bookingDetails } from "./support/api-client.ts";
import { type EmbeddedSystem, startEmbeddedSystem } from "./support/embedded-system.ts";
import { until } from "./support/until.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; the walk waits for real workers.
setDefaultTimeout(60_000);

/*
 * The spec cannot lie: every route the app registers is in the document, and every
 * answer below — a walk through every operation of a seeded system, plus problems
 * generated per operation from the document itself — is checked against it (status,
 * media type, JSON Schema of the body). The last test lists what was never answered.
 */

type Operation = {
  operationId: string;
  "x-roles": Role[];
  parameters?: Param[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};
type Param = { name: string; in: "path" | "query" | "header"; required: boolean; schema: Record<string, unknown> };

const doc = apiDocument() as { paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
const conformance = createConformance(apiDocument());
const SUBS: Record<Role, string> = { driver: "drv-spec", customer: "cust-spec", operator: "ops-spec" };
const as = (role: Role) => apiClient(sys.app, { role, sub: SUBS[role] }, conformance);

let sys: EmbeddedSystem;
beforeAll(async () => {
  sys = await startEmbeddedSystem();
});
afterAll(() => sys?.close());

/** A raw request (for what the typed client would not send), checked like the client's. */
async function raw(app: Hono, method: string, url: string, init: RequestInit = {}) {
  const request = new Request(`http://gateway.test${url}`, { method, ...init });
  const response = await app.request(`http://gateway.test${url}`, { method, ...init });
  expect(conformance.check(await exchangeOf(request, response))).toEqual([]);
  return response;
}

/** A value the parameter's schema accepts, for a request whose flaw lies elsewhere. */
function validValue(p: Param, role: Role): string {
  const s = p.schema;
  if (p.name === "driverId") return SUBS.driver;
  if (p.name === "customerId") return SUBS.customer;
  if (s.format === "uuid") return crypto.randomUUID();
  if (Array.isArray(s.enum)) return String(s.enum[0]);
  if (s.type === "integer" || s.type === "number") return "0";
  return role === "driver" ? SUBS.driver : "x";
}

function pathWith(path: string, op: Operation, role: Role, bad?: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (bad !== undefined) return bad;
    return encodeURIComponent(validValue(op.parameters!.find((p) => p.name === name)!, role));
  });
}

describe("the OpenAPI document", () => {
  test("every route the app registers is documented, and every documented operation is registered", () => {
    const registered = new Set(
      sys.app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
    );
    const documented = new Set(operations.map((o) => `${o.method} ${o.path}`));
    expect([...registered].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((d) => !registered.has(d))).toEqual([]);
  });

  test("a walk through every operation of a seeded system answers as documented", async () => {
    const driver = as("driver");
    const customer = as("customer");
    const operator = as("operator");
    const driverId = SUBS.driver;
    const home = { lat: 12.9716, lng: 77.5946 };
    const now = () => new Date().toISOString();

    expect((await apiClient(sys.app, undefined, conformance).GET("/healthz")).response.status).toBe(200);
    expect((await apiClient(sys.app, undefined, conformance).GET("/readyz")).response.status).toBe(200);
    expect(
      (
        await driver.PUT("/v1/drivers/{driverId}/status", {
          params: { path: { driverId } },
          body: { status: "available", vehicleType: "sedan" },
        })
      ).response.status,
    ).toBe(202);
    const fix = { ...home, recordedAt: now(), speed: 3, heading: 90, accuracy: 8 };
    expect(
      (await driver.POST("/v1/drivers/{driverId}/locations", { params: { path: { driverId } }, body: { fixes: [fix] } })).data,
    ).toEqual({ accepted: 1 });
    await until(
      async () => (await operator.GET("/v1/drivers/{driverId}", { params: { path: { driverId } } })).data,
      (d) => d?.status === "available" && d.lastFix !== null,
      "the driver to be indexed",
    );
    const surge = await customer.GET("/v1/surge", { params: { query: { ...home, vehicleType: "sedan" } } });
    expect(surge.data?.multiplier).toBeGreaterThanOrEqual(1);
    const nearby = await customer.GET("/v1/drivers/nearby", {
      params: { query: { ...home, vehicleType: "sedan", radiusM: 2000, limit: 5 } },
    });
    expect(nearby.data?.drivers.map((d) => d.driverId)).toContain(driverId);
    await until(
      async () => (await driver.GET("/v1/drivers/{driverId}/trail", { params: { path: { driverId }, query: { limit: 10 } } })).data,
      (t) => (t?.points.length ?? 0) > 0,
      "the trail to be stored",
    );

    const booked = await customer.POST("/v1/bookings", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      body: { pickup: home, dropoff: { lat: 12.9352, lng: 77.6245 }, vehicleType: "sedan" },
    });
    const bookingId = booked.data!.bookingId;
    const booking = { params: { path: { bookingId } } };
    await until(
      async () => (await customer.GET("/v1/bookings/{bookingId}", booking)).data,
      (b) => b?.status === "offered",
      "an offer",
    );
    // The offered driver reads the offer, on the booking and in its list; the lists see the booking.
    expect((await driver.GET("/v1/bookings/{bookingId}", booking)).data).toMatchObject({ bookingId, offer: { wave: 1 } });
    const offers = await driver.GET("/v1/drivers/{driverId}/offers", { params: { path: { driverId } } });
    expect(offers.data?.offers.map((o) => o.bookingId)).toEqual([bookingId]);
    const mine = await customer.GET("/v1/customers/{customerId}/bookings", { params: { path: { customerId: SUBS.customer } } });
    expect(mine.data?.bookings.map((b) => b.bookingId)).toEqual([bookingId]);
    const stuck = await operator.GET("/v1/bookings", { params: { query: { status: "offered", updatedBefore: now(), limit: 5 } } });
    expect(stuck.data?.bookings.map((b) => b.bookingId)).toContain(bookingId);
    expect((await driver.GET("/v1/drivers/{driverId}/trip", { params: { path: { driverId } } })).data?.trip).toBeNull();
    expect((await driver.POST("/v1/bookings/{bookingId}/accept", { ...booking, body: {} })).response.status).toBe(202);
    await until(
      async () => (await driver.GET("/v1/bookings/{bookingId}", booking)).data,
      (b) => b?.status === "accepted",
      "the accept",
    );
    const trip = await driver.GET("/v1/drivers/{driverId}/trip", { params: { path: { driverId } } });
    expect(trip.data?.trip).toMatchObject({ bookingId, status: "accepted", eta: { to: "pickup" } });
    const onTheWay = { lat: home.lat + 0.0002, lng: home.lng, recordedAt: now(), speed: 5 };
    expect(
      (await driver.POST("/v1/drivers/{driverId}/locations", { params: { path: { driverId } }, body: { fixes: [onTheWay] } })).data,
    ).toEqual({
      accepted: 1,
    });
    await until(
      async () => (await sys.tripStream.read(bookingId, { limit: 100 })).entries,
      (entries) => entries.some((e) => e.kind === "location"),
      "the position on the trip stream",
    );
    const keys = { arrive: crypto.randomUUID(), start: crypto.randomUUID(), complete: crypto.randomUUID(), cancel: crypto.randomUUID() };
    const withKey = (key: string) => ({ header: { "Idempotency-Key": key } });
    const arrived = await driver.POST("/v1/bookings/{bookingId}/arrive", { params: { ...booking.params, ...withKey(keys.arrive) } });
    expect(arrived.response.status).toBe(202);
    const { pickupCode } = bookingDetails((await customer.GET("/v1/bookings/{bookingId}", booking)).data)!;
    const started = await driver.POST("/v1/bookings/{bookingId}/start", {
      params: { ...booking.params, ...withKey(keys.start) },
      body: { pickupCode },
    });
    expect(started.response.status).toBe(202);
    await until(
      async () => (await driver.GET("/v1/bookings/{bookingId}", booking)).data,
      (b) => b?.status === "started",
      "the start",
    );
    const completed = await driver.POST("/v1/bookings/{bookingId}/complete", { params: { ...booking.params, ...withKey(keys.complete) } });
    expect(completed.response.status).toBe(202);
    await until(
      async () => (await driver.GET("/v1/bookings/{bookingId}", booking)).data,
      (b) => b?.status === "completed",
      "the end",
    );
    // The trip stream of a finished booking: every event up to the end (each checked against the document), then 204.
    const follow = (app: Hono, headers: Record<string, string> = {}) =>
      raw(app, "GET", `/v1/bookings/${bookingId}/stream`, {
        headers: { ...bearer(tokenFor({ role: "customer", sub: SUBS.customer })), ...headers },
      });
    const streamed = await (await follow(sys.app)).text();
    for (const kind of ["status", "location", "eta"]) expect(streamed).toContain(`event: ${kind}`);
    expect(streamed).toContain("booking.completed");
    const lastId = [...streamed.matchAll(/^id: (.+)$/gm)].at(-1)![1]!;
    expect((await follow(sys.app, { "last-event-id": lastId })).status).toBe(204);
    const noStore = await gatewayOverEmbeddedLog({ tripStream: undefined, booking: sys.deps.booking });
    try {
      expect((await follow(noStore.app)).status).toBe(503);
    } finally {
      await noStore.close();
    }
    const cancelled = await operator.POST("/v1/bookings/{bookingId}/cancel", { ...booking, body: { by: "customer", reason: "spec walk" } });
    expect(cancelled.response.status).toBe(202);
    await until(
      async () => bookingDetails((await operator.GET("/v1/bookings/{bookingId}", booking)).data),
      (b) => !!b?.timeline.some((t) => t.eventId === cancelled.data!.eventId),
      "the cancel to be judged",
    );

    // A second trip for the same driver: reusing the first trip's keys for it is a conflict (422), not a replay.
    const again = await customer.POST("/v1/bookings", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      body: { pickup: home, dropoff: { lat: 12.95, lng: 77.6 }, vehicleType: "sedan" },
    });
    const second = { params: { path: { bookingId: again.data!.bookingId } } };
    await until(
      async () => (await customer.GET("/v1/bookings/{bookingId}", second)).data,
      (b) => b?.status === "offered",
      "a second offer",
    );
    expect((await driver.POST("/v1/bookings/{bookingId}/accept", { ...second, body: {} })).response.status).toBe(202);
    await until(
      async () => (await driver.GET("/v1/bookings/{bookingId}", second)).data,
      (b) => b?.status === "accepted",
      "the 2nd accept",
    );
    const reusedStart = await driver.POST("/v1/bookings/{bookingId}/start", {
      params: { ...second.params, ...withKey(keys.start) },
      body: {},
    });
    const reusedComplete = await driver.POST("/v1/bookings/{bookingId}/complete", {
      params: { ...second.params, ...withKey(keys.complete) },
    });
    const reusedArrive = await driver.POST("/v1/bookings/{bookingId}/arrive", { params: { ...second.params, ...withKey(keys.arrive) } });
    for (const reused of [reusedArrive, reusedStart, reusedComplete])
      expect(reused.error?.errors?.map((e) => e.field)).toEqual(["Idempotency-Key"]);

    const ordered = await customer.POST("/v1/orders", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      body: { pickup: home, dropoff: { lat: 12.9352, lng: 77.6245 }, trucks: [{ vehicleType: "tipper", quantity: 2 }] },
    });
    const order = { params: { path: { orderId: ordered.data!.orderId } } };
    await until(
      async () => (await customer.GET("/v1/orders/{orderId}", order)).data,
      (o) => o !== undefined,
      "the order",
    );
    const myOrders = await customer.GET("/v1/customers/{customerId}/orders", { params: { path: { customerId: SUBS.customer } } });
    expect(myOrders.data?.orders.map((o) => o.orderId)).toEqual([ordered.data!.orderId]);
    const orderCancel = await customer.POST("/v1/orders/{orderId}/cancel", { params: { ...order.params, ...withKey(keys.cancel) } });
    expect(orderCancel.response.status).toBe(202);
    const another = await customer.POST("/v1/orders", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      body: { pickup: home, dropoff: { lat: 12.95, lng: 77.6 }, trucks: [{ vehicleType: "open", quantity: 1 }] },
    });
    const otherOrder = { params: { path: { orderId: another.data!.orderId } } };
    await until(
      async () => (await customer.GET("/v1/orders/{orderId}", otherOrder)).data,
      (o) => o !== undefined,
      "the second order",
    );
    const reused = await customer.POST("/v1/orders/{orderId}/cancel", { params: { ...otherOrder.params, ...withKey(keys.cancel) } });
    expect(reused.response.status).toBe(422);

    // Operators: the console's routes, the metrics, the document and the pages.
    await sys.flow.sample();
    await sys.flow.sample();
    expect((await operator.GET("/v1/operator/flow")).data?.points.length).toBe(1);
    const listed = await operator.GET("/v1/operator/drivers", { params: { query: { limit: 2 } } });
    expect(listed.data?.drivers.length).toBeGreaterThan(0);
    const envelope = createEnvelope({
      type: "booking.requested",
      key: "bk-dead",
      data: { bookingId: "bk-dead" },
      source: "spec",
      correlationId: "c",
    });
    const original = {
      topic: TOPICS.bookings,
      partition: 0,
      offset: 3,
      key: "bk-dead",
      value: JSON.stringify(envelope),
      headers: envelopeHeaders(envelope),
      timestamp: Date.now(),
    };
    await sys.log
      .publisher()
      .publish([deadLetterRecord(original, { error: new Error("spec"), attempts: 5, group: "fleet-booking", failedAt: new Date() })]);
    const counts = await operator.GET("/v1/operator/dead-letters");
    expect(counts.data?.topics.find((t) => t.topic === TOPICS.bookings)?.deadLetters).toBe(1);
    const topic = { params: { path: { topic: TOPICS.bookings } } };
    expect((await operator.GET("/v1/operator/dead-letters/{topic}", topic)).data?.deadLetters.map((d) => d.key)).toEqual(["bk-dead"]);
    const at = (offset: number) => ({ params: { path: { topic: TOPICS.bookings, partition: 0, offset } } });
    expect((await operator.GET("/v1/operator/dead-letters/{topic}/{partition}/{offset}", at(0))).data?.eventId).toBe(envelope.id);
    expect((await operator.GET("/v1/operator/dead-letters/{topic}/{partition}/{offset}", at(9))).response.status).toBe(404);
    expect((await operator.POST("/v1/operator/dead-letters/{topic}/redrive", { ...topic, body: { dryRun: true } })).data?.redriven).toBe(0);
    expect((await operator.POST("/v1/operator/dead-letters/{topic}/redrive", { ...topic, body: { key: "bk-dead" } })).data?.redriven).toBe(
      1,
    );
    expect((await operator.GET("/metrics", { parseAs: "text" })).response.status).toBe(200);
    expect((await apiClient(sys.app, undefined, conformance).GET("/openapi.json")).data).toMatchObject({ openapi: "3.1.0" });
    for (const page of ["/docs", "/console"]) expect((await raw(sys.app, "GET", page)).headers.get("content-type")).toContain("text/html");
    expect((await raw(sys.app, "GET", "/assets/console.css")).headers.get("content-type")).toContain("text/css");
    const asset = await raw(sys.app, "GET", "/assets/docs.js");
    expect(asset.status).toBe(200);
    expect((await raw(sys.app, "GET", "/assets/docs.js", { headers: { "if-none-match": asset.headers.get("etag")! } })).status).toBe(304);
    expect((await raw(sys.app, "GET", "/assets/nothing.js")).status).toBe(404);

    // Not found, for each route that can say so.
    const unknown = crypto.randomUUID();
    expect((await operator.GET("/v1/drivers/{driverId}", { params: { path: { driverId: "nobody" } } })).response.status).toBe(404);
    expect((await operator.GET("/v1/bookings/{bookingId}", { params: { path: { bookingId: unknown } } })).response.status).toBe(404);
    expect(
      (await raw(sys.app, "GET", `/v1/bookings/${unknown}/stream`, { headers: bearer(tokenFor({ role: "operator", sub: SUBS.operator })) }))
        .status,
    ).toBe(404);
    const nowhere = { params: { path: { bookingId: unknown } } };
    expect((await driver.POST("/v1/bookings/{bookingId}/arrive", nowhere)).response.status).toBe(404);
    expect((await driver.POST("/v1/bookings/{bookingId}/start", { ...nowhere, body: {} })).response.status).toBe(404);
    expect((await driver.POST("/v1/bookings/{bookingId}/complete", nowhere)).response.status).toBe(404);
    expect(
      (await customer.POST("/v1/bookings/{bookingId}/cancel", { params: { path: { bookingId: unknown } }, body: {} })).response.status,
    ).toBe(404);
    expect((await customer.GET("/v1/orders/{orderId}", { params: { path: { orderId: unknown } } })).response.status).toBe(404);
    expect((await customer.POST("/v1/orders/{orderId}/cancel", { params: { path: { orderId: unknown } } })).response.status).toBe(404);
    expect(
      (await driver.GET("/v1/drivers/{driverId}/trail", { params: { path: { driverId }, query: { cursor: "forged" } } })).response.status,
    ).toBe(422);
  });

  test("problems generated per operation from the document: no token, a role it does not admit, a malformed parameter or body", async () => {
    for (const { path, method, op } of operations) {
      const roles = op["x-roles"];
      const role = roles[0] ?? "operator";
      const headers = (r: Role | undefined, extra: Record<string, string> = {}) => ({
        ...(r && bearer(tokenFor({ role: r, sub: SUBS[r] }))),
        ...(op.parameters?.some((p) => p.in === "header") ? { "idempotency-key": crypto.randomUUID() } : {}),
        ...extra,
      });
      const url = pathWith(path, op, role);
      const what = `${method.toUpperCase()} ${path}`;
      if (roles.length > 0) expect([what, (await raw(sys.app, method, url)).status]).toEqual([what, 401]);
      const refused = (["driver", "customer", "operator"] as const).find((r) => roles.length > 0 && !roles.includes(r));
      if (refused) expect([what, (await raw(sys.app, method, url, { headers: headers(refused) })).status]).toEqual([what, 403]);
      if (op.parameters?.some((p) => p.in === "path"))
        expect([what, (await raw(sys.app, method, pathWith(path, op, role, "bad%20value"), { headers: headers(role) })).status]).toEqual([
          what,
          400,
        ]);
      if (op.parameters?.some((p) => p.in === "query"))
        expect([what, (await raw(sys.app, method, `${url}?unexpected=1`, { headers: headers(role) })).status]).toEqual([what, 400]);
      if (op.requestBody) {
        const json = headers(role, { "content-type": "application/json" });
        expect([what, (await raw(sys.app, method, url, { headers: json, body: "{not json" })).status]).toEqual([what, 400]);
        expect([what, (await raw(sys.app, method, url, { headers: json, body: '{"unexpected":true}' })).status]).toEqual([what, 422]);
        expect([what, (await raw(sys.app, method, url, { headers: json, body: "x".repeat(300_000) })).status]).toEqual([what, 413]);
      }
    }
  });

  test("rate limits, a broker that does not ack and a failing dependency answer as documented", async () => {
    const limited = await gatewayOverEmbeddedLog({
      rateLimits: {
        driver: createInProcessRateLimiter({ max: 0, windowMs: 60_000 }),
        customer: createInProcessRateLimiter({ max: 0, windowMs: 60_000 }),
      },
      readiness: { broker: async () => Promise.reject(new Error("down")) },
      publisher: { publish: async () => Promise.reject(new BackpressureError("buffer full", 1000)), close: async () => {} },
    });
    try {
      for (const { path, method, op } of operations) {
        const role = op["x-roles"].find((r) => r !== "operator");
        if (!role || !op.responses["429"]) continue;
        const res = await raw(limited.app, method, pathWith(path, op, role), { headers: bearer(tokenFor({ role, sub: SUBS[role] })) });
        expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, 429]);
      }
      const unlimited = await gatewayOverEmbeddedLog({
        readiness: { broker: async () => Promise.reject(new Error("down")) },
        publisher: { publish: async () => Promise.reject(new BackpressureError("buffer full", 1000)), close: async () => {} },
      });
      const surgeDown = await gatewayOverEmbeddedLog({
        trips: {
          surge: { store: { get: async () => Promise.reject(new Error("surge store down")) }, floor: 1, windowS: 300 },
          pickupCodeRequired: false,
          driverCounters: async () => ({ cancelsAfterAccept: 0, noShows: 0 }),
        },
      });
      try {
        expect((await raw(unlimited.app, "GET", "/readyz")).status).toBe(503);
        const driver = apiClient(unlimited.app, { role: "driver", sub: SUBS.driver }, conformance);
        const driverId = SUBS.driver;
        const fixes = [{ lat: 1, lng: 1, recordedAt: new Date().toISOString() }];
        expect(
          (await driver.POST("/v1/drivers/{driverId}/locations", { params: { path: { driverId } }, body: { fixes } })).response.status,
        ).toBe(503);
        expect(
          (
            await driver.PUT("/v1/drivers/{driverId}/status", {
              params: { path: { driverId } },
              body: { status: "busy", vehicleType: "van" },
            })
          ).response.status,
        ).toBe(503);
        const quote = await apiClient(surgeDown.app, { role: "customer", sub: SUBS.customer }, conformance).GET("/v1/surge", {
          params: { query: { lat: 1, lng: 1, vehicleType: "van" } },
        });
        expect(quote.response.status).toBe(503);
      } finally {
        await unlimited.close();
        await surgeDown.close();
      }
    } finally {
      await limited.close();
    }
  });

  test("every documented answer (operation × status) was given at least once above", () => {
    const documented = operations.flatMap(({ op }) => Object.keys(op.responses).map((status) => `${op.operationId} ${status}`));
    const unexercised = documented.filter((d) => !conformance.seen().has(d));
    expect(unexercised.sort()).toEqual([]);
  });
});
