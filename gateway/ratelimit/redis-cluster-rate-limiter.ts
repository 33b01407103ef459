import type { Cluster } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { type RateDecision, type RateLimiter, RateLimiterUnavailableError, type RatePolicy } from "./rate-limiter.ts";

export interface RedisClusterRateLimiterOptions {
  /** An ioredis Cluster (shared/geo/redis-cluster/connect-cluster.ts); the caller closes it. */
  cluster: Cluster;
  policy: RatePolicy;
  /** Key prefix; one per limited role, so budgets never mix. */
  prefix: string;
  /** How long to wait for Redis before calling it unavailable. */
  timeoutMs?: number;
}

/**
 * rate-limiter-flexible's Redis limiter on a Redis Cluster: one count shared by every
 * gateway. Each caller's count is one key (`<prefix>:<identifier>`) set with the
 * window's expiry on its first request and incremented by one Lua script, so it is a
 * single-slot operation. Where it differs from the port: the window starts at the
 * caller's first request, not on a wall-clock boundary (still fixed: resetAt is exact
 * and a refused caller is let through in full after it). A failed or slower-than-
 * `timeoutMs` store is RateLimiterUnavailableError, as with the Upstash limiter.
 */
export function createRedisClusterRateLimiter(o: RedisClusterRateLimiterOptions): RateLimiter {
  const timeoutMs = o.timeoutMs ?? 500;
  const limiter = new RateLimiterRedis({
    storeClient: o.cluster,
    points: o.policy.max,
    duration: Math.max(1, Math.round(o.policy.windowMs / 1000)),
    keyPrefix: o.prefix,
    // While the cluster is reconnecting, answer at once instead of queueing behind it.
    rejectIfRedisNotReady: true,
  });
  return {
    async limit(identifier: string): Promise<RateDecision> {
      const now = Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RateLimiterUnavailableError(`rate-limit store did not answer in ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const res = await Promise.race([limiter.consume(identifier), timeout]);
        return { allowed: true, limit: o.policy.max, remaining: res.remainingPoints, resetAt: now + res.msBeforeNext };
      } catch (err) {
        // rate-limiter-flexible rejects with the decision when the caller is over its budget.
        if (err instanceof RateLimiterRes) return { allowed: false, limit: o.policy.max, remaining: 0, resetAt: now + err.msBeforeNext };
        if (err instanceof RateLimiterUnavailableError) throw err;
        throw new RateLimiterUnavailableError(`rate-limit store failed: ${(err as Error).message}`, { cause: err });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
