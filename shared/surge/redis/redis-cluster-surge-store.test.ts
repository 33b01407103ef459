import { afterAll, describe } from "bun:test";
import { uniquePrefix } from "../../geo/redis/redis-test-env.ts";
import { deleteClusterPrefixes, redisClusterUrlsFromEnv } from "../../geo/redis-cluster/cluster-test-env.ts";
import { connectRedisCluster } from "../../geo/redis-cluster/connect-cluster.ts";
import { createIoredisRunner } from "../../geo/redis-cluster/ioredis-runner.ts";
import { runSurgeStoreContract } from "../surge-store.contract.ts";
import { createRedisSurgeStore } from "./redis-surge-store.ts";

describe("redis SurgeStore on Redis Cluster (REDIS_CLUSTER_URLS)", () => {
  const urls = redisClusterUrlsFromEnv();
  const prefixes: string[] = [];
  afterAll(() => deleteClusterPrefixes(urls, prefixes));

  runSurgeStoreContract({
    name: "redis cluster (ioredis)",
    async create() {
      const prefix = uniquePrefix("surge-cluster");
      prefixes.push(prefix);
      return createRedisSurgeStore(createIoredisRunner(await connectRedisCluster(urls)), { prefix });
    },
  });
});
