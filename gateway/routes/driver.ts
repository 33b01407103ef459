import type { Hono } from "hono";
import * as v from "valibot";
import { DriverIdSchema, DriverStatusSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";

const DriverSchema = v.strictObject({
  driverId: DriverIdSchema,
  status: v.nullable(DriverStatusSchema),
  vehicleType: v.nullable(VehicleTypeSchema),
  lastFix: v.nullable(v.strictObject({ lat: v.number(), lng: v.number(), recordedAt: IsoTimestampSchema })),
  suspect: v.boolean(),
  /** Operators only: what counts against the driver. */
  counters: v.optional(v.strictObject({ cancelsAfterAccept: v.pipe(v.number(), v.integer()), noShows: v.pipe(v.number(), v.integer()) })),
});

export const driverDoc = describeRoute({
  method: "get",
  path: "/v1/drivers/:driverId",
  operationId: "getDriver",
  tag: "Drivers",
  summary: "A driver's status, vehicle type and newest plausible fix",
  description:
    "`suspect`: the driver's newest fix was implausible, so it is out of nearby search and matching until a plausible one arrives (`lastFix` stays the last plausible one). A driver sees itself; operators see anyone, with `counters`: bookings it cancelled after accepting, arrival deadlines it missed.",
  access: ["driver", "operator"],
  params: { driverId: DriverIdSchema },
  responses: { 200: { description: "The driver as the geo index knows it", schema: DriverSchema } },
  problems: { 403: "a driver asked for another driver", 404: "no status or fix has been processed for the driver" },
});

/**
 * A driver's current status, vehicle type and newest plausible fix, as the geo index
 * knows them, and whether its newest fix was implausible (`suspect`: out of nearby
 * search and matching until a plausible fix arrives): for the driver itself and operators.
 * Operators also see what counts against the driver (`counters`: bookings cancelled
 * after accepting, arrival deadlines missed).
 */
export function registerDriver(app: Hono, deps: Pick<GatewayDeps, "geo" | "trips">): void {
  app.get(driverDoc.path, allow("driver", "operator"), async (c) => {
    const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
    requireSelfOrOperator(c, driverId, "driverId");
    const state = await deps.geo.get(driverId);
    if (!state) return problem(c, 404, { title: "Driver not found", detail: `no status or fix has been processed for driver ${driverId}` });
    const p = state.position;
    return c.json({
      driverId,
      status: state.status,
      vehicleType: state.vehicleType,
      lastFix: p ? { lat: p.lat, lng: p.lng, recordedAt: new Date(p.recordedAt).toISOString() } : null,
      suspect: state.suspect,
      ...(principalOf(c).role === "operator" ? { counters: await deps.trips.driverCounters(driverId) } : {}),
    } satisfies v.InferOutput<typeof DriverSchema>);
  });
}
