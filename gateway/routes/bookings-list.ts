import type { Hono } from "hono";
import * as v from "valibot";
import { BOOKING_STATUSES } from "../../shared/booking/state-machine.ts";
import { allow } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { pageParams } from "../http/list-query.ts";
import { readQuery } from "../http/read-query.ts";

const QuerySchema = v.strictObject({
  status: v.optional(v.picklist(BOOKING_STATUSES)),
  updatedBefore: v.optional(
    v.pipe(
      v.string(),
      v.isoTimestamp("must be an ISO-8601 timestamp"),
      v.transform((s) => new Date(s).toISOString()),
    ),
  ),
  ...pageParams,
});

/**
 * GET /v1/bookings?status&updatedBefore&limit&cursor, for operators: bookings by status,
 * least recently changed first, e.g. `?status=accepted&updatedBefore=<an hour ago>` for
 * trips that look stuck. A page at a time (`nextCursor`).
 */
export function registerBookingsList(app: Hono, deps: Pick<GatewayDeps, "bookings">): void {
  app.get("/v1/bookings", allow("operator"), async (c) => {
    const q = readQuery(c, QuerySchema);
    const page = await deps.bookings(q);
    return c.json({ bookings: page.items, nextCursor: page.nextCursor });
  });
}
