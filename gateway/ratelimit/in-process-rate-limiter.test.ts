import { describe, expect, test } from "bun:test";
import { createInProcessRateLimiter } from "./in-process-rate-limiter.ts";
import { runRateLimiterContract } from "./rate-limiter.contract.ts";

describe("in-process RateLimiter", () => {
  runRateLimiterContract({ name: "in-process", create: async (policy) => createInProcessRateLimiter(policy) });

  test("forgets callers idle for a whole window", async () => {
    let now = 0;
    const limiter = createInProcessRateLimiter({ max: 1, windowMs: 1000 }, () => now);
    await limiter.limit("a");
    expect((await limiter.limit("a")).allowed).toBe(false);
    now = 1000;
    expect((await limiter.limit("a")).allowed).toBe(true);
  });
});
