import type { Role } from "../gateway/auth/principal.ts";
import { TEST_JWT_SECRET, tokenFor } from "../gateway/auth/testing-auth.ts";

/**
 * What a benchmarked gateway is started with: the tests' fixed secret, whose tokens the
 * load clients mint, and rate limits no benchmark reaches. The limiter still counts every
 * request (its cost is in the figures); only its refusals are kept out of them.
 */
export const BENCH_GATEWAY_ENV = { JWT_SECRET: TEST_JWT_SECRET, RATE_LIMIT_DRIVER: "1000000000", RATE_LIMIT_CUSTOMER: "1000000000" };

const TOKEN_TTL_S = 12 * 3600;
const tokens = new Map<string, { authorization: string }>();
const jsonHeaders = new Map<string, Record<string, string>>();

/** This caller's Authorization header, minted once per caller as an app keeps its token. */
export function authAs(role: Role, sub: string): { authorization: string } {
  const key = `${role}:${sub}`;
  let header = tokens.get(key);
  if (!header) tokens.set(key, (header = { authorization: `Bearer ${tokenFor({ role, sub }, TOKEN_TTL_S)}` }));
  return header;
}

/** JSON headers with this caller's bearer token, for the requests that go out through raw fetch. */
export function jsonHeadersAs(role: Role, sub: string): Record<string, string> {
  const key = `${role}:${sub}`;
  let headers = jsonHeaders.get(key);
  if (!headers) jsonHeaders.set(key, (headers = { "content-type": "application/json", ...authAs(role, sub) }));
  return headers;
}
