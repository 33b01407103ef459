import type { Hono } from "hono";
import * as v from "valibot";
import { DriverIdSchema, FixFlagSchema } from "../../shared/events/driver.ts";
import { parseTimestamp, TimestampSchema } from "../../shared/events/timestamp.ts";
import { MAX_TRAIL_PAGE } from "../../shared/history/trail-query.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { readParam } from "../http/read-json.ts";
import { queryInteger, readQuery } from "../http/read-query.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";

/** The same format as every event's time, so a bound the gateway reads is one instant (never NaN). */
const isoMs = v.pipe(TimestampSchema, v.transform(parseTimestamp));

const QuerySchema = v.strictObject({
  from: v.optional(isoMs),
  to: v.optional(isoMs),
  limit: v.optional(queryInteger(1, MAX_TRAIL_PAGE)),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(512))),
});

const TrailSchema = v.strictObject({
  driverId: DriverIdSchema,
  points: v.array(
    v.strictObject({
      recordedAt: IsoTimestampSchema,
      lat: v.number(),
      lng: v.number(),
      speed: v.nullable(v.number()),
      heading: v.nullable(v.number()),
      accuracy: v.nullable(v.number()),
      flags: v.array(FixFlagSchema),
    }),
  ),
  nextCursor: v.nullable(v.string()),
});

export const driverTrailDoc = describeRoute({
  method: "get",
  path: "/v1/drivers/:driverId/trail",
  operationId: "getDriverTrail",
  tag: "Drivers",
  summary: "A driver's stored trail, oldest first, a page at a time",
  description:
    "The trail is downsampled (a fix is stored once the driver moved 50 m or 30 s passed) and kept 7 days. `from`/`to` bound recordedAt inclusively; pass `nextCursor` back as `cursor` for the next page (null: the last page).",
  access: ["driver", "operator"],
  params: { driverId: DriverIdSchema },
  query: QuerySchema,
  responses: { 200: { description: "One page of the trail", schema: TrailSchema } },
  problems: { 403: "a driver asked for another driver's trail", 422: "`cursor` is not one this driver's trail gave" },
});

/** The driver's stored (downsampled) trail, oldest first, a page at a time: for the driver itself and operators. */
export function registerDriverTrail(app: Hono, deps: Pick<GatewayDeps, "trail">): void {
  app.get(driverTrailDoc.path, allow("driver", "operator"), async (c) => {
    const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
    requireSelfOrOperator(c, driverId, "driverId");
    const q = readQuery(c, QuerySchema);
    const page = await deps.trail({ driverId, ...q });
    return c.json({
      driverId,
      points: page.points.map((p) => ({ ...p, recordedAt: new Date(p.recordedAt).toISOString() })),
      nextCursor: page.nextCursor,
    } satisfies v.InferOutput<typeof TrailSchema>);
  });
}
