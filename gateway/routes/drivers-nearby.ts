import type { Hono } from "hono";
import * as v from "valibot";
import { VehicleTypeSchema } from "../../shared/events/driver.ts";
import { MAX_INDEXABLE_LAT } from "../../shared/geo/shard-layout.ts";
import { allow } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { queryInteger, queryNumber, readQuery } from "../http/read-query.ts";

export const MAX_NEARBY_RADIUS_M = 50_000;
export const MAX_NEARBY_LIMIT = 100;

const QuerySchema = v.strictObject({
  lat: queryNumber(-MAX_INDEXABLE_LAT, MAX_INDEXABLE_LAT),
  lng: queryNumber(-180, 180),
  radiusM: v.optional(queryNumber(1, MAX_NEARBY_RADIUS_M), "5000"),
  vehicleType: VehicleTypeSchema,
  limit: v.optional(queryInteger(1, MAX_NEARBY_LIMIT), "10"),
});

/**
 * Available, fresh drivers of one vehicle type, nearest first. Registered before
 * /v1/drivers/:driverId. For customers (cars around them before booking) and operators;
 * not for drivers, who have no use for their competitors' positions.
 */
export function registerDriversNearby(app: Hono, deps: Pick<GatewayDeps, "geo" | "limits">): void {
  app.get("/v1/drivers/nearby", allow("customer", "operator"), async (c) => {
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
    });
  });
}
