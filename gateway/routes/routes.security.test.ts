import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Role } from "../auth/principal.ts";
import { bearer, gatewayOverEmbeddedLog, tokenFor } from "../testing.ts";

/*
 * Every route's door: no token → 401, a role the route does not serve → 403, and the
 * public probes stay public. Ownership (as whom) is in ownership.security.test.ts.
 */

const BOOKING = "0f8fad5b-d9cb-469f-a165-70867728950e";
const fix = () => ({ lat: 12.97, lng: 77.59, recordedAt: new Date().toISOString() });
const place = { lat: 12.97, lng: 77.59 };

/** [method, path, body, the roles it serves]; the driver routes address drv-1, whom the driver token is. */
const ROUTES: [string, string, unknown, Role[]][] = [
  ["POST", "/v1/drivers/drv-1/locations", { fixes: [fix()] }, ["driver"]],
  ["PUT", "/v1/drivers/drv-1/status", { status: "available", vehicleType: "sedan" }, ["driver"]],
  ["GET", "/v1/drivers/nearby?lat=12.97&lng=77.59&vehicleType=sedan", undefined, ["customer", "operator"]],
  ["GET", "/v1/drivers/drv-1", undefined, ["driver", "operator"]],
  ["GET", "/v1/drivers/drv-1/trail", undefined, ["driver", "operator"]],
  ["GET", "/v1/drivers/drv-1/offers", undefined, ["driver", "operator"]],
  ["GET", "/v1/drivers/drv-1/trip", undefined, ["driver", "operator"]],
  ["POST", "/v1/bookings", { pickup: place, dropoff: place, vehicleType: "sedan" }, ["customer"]],
  ["GET", `/v1/bookings/${BOOKING}`, undefined, ["driver", "customer", "operator"]],
  ["GET", `/v1/bookings/${BOOKING}/stream`, undefined, ["driver", "customer", "operator"]],
  ["GET", "/v1/bookings?status=accepted", undefined, ["operator"]],
  ["GET", "/v1/customers/cust-1/bookings", undefined, ["customer", "operator"]],
  ["GET", "/v1/customers/cust-1/orders", undefined, ["customer", "operator"]],
  ["POST", `/v1/bookings/${BOOKING}/accept`, {}, ["driver"]],
  ["POST", `/v1/bookings/${BOOKING}/arrive`, {}, ["driver"]],
  ["POST", `/v1/bookings/${BOOKING}/start`, {}, ["driver"]],
  ["POST", `/v1/bookings/${BOOKING}/complete`, {}, ["driver"]],
  ["POST", `/v1/bookings/${BOOKING}/cancel`, {}, ["driver", "customer", "operator"]],
  ["POST", "/v1/orders", { pickup: place, dropoff: place, trucks: [{ vehicleType: "tipper", quantity: 1 }] }, ["customer"]],
  ["GET", `/v1/orders/${BOOKING}`, undefined, ["customer", "operator"]],
  ["POST", `/v1/orders/${BOOKING}/cancel`, undefined, ["customer", "operator"]],
  ["GET", "/v1/surge?lat=12.97&lng=77.59&vehicleType=sedan", undefined, ["driver", "customer", "operator"]],
  ["GET", "/metrics", undefined, ["operator"]],
  ["GET", "/v1/operator/drivers", undefined, ["operator"]],
  ["GET", "/v1/operator/flow", undefined, ["operator"]],
  ["GET", "/v1/operator/dead-letters", undefined, ["operator"]],
  ["GET", "/v1/operator/dead-letters/bookings", undefined, ["operator"]],
  ["GET", "/v1/operator/dead-letters/bookings/0/0", undefined, ["operator"]],
  ["POST", "/v1/operator/dead-letters/bookings/redrive", { dryRun: true }, ["operator"]],
];

const SUBS: Record<Role, string> = { driver: "drv-1", customer: "cust-1", operator: "ops-1" };

describe("every route needs a token, and the right role", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  const request = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    gw.app.request(path, {
      method,
      headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID(), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  for (const [method, path, body] of ROUTES) {
    test(`${method} ${path} without a token → 401 problem+json with a Bearer challenge`, async () => {
      const res = await request(method, path, body);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
      expect(await res.json()).toMatchObject({ status: 401, title: "Unauthorized" });
    });
  }

  for (const [method, path, body, roles] of ROUTES) {
    for (const role of (["driver", "customer", "operator"] as const).filter((r) => !roles.includes(r))) {
      test(`${method} ${path} as a ${role} → 403 problem+json`, async () => {
        const res = await request(method, path, body, bearer(tokenFor({ role, sub: SUBS[role] })));
        expect(res.status).toBe(403);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
      });
    }
  }

  test("an unknown /v1 route without a token → 401: routes are not enumerable anonymously", async () => {
    expect((await request("GET", "/v1/admin", undefined)).status).toBe(401);
  });

  test("/healthz and /readyz answer without a token", async () => {
    expect((await gw.app.request("/healthz")).status).toBe(200);
    expect((await gw.app.request("/readyz")).status).toBe(200);
  });

  test("the API document and the pages answer without a token: they hold no data", async () => {
    for (const path of ["/openapi.json", "/docs", "/console", "/assets/console.js"])
      expect([path, (await gw.app.request(path)).status]).toEqual([path, 200]);
  });

  test("/metrics answers an operator", async () => {
    const res = await request("GET", "/metrics", undefined, bearer(tokenFor({ role: "operator", sub: "ops-1" })));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("fleet_http_request_duration_seconds");
  });
});
