import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asCustomer, asDriver, gatewayOverEmbeddedLog } from "../testing.ts";

/* Request hygiene: CORS by allow-list, bodies capped before anything reads them, and no internals in errors. */

describe("CORS follows the configured allow-list", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog({ corsOrigins: ["https://app.example.com"] });
  });
  afterAll(() => gw.close());

  const preflight = (origin: string) =>
    gw.app.request("/v1/bookings", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,idempotency-key",
      },
    });

  test("an allowed origin's preflight is answered without a token, allowing the auth headers", async () => {
    const res = await preflight("https://app.example.com");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
  });

  test("another origin gets no CORS headers", async () => {
    const res = await preflight("https://evil.example.net");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("without an allow-list no CORS headers are sent at all", async () => {
    const plain = await gatewayOverEmbeddedLog();
    try {
      const res = await plain.app.request("/healthz", { headers: { origin: "https://app.example.com" } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe("errors and bodies", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog({
      booking: async () => {
        throw new Error("SQLITE_IOERR at /srv/secret/history.db: disk I/O error");
      },
    });
  });
  afterAll(() => gw.close());

  test("an internal failure → 500 problem+json with a request id, no message and no stack", async () => {
    const res = await gw.app.request(`/v1/bookings/${crypto.randomUUID()}`, { headers: asCustomer("cust-1") });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ status: 500, title: "Internal error", requestId: res.headers.get("x-request-id") });
    for (const leak of ["SQLITE", "/srv/secret", "at ", ".ts:"]) expect(text).not.toContain(leak);
  });

  test("a body over the server-wide cap → 413 on any route, even one that takes no body", async () => {
    const big = "x".repeat(300 * 1024);
    const res = await gw.app.request("/v1/drivers/drv-1", {
      method: "POST",
      body: big,
      headers: { "content-length": String(big.length), ...asDriver("drv-1") },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("a booking action's body over its own 4 KB cap → 413", async () => {
    const res = await gw.app.request(`/v1/bookings/${crypto.randomUUID()}/accept`, {
      method: "POST",
      body: JSON.stringify({ pad: "x".repeat(5000) }),
      headers: { "content-type": "application/json", ...asDriver("drv-1") },
    });
    expect(res.status).toBe(413);
  });
});
