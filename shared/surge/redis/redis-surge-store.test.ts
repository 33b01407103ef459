import { afterAll, describe, expect, test } from "bun:test";
import { Redis } from "@upstash/redis";
import { RedisClient } from "bun";
import { upstashBridgeForSuite } from "../../../tools/upstash-bridge/testing.ts";
import { createBunRedisRunner } from "../../geo/redis/bun-redis-runner.ts";
import { connectRedis } from "../../geo/redis/connect-redis.ts";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../../geo/redis/redis-test-env.ts";
import { createUpstashRunner } from "../../geo/upstash/upstash-runner.ts";
import { runSurgeStoreContract } from "../surge-store.contract.ts";
import { createRedisSurgeStore, surgeKeys } from "./redis-surge-store.ts";

describe("redis SurgeStore", () => {
  const url = redisUrlFromEnv();
  const prefixes: string[] = [];
  const prefixFor = (name: string) => {
    const prefix = uniquePrefix(name);
    prefixes.push(prefix);
    return prefix;
  };
  afterAll(() => deletePrefixes(url, prefixes));
  const open = async (prefix: string) => createRedisSurgeStore(createBunRedisRunner(await connectRedis(url)), { prefix });

  runSurgeStoreContract({ name: "redis (Bun client)", create: () => open(prefixFor("surge-contract")) });

  test("keys follow the documented layout: one hash tag per zone, every command on one key", async () => {
    const prefix = prefixFor("surge-layout");
    const store = await open(prefix);
    const client = new RedisClient(url);
    try {
      const zone = { cell: "872a1072bffffff", vehicleType: "sedan" as const };
      await store.recordDemand([{ ...zone, bookingId: "b1", at: 1_000 }]);
      await store.put([{ ...zone, multiplier: 1.5, demand: 1, supply: 0, windowS: 600, updatedAt: 2_000, settled: false }]);
      const keys = surgeKeys(prefix);
      expect(keys.demand(zone)).toBe(`${prefix}surge:demand:{sedan:872a1072bffffff}`);
      expect(await client.send("ZSCORE", [keys.demand(zone), "b1"])).toBe(1_000);
      expect(await client.send("HGET", [keys.state(zone), "m"])).toBe("1.5");
      expect(await client.send("SMEMBERS", [keys.active])).toEqual(["sedan:872a1072bffffff"]);
    } finally {
      client.close();
      await store.close();
    }
  });
});

describe("redis SurgeStore over Upstash REST (the bridge over REDIS_URL)", () => {
  const bridge = upstashBridgeForSuite("surge-upstash");
  runSurgeStoreContract({
    name: "redis (Upstash client)",
    async create() {
      const { url, token, prefix } = await bridge.connect();
      const redis = new Redis({ url, token, automaticDeserialization: false, enableAutoPipelining: false, enableTelemetry: false });
      return createRedisSurgeStore(createUpstashRunner(redis), { prefix });
    },
  });
});
