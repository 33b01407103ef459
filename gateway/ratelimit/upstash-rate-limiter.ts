import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { type RateDecision, type RateLimiter, RateLimiterUnavailableError, type RatePolicy } from "./rate-limiter.ts";

export interface UpstashRateLimiterOptions {
  url: string;
  token: string;
  policy: RatePolicy;
  /** Key prefix in Redis; one per limited role, so budgets never mix. */
  prefix: string;
  /** How long to wait for Redis before calling it unavailable. */
  timeoutMs?: number;
}

/**
 * @upstash/ratelimit's fixed window over Upstash REST (or tools/upstash-bridge/ in front
 * of a redis-server): one count shared by every gateway. Where it differs from the port:
 * - @upstash/ratelimit answers "allowed" with reason "timeout" when Redis is slow; this
 *   adapter turns that into RateLimiterUnavailableError, like a connection error, so the
 *   middleware applies one policy to both.
 * - Callers already refused are remembered in an in-process cache until their window
 *   ends (ephemeralCache), so a caller hammering past its limit costs Redis nothing.
 */
export function createUpstashRateLimiter(o: UpstashRateLimiterOptions): RateLimiter {
  // No retries: a request must not wait seconds of backoff for a rate-limit verdict.
  const redis = new Redis({ url: o.url, token: o.token, retry: false, enableTelemetry: false });
  const limiter = new Ratelimit({
    redis,
    limiter: Ratelimit.fixedWindow(o.policy.max, `${o.policy.windowMs} ms`),
    prefix: o.prefix,
    timeout: o.timeoutMs ?? 500,
    ephemeralCache: new Map(),
    analytics: false,
  });
  return {
    async limit(identifier: string): Promise<RateDecision> {
      let r: Awaited<ReturnType<typeof limiter.limit>>;
      try {
        r = await limiter.limit(identifier);
      } catch (err) {
        throw new RateLimiterUnavailableError(`rate-limit store failed: ${(err as Error).message}`, { cause: err });
      }
      if (r.reason === "timeout") throw new RateLimiterUnavailableError(`rate-limit store did not answer in ${o.timeoutMs ?? 500} ms`);
      return { allowed: r.success, limit: r.limit, remaining: r.remaining, resetAt: r.reset };
    },
  };
}
