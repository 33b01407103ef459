import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Redis } from "@upstash/redis";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../../shared/geo/redis/redis-test-env.ts";
import { startUpstashBridge, type UpstashBridge } from "./upstash-bridge.ts";

describe("Upstash REST bridge, driven by @upstash/redis", () => {
  const redisUrl = redisUrlFromEnv();
  const p = uniquePrefix("bridge");
  let bridge: UpstashBridge;
  let redis: Redis;
  beforeAll(async () => {
    bridge = await startUpstashBridge({ redisUrl, token: "test-token" });
    redis = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false, retry: false });
  });
  afterAll(async () => {
    await bridge.stop();
    await deletePrefixes(redisUrl, [p]);
  });

  test("set / get, including non-ASCII text and JSON values", async () => {
    expect(await redis.set(`${p}s`, "héllo 😀")).toBe("OK");
    expect(await redis.get<string>(`${p}s`)).toBe("héllo 😀");
    await redis.set(`${p}j`, { a: 1 });
    expect(await redis.get(`${p}j`)).toEqual({ a: 1 });
    expect(await redis.get(`${p}missing`)).toBeNull();
    expect(await redis.incr(`${p}n`)).toBe(1);
  });

  test("hset / hgetall: a RESP3 map comes back as Upstash's flat array", async () => {
    await redis.hset(`${p}h`, { f1: "v1", f2: "2" });
    expect(await redis.hgetall(`${p}h`)).toEqual({ f1: "v1", f2: 2 });
  });

  test("zadd / zscore / zrange withscores: doubles and pairs in RESP2 shape", async () => {
    await redis.zadd(`${p}z`, { score: 1.5, member: "a" }, { score: 3, member: "b" });
    expect(await redis.zscore(`${p}z`, "a")).toBe(1.5);
    expect(await redis.zrange(`${p}z`, 0, -1, { withScores: true })).toEqual(["a", 1.5, "b", 3]);
    const raw = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false, automaticDeserialization: false });
    expect(await raw.zscore(`${p}z`, "b")).toBe("3" as unknown as number);
  });

  test("geoadd / geosearch with distances and coordinates", async () => {
    await redis.geoadd(
      `${p}g`,
      { longitude: 13.361389, latitude: 38.115556, member: "Palermo" },
      { longitude: 15.087269, latitude: 37.502669, member: "Catania" },
    );
    const found = await redis.geosearch(
      `${p}g`,
      { type: "FROMLONLAT", coordinate: { lon: 15, lat: 37 } },
      { type: "BYRADIUS", radius: 200, radiusType: "KM" },
      "ASC",
      {
        withDist: true,
        withCoord: true,
      },
    );
    expect(found.map((f) => f.member)).toEqual(["Catania", "Palermo"]);
    expect(found[0]!.dist).toBeCloseTo(56.4413, 3);
    expect(found[1]!.coord!.long).toBeCloseTo(13.361389, 5);
  });

  test("pipeline: results in order, an error in place", async () => {
    const out = await redis.pipeline().set(`${p}p`, "1").incr(`${p}p`).get(`${p}p`).exec();
    expect(out).toEqual(["OK", 2, 2]);
    const kept = await redis.pipeline().set(`${p}q`, "x").incr(`${p}q`).exec({ keepErrors: true });
    expect(kept[0]).toEqual({ result: "OK", error: undefined });
    expect(kept[1]!.error).toContain("not an integer");
  });

  test("multi-exec is atomic and returns each command's result", async () => {
    const out = await redis.multi().set(`${p}m`, "5").incrby(`${p}m`, 2).get(`${p}m`).exec();
    expect(out).toEqual(["OK", 7, 7]);
    const txs = await Promise.all(Array.from({ length: 20 }, () => redis.multi().incr(`${p}c`).incr(`${p}c`).exec()));
    // Each transaction's two increments are adjacent: no other transaction ran in between.
    expect(txs.map(([a, b]) => (b as number) - (a as number))).toEqual(Array(20).fill(1));
    await expect(redis.multi().set(`${p}m`, "1").hset(`${p}m`, { f: "1" }).exec()).rejects.toThrow("WRONGTYPE");
  });

  test("eval with keys and args, nested arrays and an 'OK' inside", async () => {
    const out = await redis.eval("return {KEYS[1], ARGV[1], 42, {'OK', 'x'}}", [`${p}k`], ["arg"]);
    expect(out).toEqual([`${p}k`, "arg", 42, ["OK", "x"]]);
  });

  test("Upstash-only script flags (@upstash/ratelimit's allow-key-locking) run, by EVAL and then by the client's EVALSHA", async () => {
    const script = "#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])";
    const sha = new Bun.CryptoHasher("sha1").update(script).digest("hex");
    await expect(redis.evalsha(sha, [`${p}f`], [])).rejects.toThrow("NOSCRIPT");
    expect(await redis.eval(script, [`${p}f`], [])).toBe(1);
    expect(await redis.evalsha(sha, [`${p}f`], [])).toBe(2);
  });

  test("errors: a Redis error rejects the call; a wrong token is refused", async () => {
    await redis.set(`${p}e`, "text");
    await expect(redis.incr(`${p}e`)).rejects.toThrow("not an integer");
    const wrong = new Redis({ url: bridge.url, token: "nope", enableTelemetry: false, retry: false });
    await expect(wrong.get(`${p}s`)).rejects.toThrow("Unauthorized");
    const res = await fetch(bridge.url, {
      method: "POST",
      headers: { authorization: `Bearer ${bridge.token}` },
      body: JSON.stringify(["SUBSCRIBE", "x"]),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining("not available") });
  });

  test("multi-exec with a command Redis cannot queue runs nothing and answers 400", async () => {
    const res = await fetch(`${bridge.url}/multi-exec`, {
      method: "POST",
      headers: { authorization: `Bearer ${bridge.token}` },
      body: JSON.stringify([["SET", `${p}aborted`, "1"], ["NOSUCHCMD"]]),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining("EXECABORT") });
    expect(await redis.get(`${p}aborted`)).toBeNull();
  });
});
