import type { Hono } from "hono";
import * as v from "valibot";
import { DRIVER_STATUS_CHANGED, DriverIdSchema, DriverStatusSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { allow, requireSelf } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { publishEvent } from "../events/publish-event.ts";
import { limitBody } from "../http/body-limit.ts";
import { readJson, readParam } from "../http/read-json.ts";

const BodySchema = v.strictObject({ status: DriverStatusSchema, vehicleType: VehicleTypeSchema });

/** PUT /v1/drivers/{driverId}/status: drivers only, each as itself. */
export function registerDriverStatus(app: Hono, deps: Pick<GatewayDeps, "publisher" | "limits">): void {
  app.put("/v1/drivers/:driverId/status", allow("driver"), limitBody(4096), async (c) => {
    const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
    requireSelf(c, driverId, "driverId");
    const body = await readJson(c, BodySchema);
    const changedAt = new Date().toISOString();
    await publishEvent(
      c,
      deps.publisher,
      TOPICS.driverStatus,
      { type: DRIVER_STATUS_CHANGED, key: driverId, data: { driverId, ...body, changedAt } },
      deps.limits.publishTimeoutMs,
    );
    return c.json({ driverId, ...body, changedAt }, 202);
  });
}
