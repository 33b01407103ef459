import { describe, expect, test } from "bun:test";
import { NonRetriableError, RetryableError } from "../../shared/errors/errors.ts";
import { geoCall } from "./geo-call.ts";

const fail = (err: unknown) => () => Promise.reject(err);

describe("geoCall", () => {
  test("resolves with the call's result", async () => {
    expect(await geoCall("upsertPositions", async () => 3)).toBe(3);
  });

  test("a failure without a policy becomes RetryableError, cause kept: connection-type or not", async () => {
    for (const cause of [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" }),
      new TypeError("fetch failed"),
      new Error("WRONGTYPE Operation against a key holding the wrong kind of value"),
    ]) {
      const err = await geoCall("setStatus", fail(cause)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryableError);
      expect((err as Error).message).toStartWith("geo index setStatus failed, retrying: ");
      expect((err as Error).cause).toBe(cause);
    }
  });

  test("a call still pending after the timeout is RetryableError; its late result is ignored", async () => {
    const started = performance.now();
    const err = await geoCall("upsertPositions", () => Bun.sleep(500).then(() => 1), 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toBe("geo index upsertPositions took longer than 50 ms, retrying");
    expect(performance.now() - started).toBeLessThan(400);
  });

  test("an error that carries a policy, itself or in its cause chain, keeps it", async () => {
    const bad = new NonRetriableError("position outside what a geo index can hold");
    expect(await geoCall("upsertPositions", fail(bad)).catch((e: unknown) => e)).toBe(bad);
    const wrapped = new Error("adapter failed", { cause: bad });
    expect(await geoCall("upsertPositions", fail(wrapped)).catch((e: unknown) => e)).toBe(wrapped);
    const later = new RetryableError("Upstash rate limit", 1000);
    expect(await geoCall("upsertPositions", fail(later)).catch((e: unknown) => e)).toBe(later);
  });
});
