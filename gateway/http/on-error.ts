import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { BackpressureError, RetryableError, ValidationError } from "../../shared/errors/errors.ts";
import type { Logger } from "../../shared/logging/logger.ts";
import { ForbiddenError } from "../auth/forbidden-error.ts";
import { problem } from "./problem.ts";

/**
 * The one place errors become responses. Internal messages and stacks never reach
 * the client: they go to the log under the request id the client is given.
 */
export function onError(logger: Logger) {
  return (err: Error, c: Context): Response => {
    if (err instanceof ValidationError)
      return problem(c, err.status, { title: "Invalid request", detail: err.message, errors: err.issues });
    if (err instanceof BackpressureError || err instanceof RetryableError) {
      const seconds = Math.max(1, Math.ceil((err.retryAfterMs ?? 1000) / 1000));
      logger.warn("request refused: dependency busy", { requestId: c.get("requestId"), error: err.message });
      return problem(c, 503, { title: "Service busy, retry later" }, { "retry-after": String(seconds) });
    }
    if (err instanceof ForbiddenError)
      return problem(c, 403, { title: "Forbidden", detail: err.message, ...(err.issues.length ? { errors: err.issues } : {}) });
    if (err instanceof HTTPException) {
      const res = err.getResponse();
      if (err.status === 401) {
        // hono/jwt's reason stays in WWW-Authenticate; the cause (which quotes the token) only in the debug log.
        logger.debug("request unauthenticated", {
          requestId: c.get("requestId"),
          reason: (err.cause as Error | undefined)?.name ?? err.message,
        });
        return problem(
          c,
          401,
          { title: "Unauthorized", detail: "a valid bearer token is required" },
          { "www-authenticate": res.headers.get("www-authenticate") ?? "Bearer" },
        );
      }
      return problem(c, err.status, { title: err.message || res.statusText || "Request refused" });
    }
    logger.error("unhandled error", { requestId: c.get("requestId"), error: err.message, stack: err.stack });
    return problem(c, 500, { title: "Internal error" });
  };
}
