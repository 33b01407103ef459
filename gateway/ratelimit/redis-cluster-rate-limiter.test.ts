import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Cluster } from "ioredis";
import { uniquePrefix } from "../../shared/geo/redis/redis-test-env.ts";
import { deleteClusterPrefixes, redisClusterUrlsFromEnv } from "../../shared/geo/redis-cluster/cluster-test-env.ts";
import { connectRedisCluster } from "../../shared/geo/redis-cluster/connect-cluster.ts";
import { runRateLimiterContract } from "./rate-limiter.contract.ts";
import { RateLimiterUnavailableError } from "./rate-limiter.ts";
import { createRedisClusterRateLimiter } from "./redis-cluster-rate-limiter.ts";

setDefaultTimeout(30_000);

describe("Redis Cluster RateLimiter (REDIS_CLUSTER_URLS)", () => {
  const urls = redisClusterUrlsFromEnv();
  const prefixes: string[] = [];
  let cluster: Promise<Cluster> | undefined;
  afterAll(async () => {
    (await cluster)?.disconnect();
    await deleteClusterPrefixes(urls, prefixes);
  });
  const connect = () => (cluster ??= connectRedisCluster(urls));

  runRateLimiterContract({
    name: "redis cluster",
    async create(policy) {
      const prefix = uniquePrefix("ratelimit-cluster");
      prefixes.push(prefix);
      return createRedisClusterRateLimiter({ cluster: await connect(), policy, prefix });
    },
  });

  test("a closed connection is reported as unavailable, not as a verdict", async () => {
    const own = await connectRedisCluster(urls);
    const limiter = createRedisClusterRateLimiter({
      cluster: own,
      policy: { max: 1, windowMs: 1000 },
      prefix: uniquePrefix("ratelimit-down"),
    });
    own.disconnect();
    await expect(limiter.limit("anyone")).rejects.toBeInstanceOf(RateLimiterUnavailableError);
  });
});
