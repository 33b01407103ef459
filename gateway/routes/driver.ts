import type { Hono } from "hono";
import { DriverIdSchema } from "../../shared/events/driver.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";

/**
 * A driver's current status, vehicle type and newest plausible fix, as the geo index
 * knows them, and whether its newest fix was implausible (`suspect`: out of nearby
 * search and matching until a plausible fix arrives): for the driver itself and operators.
 * Operators also see what counts against the driver (`counters`: bookings cancelled
 * after accepting, arrival deadlines missed).
 */
export function registerDriver(app: Hono, deps: Pick<GatewayDeps, "geo" | "trips">): void {
  app.get("/v1/drivers/:driverId", allow("driver", "operator"), async (c) => {
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
    });
  });
}
