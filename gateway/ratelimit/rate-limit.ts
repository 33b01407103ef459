import type { MiddlewareHandler } from "hono";
import { Counter, type Registry } from "prom-client";
import type { Logger } from "../../shared/logging/logger.ts";
import { principalOf } from "../auth/principal.ts";
import { problem } from "../http/problem.ts";
import type { RateLimits } from "./rate-limiter.ts";

/** One warning per this interval at most while the store is down, not one per request. */
const WARN_EVERY_MS = 10_000;

/**
 * Counts each authenticated driver's and customer's requests against their role's
 * budget (keyed by role and sub, so an id shared by a driver and a customer does not
 * share a budget); over it → 429 problem+json with Retry-After. Operators are not limited.
 *
 * FAIL-OPEN when the limiter's store (Redis) is down or slow: the request proceeds and
 * the outage is counted and logged. The limiter guards against one caller flooding the
 * gateway; it protects no data and decides no business outcome, and every caller is
 * still authenticated. Failing closed would turn a Redis outage into a total outage of
 * ingest and bookings, which do not otherwise need Redis (fixes go to the log, bookings
 * to the log or the outbox). The cost: while Redis is down, nobody is rate-limited.
 */
export function rateLimit(limits: RateLimits, deps: { logger: Logger; registry: Registry }): MiddlewareHandler {
  const refused = new Counter({
    name: "fleet_rate_limited_total",
    help: "Requests refused with 429, by role",
    labelNames: ["role"],
    registers: [deps.registry],
  });
  const unavailable = new Counter({
    name: "fleet_rate_limiter_unavailable_total",
    help: "Requests let through unchecked because the rate-limit store failed",
    registers: [deps.registry],
  });
  let lastWarnAt = 0;

  return async (c, next) => {
    const { role, sub } = principalOf(c);
    if (role === "operator") return next();
    let decision: Awaited<ReturnType<(typeof limits)[typeof role]["limit"]>>;
    try {
      decision = await limits[role].limit(`${role}:${sub}`);
    } catch (err) {
      unavailable.inc();
      if (Date.now() - lastWarnAt > WARN_EVERY_MS) {
        lastWarnAt = Date.now();
        deps.logger.warn("rate limiter unavailable: letting requests through", {
          requestId: c.get("requestId"),
          error: (err as Error).message,
        });
      }
      return next();
    }
    if (!decision.allowed) {
      refused.inc({ role });
      const retryAfterS = Math.max(1, Math.ceil((decision.resetAt - Date.now()) / 1000));
      return problem(
        c,
        429,
        { title: "Too many requests", detail: `at most ${decision.limit} requests per window for a ${role}; retry after ${retryAfterS} s` },
        { "retry-after": String(retryAfterS) },
      );
    }
    await next();
  };
}
