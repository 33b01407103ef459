import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { DRIVER_STATUS_CHANGED, DriverIdSchema, DriverStatusSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { ValidationError } from "../../shared/errors/errors.ts";
import type { GatewayDeps } from "../deps.ts";
import { publishEvent } from "../events/publish-event.ts";
import { readJson, readParam } from "../http/read-json.ts";

const BodySchema = v.strictObject({ status: DriverStatusSchema, vehicleType: VehicleTypeSchema });

export function registerDriverStatus(app: Hono, deps: Pick<GatewayDeps, "publisher">): void {
  app.put(
    "/v1/drivers/:driverId/status",
    bodyLimit({ maxSize: 4096, onError: () => { throw new ValidationError("body is too large", [{ field: "(body)", message: "must be at most 4096 bytes" }], 413); } }),
    async (c) => {
      const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
      const body = await readJson(c, BodySchema);
      const changedAt = new Date().toISOString();
      await publishEvent(c, deps.publisher, TOPICS.driverStatus, { type: DRIVER_STATUS_CHANGED, key: driverId, data: { driverId, ...body, changedAt } });
      return c.json({ driverId, ...body, changedAt }, 202);
    },
  );
}
