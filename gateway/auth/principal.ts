import type { Context } from "hono";
import * as v from "valibot";
import { CustomerIdSchema } from "../../shared/events/booking.ts";
import { DriverIdSchema } from "../../shared/events/driver.ts";

export const ROLES = ["driver", "customer", "operator"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: the token's `role` claim and its `sub` (a driverId for drivers, a customerId for customers). */
export interface Principal {
  role: Role;
  sub: string;
}

declare module "hono" {
  interface ContextVariableMap {
    principal: Principal;
  }
}

const expiry = v.pipe(v.number(), v.integer());

/**
 * The claims the gateway relies on once hono/jwt has checked signature, alg, iss and aud.
 * `exp` is required here because hono checks it only when present: a token that never
 * expires is refused. `sub` must be a valid id for its role, so it can key events as is.
 */
export const ClaimsSchema = v.variant("role", [
  v.object({ role: v.literal("driver"), sub: DriverIdSchema, exp: expiry }),
  v.object({ role: v.literal("customer"), sub: CustomerIdSchema, exp: expiry }),
  v.object({ role: v.literal("operator"), sub: v.pipe(v.string(), v.minLength(1), v.maxLength(128)), exp: expiry }),
]);

/** The authenticated caller; only reachable behind `authenticate`, so its absence is a wiring bug. */
export function principalOf(c: Context): Principal {
  const p = c.get("principal");
  if (!p) throw new Error(`no principal on ${c.req.path}: the route is not behind authenticate()`);
  return p;
}
