import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { RedisClient } from "bun";
import { startRedis } from "../../../redpanda/launcher/redis.ts";
import { runGeoIndexContract } from "../geo-index.contract.ts";
import { partitionOf, partitionPrefix, redisKeys } from "../redis-layout/redis-keys.ts";
import { shardCell, shardName } from "../shard-layout.ts";
import { createRedisGeoIndex } from "./redis-geo.ts";
import { redisUrlFromEnv } from "./redis-test-env.ts";
import { prefixesDeletedAfterAll } from "./test-prefixes.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; the random-metro scenario takes seconds.
setDefaultTimeout(60_000);

const T0 = 1_800_000_000_000;

describe("redis GeoIndex", () => {
  const url = redisUrlFromEnv();
  const prefixFor = prefixesDeletedAfterAll(url);

  runGeoIndexContract({ name: "redis", create: () => createRedisGeoIndex({ url, prefix: prefixFor("redis-contract") }) });
  // The layout a Redis Cluster uses, on one Redis: the merge across partitions must be exact too.
  runGeoIndexContract({
    name: "redis, 5 partitions",
    create: () => createRedisGeoIndex({ url, prefix: prefixFor("redis-contract-p5"), partitions: 5 }),
  });

  test("keys follow the documented layout: every key of a driver's partition carries the partition's hash tag", async () => {
    const prefix = prefixFor("layout");
    const geo = await createRedisGeoIndex({ url, prefix, partitions: 4 });
    const client = new RedisClient(url);
    try {
      await geo.setStatus([{ driverId: "k1", status: "available", vehicleType: "van", changedAt: T0 }]);
      await geo.upsertPositions([{ driverId: "k1", lat: 12.97, lng: 77.59, recordedAt: T0 }]);
      const partition = partitionOf("k1", 4);
      const keys = redisKeys(partitionPrefix(prefix, partition));
      const cell = shardCell(12.97, 77.59, 6);
      const shard = shardName("van", cell);
      expect(keys.geo(shard)).toBe(`${prefix}{p${partition}}:geo:van:${cell}`);
      expect(keys.driver("k1")).toBe(`${prefix}{p${partition}}:drv:k1`);
      expect(await client.send("HGET", [keys.driver("k1"), "shard"])).toBe(shard);
      expect(await client.send("ZSCORE", [keys.seen(shard), "k1"])).toBe(T0);
      expect(await client.send("GEOPOS", [keys.geo(shard), "k1"])).toHaveLength(1);
      expect(await client.send("SMEMBERS", [keys.cells("van")])).toEqual([cell]);
      await geo.setStatus([{ driverId: "k1", status: "offline", vehicleType: "van", changedAt: T0 + 1 }]);
      expect(await client.send("EXISTS", [keys.geo(shard), keys.seen(shard), keys.cells("van")])).toBe(0);
    } finally {
      client.close();
      await geo.close();
    }
  });

  test("Redis losing its scripts (SCRIPT FLUSH) or going away: calls fail fast, then work again once it is back", async () => {
    const redis = await startRedis(); // its own server: this test flushes scripts and kills it
    const geo = await createRedisGeoIndex({ url: redis.url, prefix: "t:" });
    const client = new RedisClient(redis.url);
    const fix = { driverId: "s1", lat: 12.97, lng: 77.59, recordedAt: T0 };
    const q = { lat: 12.97, lng: 77.59, radiusM: 100, vehicleType: "bike" as const, limit: 5, now: T0, staleAfterMs: 60_000 };
    try {
      await geo.setStatus([{ driverId: "s1", status: "available", vehicleType: "bike", changedAt: T0 }]);
      await client.send("SCRIPT", ["FLUSH"]);
      expect(await geo.upsertPositions([fix])).toBe(1);
      await client.send("SCRIPT", ["FLUSH"]);
      expect((await geo.nearby(q)).map((d) => d.driverId)).toEqual(["s1"]);

      await redis.kill();
      const started = performance.now();
      await expect(geo.nearby(q)).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(2_000);
      await redis.restart(); // comes back empty, scripts and all
      await geo.setStatus([{ driverId: "s1", status: "available", vehicleType: "bike", changedAt: T0 }]);
      expect(await geo.upsertPositions([fix])).toBe(1);
      expect((await geo.nearby(q)).map((d) => d.driverId)).toEqual(["s1"]);
    } finally {
      client.close();
      await geo.close();
      await redis.stop();
    }
  });
});
