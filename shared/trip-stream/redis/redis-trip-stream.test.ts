import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { RedisClient } from "bun";
import { startRedis } from "../../../redpanda/launcher/redis.ts";
import { until } from "../../../tests/support/until.ts";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../../geo/redis/redis-test-env.ts";
import { runTripStreamContract } from "../trip-stream.contract.ts";
import { createRedisTripStream, tripKeys } from "./redis-trip-stream.ts";

setDefaultTimeout(60_000);

describe("redis TripStream", () => {
  const url = redisUrlFromEnv();
  const prefixes = new Map<string, string>();
  const prefixOf = (space: string) => {
    let p = prefixes.get(space);
    if (!p) prefixes.set(space, (p = uniquePrefix("trip-stream")));
    return p;
  };
  afterAll(() => deletePrefixes(url, [...prefixes.values()]));

  runTripStreamContract({
    name: "redis",
    create: (settings, space) => createRedisTripStream({ url, prefix: prefixOf(space), ...settings }),
    features: { sharedAcrossInstances: true },
  });

  test("one booking's keys share a hash tag, and an ended stream's keys carry the ended TTL", async () => {
    const prefix = prefixOf("layout");
    const s = await createRedisTripStream({ url, prefix, endedTtlMs: 120_000, liveTtlMs: 3_600_000 });
    const client = new RedisClient(url);
    try {
      const keys = tripKeys(prefix, "b-1");
      expect(keys).toEqual({ stream: `${prefix}trip:{b-1}`, meta: `${prefix}trip:{b-1}:meta`, channel: `${prefix}trip:{b-1}:appended` });
      await s.append("b-1", [{ key: "e1", entries: [{ kind: "status", data: "{}" }] }]);
      expect(Number(await client.send("PTTL", [keys.stream]))).toBeGreaterThan(120_000);
      await s.append("b-1", [{ key: "e2", entries: [{ kind: "status", data: "{}" }], ends: true }]);
      for (const key of [keys.stream, keys.meta]) expect(Number(await client.send("PTTL", [key]))).toBeLessThanOrEqual(120_000);
    } finally {
      client.close();
      await s.close();
    }
  });

  test("a watcher whose Redis restarts is called again once it is back, and hears later appends", async () => {
    const redis = await startRedis(); // its own server: this test kills it
    const s = await createRedisTripStream({ url: redis.url, prefix: "t:" });
    try {
      let calls = 0;
      await s.watch("b-9", () => calls++);
      await s.append("b-9", [{ key: "e1", entries: [{ kind: "status", data: "{}" }] }]);
      await until(
        () => calls,
        (n) => n >= 1,
        "the first append to be heard",
      );
      await redis.kill();
      await expect(s.append("b-9", [{ key: "e2", entries: [{ kind: "status", data: "{}" }] }])).rejects.toThrow();
      const before = calls;
      await redis.restart();
      await until(
        () => calls,
        (n) => n > before,
        "the watcher to be called after the reconnect",
      );
      const after = calls;
      await s.append("b-9", [{ key: "e3", entries: [{ kind: "status", data: "{}" }] }]);
      await until(
        () => calls,
        (n) => n > after,
        "an append after the restart to be heard",
      );
    } finally {
      await s.close();
      await redis.stop();
    }
  });
});
