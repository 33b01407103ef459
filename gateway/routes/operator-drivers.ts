import type { Hono } from "hono";
import * as v from "valibot";
import { DriverIdSchema, DriverStatusSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { allow } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { queryInteger, readQuery } from "../http/read-query.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";

const MAX_PAGE = 5_000;

const QuerySchema = v.strictObject({
  limit: v.optional(queryInteger(1, MAX_PAGE), "1000"),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,20}$/, "must be a cursor this route gave"))),
});

const DriversSchema = v.strictObject({
  drivers: v.array(
    v.strictObject({
      driverId: DriverIdSchema,
      status: v.nullable(DriverStatusSchema),
      vehicleType: v.nullable(VehicleTypeSchema),
      /** The last plausible position; null until one arrived. */
      lat: v.nullable(v.number()),
      lng: v.nullable(v.number()),
      recordedAt: v.nullable(IsoTimestampSchema),
      suspect: v.boolean(),
    }),
  ),
  nextCursor: v.nullable(v.string()),
});

export const operatorDriversDoc = describeRoute({
  method: "get",
  path: "/v1/operator/drivers",
  operationId: "listAllDrivers",
  tag: "Operations",
  summary: "Every driver the geo index knows, whatever its status, a page at a time",
  description:
    "For the console's map: status, vehicle type, last plausible position and whether the newest fix was suspect. Pages hold about `limit` drivers (on Redis a page may be smaller, even empty, before the end; a driver may appear twice in one listing); pass `nextCursor` back until it is null.",
  access: ["operator"],
  query: QuerySchema,
  responses: { 200: { description: "One page", schema: DriversSchema } },
});

export function registerOperatorDrivers(app: Hono, deps: Pick<GatewayDeps, "geo">): void {
  app.get(operatorDriversDoc.path, allow("operator"), async (c) => {
    const q = readQuery(c, QuerySchema);
    const page = await deps.geo.listDrivers(q.cursor ?? null, q.limit);
    return c.json({
      drivers: page.drivers.map((d) => ({
        driverId: d.driverId,
        status: d.status,
        vehicleType: d.vehicleType,
        lat: d.position?.lat ?? null,
        lng: d.position?.lng ?? null,
        recordedAt: d.position ? new Date(d.position.recordedAt).toISOString() : null,
        suspect: d.suspect,
      })),
      nextCursor: page.cursor,
    } satisfies v.InferOutput<typeof DriversSchema>);
  });
}
