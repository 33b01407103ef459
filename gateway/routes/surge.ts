import type { Hono } from "hono";
import * as v from "valibot";
import { VehicleTypeSchema } from "../../shared/events/driver.ts";
import { MAX_INDEXABLE_LAT } from "../../shared/geo/shard-layout.ts";
import type { GatewayDeps } from "../deps.ts";
import { queryNumber, readQuery } from "../http/read-query.ts";
import { quoteSurge } from "../pricing/surge-quote.ts";

const QuerySchema = v.strictObject({
  lat: queryNumber(-MAX_INDEXABLE_LAT, MAX_INDEXABLE_LAT),
  lng: queryNumber(-180, 180),
  vehicleType: VehicleTypeSchema,
});

/**
 * GET /v1/surge?lat&lng&vehicleType: the multiplier a booking requested there now would
 * be quoted, with its inputs (demand and supply in the zone, the window, when it was
 * computed) so a customer can be shown why (shared/surge/surge-formula.ts). Any caller;
 * a surge store that does not answer is a 503 with Retry-After.
 */
export function registerSurge(app: Hono, deps: Pick<GatewayDeps, "trips">): void {
  app.get("/v1/surge", async (c) => {
    const q = readQuery(c, QuerySchema);
    return c.json(await quoteSurge(deps.trips.surge, q.lat, q.lng, q.vehicleType));
  });
}
