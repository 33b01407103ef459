import type { Hono } from "hono";
import { DriverIdSchema } from "../../shared/events/driver.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { readParam } from "../http/read-json.ts";
import { etaFrom } from "../views/pickup-eta.ts";

/**
 * GET /v1/drivers/{driverId}/offers: the offers the driver holds on bookings still
 * searching, each with pickup, drop-off, fare estimate, its wave's expiry and the
 * driver's distance and ETA to the pickup; so a driver whose push was lost can poll.
 * For the driver itself and operators.
 */
export function registerDriverOffers(app: Hono, deps: Pick<GatewayDeps, "offers" | "geo" | "eta">): void {
  app.get("/v1/drivers/:driverId/offers", allow("driver", "operator"), async (c) => {
    const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
    requireSelfOrOperator(c, driverId, "driverId");
    const offers = await deps.offers(driverId);
    const withEta = await Promise.all(
      offers.map(async (o) => ({ ...o, pickupEta: await etaFrom(deps, driverId, o.pickup, o.vehicleType) })),
    );
    return c.json({ driverId, offers: withEta });
  });
}
