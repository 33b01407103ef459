import type { Hono } from "hono";
import { DriverIdSchema } from "../../shared/events/driver.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { readParam } from "../http/read-json.ts";
import { etaFrom } from "../views/pickup-eta.ts";

/**
 * GET /v1/drivers/{driverId}/trip: the booking the driver is on (accepted or started)
 * with the ETA of its current leg (to the pickup before the start, to the drop-off
 * after), or `trip: null`. For the driver itself and operators.
 */
export function registerDriverTrip(app: Hono, deps: Pick<GatewayDeps, "trip" | "geo" | "eta">): void {
  app.get("/v1/drivers/:driverId/trip", allow("driver", "operator"), async (c) => {
    const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
    requireSelfOrOperator(c, driverId, "driverId");
    const trip = await deps.trip(driverId);
    if (!trip) return c.json({ driverId, trip: null });
    const leg = trip.status === "started" ? "dropoff" : "pickup";
    const eta = await etaFrom(deps, driverId, leg === "pickup" ? trip.pickup : trip.dropoff, trip.vehicleType);
    const { driverId: _, orderId, ...rest } = trip;
    return c.json({ driverId, trip: { ...rest, ...(orderId === null ? {} : { orderId }), eta: eta && { to: leg, ...eta } } });
  });
}
