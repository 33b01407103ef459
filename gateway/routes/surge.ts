import type { Hono } from "hono";
import * as v from "valibot";
import { VehicleTypeSchema } from "../../shared/events/driver.ts";
import { MAX_INDEXABLE_LAT } from "../../shared/geo/shard-layout.ts";
import type { GatewayDeps } from "../deps.ts";
import { queryNumber, readQuery } from "../http/read-query.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";
import { quoteSurge } from "../pricing/surge-quote.ts";

const QuerySchema = v.strictObject({
  lat: queryNumber(-MAX_INDEXABLE_LAT, MAX_INDEXABLE_LAT),
  lng: queryNumber(-180, 180),
  vehicleType: VehicleTypeSchema,
});

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const SurgeSchema = v.strictObject({
  cell: v.string(),
  resolution: v.pipe(v.number(), v.integer()),
  vehicleType: VehicleTypeSchema,
  multiplier: v.pipe(v.number(), v.minValue(0)),
  /** Bookings requested in the zone within the window. */
  demand: count,
  /** Available fresh drivers in the zone at the last update; null when it was never priced. */
  supply: v.nullable(count),
  windowS: v.number(),
  updatedAt: v.nullable(IsoTimestampSchema),
});

export const surgeDoc = describeRoute({
  method: "get",
  path: "/v1/surge",
  operationId: "getSurge",
  tag: "Bookings",
  summary: "The surge multiplier a booking at this place would be quoted now, with its inputs",
  description:
    "The zone is the H3 cell of the pickup for the vehicle type; a zone never priced (no recent demand) is at the floor with `supply: null`.",
  access: ["driver", "customer", "operator"],
  query: QuerySchema,
  responses: { 200: { description: "The zone's quote", schema: SurgeSchema } },
  problems: { 503: "the surge store did not answer in time (retry after Retry-After)" },
});

/**
 * GET /v1/surge?lat&lng&vehicleType: the multiplier a booking requested there now would
 * be quoted, with its inputs (demand and supply in the zone, the window, when it was
 * computed) so a customer can be shown why (shared/surge/surge-formula.ts). Any caller;
 * a surge store that does not answer is a 503 with Retry-After.
 */
export function registerSurge(app: Hono, deps: Pick<GatewayDeps, "trips">): void {
  app.get(surgeDoc.path, async (c) => {
    const q = readQuery(c, QuerySchema);
    return c.json((await quoteSurge(deps.trips.surge, q.lat, q.lng, q.vehicleType)) satisfies v.InferOutput<typeof SurgeSchema>);
  });
}
