import type { Hono } from "hono";
import * as v from "valibot";
import { DRIVER_STATUS_CHANGED, DriverIdSchema, DriverStatusSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { allow, requireSelf } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { publishEvent } from "../events/publish-event.ts";
import { limitBody } from "../http/body-limit.ts";
import { readJson, readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema, PUBLISH_UNAVAILABLE } from "../openapi/shared-docs.ts";

const BodySchema = v.strictObject({ status: DriverStatusSchema, vehicleType: VehicleTypeSchema });

const ChangedSchema = v.strictObject({ driverId: DriverIdSchema, ...BodySchema.entries, changedAt: IsoTimestampSchema });

export const driverStatusDoc = describeRoute({
  method: "put",
  path: "/v1/drivers/:driverId/status",
  operationId: "setDriverStatus",
  tag: "Drivers",
  summary: "Set the driver's status and vehicle type",
  description:
    "Only an available driver with a fresh, plausible fix is found by nearby search and matching. Answered once the broker acked it.",
  access: ["driver"],
  params: { driverId: DriverIdSchema },
  body: BodySchema,
  responses: { 202: { description: "Published, with the time the gateway stamped on the change", schema: ChangedSchema } },
  problems: { 403: "driverId is not the caller", 503: PUBLISH_UNAVAILABLE },
});

/** PUT /v1/drivers/{driverId}/status: drivers only, each as itself. */
export function registerDriverStatus(app: Hono, deps: Pick<GatewayDeps, "publisher" | "limits">): void {
  app.put(driverStatusDoc.path, allow("driver"), limitBody(4096), async (c) => {
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
    return c.json({ driverId, ...body, changedAt } satisfies v.InferOutput<typeof ChangedSchema>, 202);
  });
}
