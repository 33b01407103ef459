import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { uniquePrefix } from "../../shared/geo/redis/redis-test-env.ts";
import { upstashBridgeForSuite } from "../../tools/upstash-bridge/testing.ts";
import { asCustomer, gatewayOverEmbeddedLog } from "../testing.ts";
import { runRateLimiterContract } from "./rate-limiter.contract.ts";
import { RateLimiterUnavailableError } from "./rate-limiter.ts";
import { createUpstashRateLimiter } from "./upstash-rate-limiter.ts";

setDefaultTimeout(30_000);

describe("upstash RateLimiter (through the REST bridge over REDIS_URL)", () => {
  const bridge = upstashBridgeForSuite("ratelimit");

  runRateLimiterContract({
    name: "upstash",
    async create(policy) {
      return createUpstashRateLimiter({ ...(await bridge.connect()), policy });
    },
  });

  test("the gateway on the Upstash limiter: a customer over budget gets 429 + Retry-After, and is served again after the window", async () => {
    const customer = createUpstashRateLimiter({ ...(await bridge.connect()), policy: { max: 2, windowMs: 1000 } });
    const gw = await gatewayOverEmbeddedLog({ rateLimits: { driver: customer, customer } });
    try {
      const read = () => gw.app.request(`/v1/bookings/${crypto.randomUUID()}`, { headers: asCustomer("cust-upstash") });
      let res = await read();
      while (res.status === 404) res = await read();
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      await Bun.sleep(1100);
      expect((await read()).status).toBe(404);
    } finally {
      await gw.close();
    }
  });

  test("an unreachable store is reported as unavailable, not as a verdict", async () => {
    const limiter = createUpstashRateLimiter({
      url: "http://127.0.0.1:1",
      token: "x",
      policy: { max: 1, windowMs: 1000 },
      prefix: uniquePrefix("ratelimit-down"),
    });
    await expect(limiter.limit("anyone")).rejects.toBeInstanceOf(RateLimiterUnavailableError);
  });
});
