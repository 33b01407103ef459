import type { RateDecision, RateLimiter, RatePolicy } from "./rate-limiter.ts";

/**
 * Fixed-window counts in this process's memory: `bun run dev`, tests, and a single
 * gateway. Differs from the port's intent when several gateways run: each counts on its
 * own, so the effective limit is max × gateways (use the Upstash adapter there). Web
 * standard only, so it runs wherever createApp does.
 */
export function createInProcessRateLimiter(policy: RatePolicy, now: () => number = Date.now): RateLimiter {
  const counts = new Map<string, { window: number; count: number }>();
  let sweptWindow = 0;

  return {
    async limit(identifier: string): Promise<RateDecision> {
      const t = now();
      const window = Math.floor(t / policy.windowMs);
      // Forget callers idle since an earlier window, once per window, so memory follows active callers.
      if (window !== sweptWindow) {
        for (const [id, entry] of counts) if (entry.window !== window) counts.delete(id);
        sweptWindow = window;
      }
      const entry = counts.get(identifier);
      const count = entry?.window === window ? entry.count + 1 : 1;
      counts.set(identifier, { window, count });
      return {
        allowed: count <= policy.max,
        limit: policy.max,
        remaining: Math.max(0, policy.max - count),
        resetAt: (window + 1) * policy.windowMs,
      };
    },
  };
}
