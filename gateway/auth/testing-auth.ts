import { createInProcessRateLimiter } from "../ratelimit/in-process-rate-limiter.ts";
import type { RateLimits } from "../ratelimit/rate-limiter.ts";
import { type AuthSettings, DEFAULT_AUDIENCE, DEFAULT_ISSUER } from "./auth-settings.ts";
import { mintToken } from "./mint-token.ts";
import type { Role } from "./principal.ts";

/*
 * Credentials for tests, benchmarks and the Deno portability server: a fixed HS256
 * secret the test gateways are configured with, and helpers that mint its tokens.
 * No bun:test import, so non-test entry points (Deno, bench) can use it. Never in production.
 */

export const TEST_JWT_SECRET = "fleetstream-test-secret-not-for-production-0123456789";
export const TEST_AUTH: AuthSettings = {
  key: { kind: "secret", secret: TEST_JWT_SECRET },
  issuer: DEFAULT_ISSUER,
  audience: DEFAULT_AUDIENCE,
};

/** A valid token (1 h) for this caller, signed with TEST_JWT_SECRET. */
export function tokenFor(who: { role: Role; sub: string }, ttlS = 3600): string {
  return mintToken(who, { secret: TEST_JWT_SECRET, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE, ttlS });
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
export const asDriver = (driverId: string) => bearer(tokenFor({ role: "driver", sub: driverId }));
export const asCustomer = (customerId: string) => bearer(tokenFor({ role: "customer", sub: customerId }));
export const asOperator = (sub = "ops-test") => bearer(tokenFor({ role: "operator", sub }));

/** Budgets no functional test reaches, so only the rate-limit tests see 429s. */
export function generousRateLimits(): RateLimits {
  const policy = { max: 1_000_000, windowMs: 60_000 };
  return { driver: createInProcessRateLimiter(policy), customer: createInProcessRateLimiter(policy) };
}

/** The security part of GatewayDeps for a test gateway: TEST_AUTH, generous limits, no CORS. */
export const testSecurity = () => ({ auth: TEST_AUTH, rateLimits: generousRateLimits(), corsOrigins: [] as string[] });
