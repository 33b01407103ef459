import type { Hono } from "hono";
import * as v from "valibot";
import { DriverIdSchema } from "../../shared/events/driver.ts";
import { parseTimestamp, TimestampSchema } from "../../shared/events/timestamp.ts";
import { MAX_TRAIL_PAGE } from "../../shared/history/trail-query.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { readParam } from "../http/read-json.ts";
import { queryInteger, readQuery } from "../http/read-query.ts";

/** The same format as every event's time, so a bound the gateway reads is one instant (never NaN). */
const isoMs = v.pipe(TimestampSchema, v.transform(parseTimestamp));

const QuerySchema = v.strictObject({
  from: v.optional(isoMs),
  to: v.optional(isoMs),
  limit: v.optional(queryInteger(1, MAX_TRAIL_PAGE)),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(512))),
});

/** The driver's stored (downsampled) trail, oldest first, a page at a time: for the driver itself and operators. */
export function registerDriverTrail(app: Hono, deps: Pick<GatewayDeps, "trail">): void {
  app.get("/v1/drivers/:driverId/trail", allow("driver", "operator"), async (c) => {
    const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
    requireSelfOrOperator(c, driverId, "driverId");
    const q = readQuery(c, QuerySchema);
    const page = await deps.trail({ driverId, ...q });
    return c.json({
      driverId,
      points: page.points.map((p) => ({ ...p, recordedAt: new Date(p.recordedAt).toISOString() })),
      nextCursor: page.nextCursor,
    });
  });
}
