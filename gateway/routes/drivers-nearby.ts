import type { Hono } from "hono";
import * as v from "valibot";
import { DriverIdSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { MAX_INDEXABLE_LAT } from "../../shared/geo/shard-layout.ts";
import { allow } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { queryInteger, queryNumber, readQuery } from "../http/read-query.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";

export const MAX_NEARBY_RADIUS_M = 50_000;
export const MAX_NEARBY_LIMIT = 100;

const QuerySchema = v.strictObject({
  lat: queryNumber(-MAX_INDEXABLE_LAT, MAX_INDEXABLE_LAT),
  lng: queryNumber(-180, 180),
  radiusM: v.optional(queryNumber(1, MAX_NEARBY_RADIUS_M), "5000"),
  vehicleType: VehicleTypeSchema,
  limit: v.optional(queryInteger(1, MAX_NEARBY_LIMIT), "10"),
});

const NearbySchema = v.strictObject({
  drivers: v.array(
    v.strictObject({
      driverId: DriverIdSchema,
      lat: v.number(),
      lng: v.number(),
      distanceM: v.pipe(v.number(), v.minValue(0)),
      lastSeenAt: IsoTimestampSchema,
    }),
  ),
});

export const driversNearbyDoc = describeRoute({
  method: "get",
  path: "/v1/drivers/nearby",
  operationId: "findNearbyDrivers",
  tag: "Drivers",
  summary: "Available drivers of a vehicle type near a place, nearest first",
  description:
    "Only drivers whose status is available, whose newest fix is plausible and at most STALE_AFTER_S old, within `radiusM` metres (default 5000, at most 50,000); at most `limit` (default 10, at most 100).",
  access: ["customer", "operator"],
  query: QuerySchema,
  responses: { 200: { description: "The drivers found (possibly none)", schema: NearbySchema } },
});

/**
 * Available, fresh drivers of one vehicle type, nearest first. Registered before
 * /v1/drivers/:driverId. For customers (cars around them before booking) and operators;
 * not for drivers, who have no use for their competitors' positions.
 */
export function registerDriversNearby(app: Hono, deps: Pick<GatewayDeps, "geo" | "limits">): void {
  app.get(driversNearbyDoc.path, allow("customer", "operator"), async (c) => {
    const q = readQuery(c, QuerySchema);
    const found = await deps.geo.nearby({ ...q, now: Date.now(), staleAfterMs: deps.limits.staleAfterMs });
    return c.json({
      drivers: found.map((d) => ({
        driverId: d.driverId,
        lat: d.lat,
        lng: d.lng,
        distanceM: Math.round(d.distanceM * 10) / 10,
        lastSeenAt: new Date(d.lastSeenAt).toISOString(),
      })),
    } satisfies v.InferOutput<typeof NearbySchema>);
  });
}
