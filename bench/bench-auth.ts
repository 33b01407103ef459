import type { Role } from "../gateway/auth/principal.ts";
import { TEST_JWT_SECRET, tokenFor } from "../gateway/auth/testing-auth.ts";

/**
 * What a benchmarked gateway is started with: the tests' fixed secret, whose tokens the
 * load clients mint, and rate limits no benchmark reaches. The limiter still counts every
 * request (its cost is in the figures); only its refusals are kept out of them.
 */
export const BENCH_GATEWAY_ENV = { JWT_SECRET: TEST_JWT_SECRET, RATE_LIMIT_DRIVER: "1000000000", RATE_LIMIT_CUSTOMER: "1000000000" };

const TOKEN_TTL_S = 12 * 3600;
const cache = new Map<string, Record<string, string>>();

/** JSON headers with this caller's bearer token, minted once per caller as an app keeps its token. */
export function jsonHeadersAs(role: Role, sub: string): Record<string, string> {
  const key = `${role}:${sub}`;
  let headers = cache.get(key);
  if (!headers) {
    headers = { "content-type": "application/json", authorization: `Bearer ${tokenFor({ role, sub }, TOKEN_TTL_S)}` };
    cache.set(key, headers);
  }
  return headers;
}
