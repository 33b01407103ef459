import { redisClusterClient } from "../../shared/geo/redis-cluster/connect-cluster.ts";
import { createInProcessRateLimiter } from "./in-process-rate-limiter.ts";
import type { RateLimits, RatePolicy } from "./rate-limiter.ts";
import { createRedisClusterRateLimiter } from "./redis-cluster-rate-limiter.ts";
import { createUpstashRateLimiter } from "./upstash-rate-limiter.ts";

export interface RateLimitSettings {
  REDIS_CLUSTER_URLS?: string[];
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  RATE_LIMIT_DRIVER: number;
  RATE_LIMIT_CUSTOMER: number;
  RATE_LIMIT_WINDOW_S: number;
}

/**
 * Shared counts, so every gateway enforces one budget: in the Redis Cluster when
 * REDIS_CLUSTER_URLS is set, else in Redis through Upstash REST when it is configured;
 * otherwise counts in this process (dev, or a single gateway on REDIS_URL only:
 * @upstash/ratelimit speaks REST, not the Redis protocol). `close` releases the
 * cluster connection.
 */
export function openRateLimits(s: RateLimitSettings): RateLimits & { shared: boolean; close(): void } {
  const policy = (max: number): RatePolicy => ({ max, windowMs: s.RATE_LIMIT_WINDOW_S * 1000 });
  if (s.REDIS_CLUSTER_URLS?.length) {
    const cluster = redisClusterClient(s.REDIS_CLUSTER_URLS);
    return {
      shared: true,
      driver: createRedisClusterRateLimiter({ cluster, policy: policy(s.RATE_LIMIT_DRIVER), prefix: "ratelimit:driver" }),
      customer: createRedisClusterRateLimiter({ cluster, policy: policy(s.RATE_LIMIT_CUSTOMER), prefix: "ratelimit:customer" }),
      close: () => cluster.disconnect(),
    };
  }
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = s;
  if (url && token) {
    return {
      shared: true,
      driver: createUpstashRateLimiter({ url, token, policy: policy(s.RATE_LIMIT_DRIVER), prefix: "ratelimit:driver" }),
      customer: createUpstashRateLimiter({ url, token, policy: policy(s.RATE_LIMIT_CUSTOMER), prefix: "ratelimit:customer" }),
      close: () => {},
    };
  }
  return {
    shared: false,
    driver: createInProcessRateLimiter(policy(s.RATE_LIMIT_DRIVER)),
    customer: createInProcessRateLimiter(policy(s.RATE_LIMIT_CUSTOMER)),
    close: () => {},
  };
}
