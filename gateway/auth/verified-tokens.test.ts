import { describe, expect, test } from "bun:test";
import { bearerToken, verifiedTokens } from "./verified-tokens.ts";

const entry = (exp: number) => ({ principal: { role: "driver" as const, sub: "drv-1" }, payload: { exp }, exp });

describe("verified tokens", () => {
  test("a hit only before exp; an expired entry is dropped", () => {
    const cache = verifiedTokens(10);
    cache.set("t", entry(100));
    expect(cache.get("t", 99.9)?.principal.sub).toBe("drv-1");
    expect(cache.get("t", 100)).toBeUndefined();
    expect(cache.get("t", 50)).toBeUndefined();
  });

  test("bounded: past max entries the oldest is forgotten", () => {
    const cache = verifiedTokens(2);
    cache.set("a", entry(100));
    cache.set("b", entry(100));
    cache.set("c", entry(100));
    expect([cache.get("a", 0), cache.get("b", 0), cache.get("c", 0)].map((e) => e !== undefined)).toEqual([false, true, true]);
  });

  test("the bearer token read as hono/jwt reads it", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("bearer  abc")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
