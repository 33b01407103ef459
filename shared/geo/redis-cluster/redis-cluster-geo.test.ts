import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runGeoIndexContract } from "../geo-index.contract.ts";
import { uniquePrefix } from "../redis/redis-test-env.ts";
import { partitionOf, partitionPrefix } from "../redis-layout/redis-keys.ts";
import { clusterKeys, deleteClusterPrefixes, redisClusterUrlsFromEnv } from "./cluster-test-env.ts";
import { connectRedisCluster } from "./connect-cluster.ts";
import { createRedisClusterGeoIndex } from "./redis-cluster-geo.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; the random-metro scenario takes seconds.
setDefaultTimeout(60_000);

const T0 = 1_800_000_000_000;

describe("Redis Cluster GeoIndex (3 masters)", () => {
  const urls = redisClusterUrlsFromEnv();
  const prefixes: string[] = [];
  const prefixFor = (name: string) => {
    const prefix = uniquePrefix(name);
    prefixes.push(prefix);
    return prefix;
  };
  afterAll(() => deleteClusterPrefixes(urls, prefixes));

  runGeoIndexContract({ name: "redis cluster", create: () => createRedisClusterGeoIndex({ urls, prefix: prefixFor("cluster-contract") }) });
  runGeoIndexContract({
    name: "redis cluster, 1 partition",
    create: () => createRedisClusterGeoIndex({ urls, prefix: prefixFor("cluster-contract-p1"), partitions: 1 }),
  });

  test("a driver's state and every shard it was indexed in share its partition's slot, and the partitions spread over the masters", async () => {
    const prefix = prefixFor("cluster-slots");
    const geo = await createRedisClusterGeoIndex({ urls, prefix, partitions: 12 });
    const drivers = Array.from({ length: 60 }, (_, i) => `slot-${i}`);
    try {
      await geo.setStatus(
        drivers.map((driverId, i) => ({ driverId, status: "available", vehicleType: i % 2 ? "van" : "bike", changedAt: T0 })),
      );
      await geo.upsertPositions(drivers.map((driverId, i) => ({ driverId, lat: 12.9 + i * 0.01, lng: 77.5, recordedAt: T0 })));
      // Moving across cells and types: leave and enter shards in the driver's partition.
      await geo.upsertPositions(drivers.map((driverId, i) => ({ driverId, lat: 13.5 - i * 0.01, lng: 77.9, recordedAt: T0 + 1 })));
      await geo.setStatus(drivers.map((driverId) => ({ driverId, status: "available", vehicleType: "suv", changedAt: T0 + 1 })));
    } finally {
      await geo.close();
    }
    const keys = await clusterKeys(urls, [prefix]);
    const cluster = await connectRedisCluster(urls);
    try {
      const keySlot = async (key: string) => Number(await cluster.call("CLUSTER", "KEYSLOT", key));
      const partitionSlots = await Promise.all(Array.from({ length: 12 }, (_, p) => keySlot(partitionPrefix(prefix, p))));
      const slotOfKey = new Map(await Promise.all(keys.map(async (k) => [k, await keySlot(k)] as const)));
      for (const d of drivers) {
        const p = partitionOf(d, 12);
        const mine = keys.filter((k) => k.startsWith(partitionPrefix(prefix, p)));
        expect(mine).toContain(`${partitionPrefix(prefix, p)}drv:${d}`);
        expect(new Set(mine.map((k) => slotOfKey.get(k)))).toEqual(new Set([partitionSlots[p]!]));
      }
      expect(keys.every((k) => partitionSlots.includes(slotOfKey.get(k)!))).toBe(true);
      // Twelve partitions land on all three masters' slots.
      const owners = (await cluster.call("CLUSTER", "SLOTS")) as [number, number][];
      const mastersUsed = owners.filter(([from, to]) => partitionSlots.some((s) => s >= from && s <= to));
      expect(mastersUsed.length).toBe(3);
      expect(keys.some((k) => k.includes(":geo:suv:"))).toBe(true);
      expect(keys.some((k) => k.includes(":geo:van:") || k.includes(":geo:bike:"))).toBe(false);
    } finally {
      cluster.disconnect();
    }
  });

  test("Redis Cluster refuses a script that touches another slot's key, which is why the layout keeps one driver in one slot", async () => {
    const cluster = await connectRedisCluster(urls);
    const prefix = prefixFor("cluster-crossslot");
    try {
      const [a, b] = [`${prefix}{a}`, `${prefix}{b}`];
      expect(await cluster.call("CLUSTER", "KEYSLOT", a)).not.toBe(await cluster.call("CLUSTER", "KEYSLOT", b));
      await expect(cluster.eval("return redis.call('SET', KEYS[1], '1') and redis.call('SET', ARGV[1], '2')", 1, a, b)).rejects.toThrow();
    } finally {
      cluster.disconnect();
    }
  });
});
