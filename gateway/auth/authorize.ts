import type { Context, MiddlewareHandler } from "hono";
import { ForbiddenError } from "./forbidden-error.ts";
import { principalOf, type Role } from "./principal.ts";

/**
 * Lets only these roles through; any other is a 403. Refusing by role leaks nothing:
 * it does not depend on whether the addressed driver, booking or order exists.
 */
export function allow(...roles: Role[]): MiddlewareHandler {
  return async (c, next) => {
    const { role } = principalOf(c);
    if (!roles.includes(role)) throw new ForbiddenError(`the ${role} role may not ${c.req.method} ${c.req.routePath}`);
    await next();
  };
}

/**
 * The caller acts as `id` (a path or body field), which must be its own `sub`. Operators
 * act as anyone only where a route says so, never here.
 */
export function requireSelf(c: Context, id: string, field: string): void {
  const { sub } = principalOf(c);
  if (id !== sub)
    throw new ForbiddenError(`${field} is not the caller`, [{ field, message: "must be the caller's own id (the token's sub)" }]);
}

/** As requireSelf, but an operator may address anyone (support reads a driver's state and trail). */
export function requireSelfOrOperator(c: Context, id: string, field: string): void {
  if (principalOf(c).role !== "operator") requireSelf(c, id, field);
}
