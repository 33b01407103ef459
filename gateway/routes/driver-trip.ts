import type { Hono } from "hono";
import * as v from "valibot";
import { BookingIdSchema, CustomerIdSchema, PlaceSchema } from "../../shared/events/booking.ts";
import { DriverIdSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { OrderIdSchema } from "../../shared/events/order.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { EtaViewSchema, etaFrom } from "../views/pickup-eta.ts";
import { BookingStatusSchema } from "./booking.ts";

const LegSchema = v.picklist(["pickup", "dropoff"]);

const DriverTripSchema = v.strictObject({
  driverId: DriverIdSchema,
  trip: v.nullable(
    v.strictObject({
      bookingId: BookingIdSchema,
      customerId: CustomerIdSchema,
      orderId: v.optional(OrderIdSchema),
      /** accepted, arrived or started. */
      status: BookingStatusSchema,
      vehicleType: VehicleTypeSchema,
      pickup: PlaceSchema,
      dropoff: PlaceSchema,
      /** The current leg's ETA from the driver's newest plausible position: to the pickup until the start, then to the drop-off; null when unknown. */
      eta: v.nullable(v.strictObject({ to: LegSchema, ...EtaViewSchema.entries })),
    }),
  ),
});

export const driverTripDoc = describeRoute({
  method: "get",
  path: "/v1/drivers/:driverId/trip",
  operationId: "getDriverTrip",
  tag: "Drivers",
  summary: "The trip a driver is on, with the ETA of its current leg",
  description: "The booking the driver holds from its accept until it completes, is cancelled or dropped; `trip: null` when none.",
  access: ["driver", "operator"],
  params: { driverId: DriverIdSchema },
  responses: { 200: { description: "The driver's current trip, or null", schema: DriverTripSchema } },
  problems: { 403: "a driver asked for another driver's trip" },
});

/**
 * GET /v1/drivers/{driverId}/trip: the booking the driver is on (accepted, arrived or
 * started) with the ETA of its current leg (to the pickup before the start, to the
 * drop-off after), or `trip: null`. For the driver itself and operators.
 */
export function registerDriverTrip(app: Hono, deps: Pick<GatewayDeps, "trip" | "geo" | "eta">): void {
  app.get(driverTripDoc.path, allow("driver", "operator"), async (c) => {
    const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
    requireSelfOrOperator(c, driverId, "driverId");
    const trip = await deps.trip(driverId);
    if (!trip) return c.json({ driverId, trip: null } satisfies v.InferOutput<typeof DriverTripSchema>);
    const leg = trip.status === "started" ? "dropoff" : "pickup";
    const eta = await etaFrom(deps, driverId, leg === "pickup" ? trip.pickup : trip.dropoff, trip.vehicleType);
    const { driverId: _, orderId, ...rest } = trip;
    return c.json({
      driverId,
      trip: { ...rest, ...(orderId === null ? {} : { orderId }), eta: eta && { to: leg, ...eta } },
    } satisfies v.InferOutput<typeof DriverTripSchema>);
  });
}
