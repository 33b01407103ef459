/**
 * The rate-limiter port: counts one request of `identifier` and says whether it may
 * pass. Fixed windows: a refused caller may retry at `resetAt` and is then let through
 * in full, so Retry-After is exact (a sliding window would refuse some retries that
 * came at the advertised time). The price is up to 2×max across a window boundary.
 *
 * `limit` rejects with RateLimiterUnavailableError when the store cannot answer; the
 * caller decides whether that fails open or closed (gateway/ratelimit/rate-limit.ts).
 */
export interface RateLimiter {
  limit(identifier: string): Promise<RateDecision>;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms when the current window ends and the count starts again. */
  resetAt: number;
}

export interface RatePolicy {
  /** Requests allowed per window. */
  max: number;
  windowMs: number;
}

/** The store behind a limiter did not answer (Redis down, REST timeout). */
export class RateLimiterUnavailableError extends Error {
  override readonly name = "RateLimiterUnavailableError";
}

/** One limiter per limited role: drivers and customers have their own budgets. */
export interface RateLimits {
  driver: RateLimiter;
  customer: RateLimiter;
}
