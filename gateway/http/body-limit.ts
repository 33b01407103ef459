import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ValidationError } from "../../shared/errors/errors.ts";

/**
 * Refuses a body over `maxBytes` with 413 problem+json, counting what is actually read
 * (a lying or absent Content-Length does not get past it). The app applies the largest
 * route's limit to every request; each route with a body adds its own, tighter one.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ValidationError("body is too large", [{ field: "(body)", message: `must be at most ${maxBytes} bytes` }], 413);
    },
  });
}
