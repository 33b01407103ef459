import type { Hono } from "hono";
import * as v from "valibot";
import { BookingIdSchema, FareSchema, PlaceSchema } from "../../shared/events/booking.ts";
import { DriverIdSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { OrderIdSchema } from "../../shared/events/order.ts";
import { allow, requireSelfOrOperator } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";
import { EtaViewSchema, etaFrom } from "../views/pickup-eta.ts";

/** An offer a driver holds on a booking still searching: what it needs to decide. */
export const StandingOfferSchema = v.strictObject({
  bookingId: BookingIdSchema,
  /** The order the booking is a truck of. */
  orderId: v.optional(OrderIdSchema),
  vehicleType: VehicleTypeSchema,
  pickup: PlaceSchema,
  dropoff: PlaceSchema,
  fareEstimate: FareSchema,
  wave: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** When the driver's wave runs out; later waves may still let it accept until the search ends. */
  expiresAt: IsoTimestampSchema,
  /** The driver's distance and ETA to the pickup from its newest plausible position; null when unknown. */
  pickupEta: v.nullable(EtaViewSchema),
});

const OffersSchema = v.strictObject({ driverId: DriverIdSchema, offers: v.array(StandingOfferSchema) });

export const driverOffersDoc = describeRoute({
  method: "get",
  path: "/v1/drivers/:driverId/offers",
  operationId: "listDriverOffers",
  tag: "Drivers",
  summary: "The offers a driver holds on bookings still searching",
  description:
    "Newest wave first. An offer leaves the list once the booking is taken, cancelled or expires (the driver is also sent `offer.withdrawn`), so a driver whose push was lost can recover it by polling.",
  access: ["driver", "operator"],
  params: { driverId: DriverIdSchema },
  responses: { 200: { description: "The driver's standing offers (maybe none)", schema: OffersSchema } },
  problems: { 403: "a driver asked for another driver's offers" },
});

/**
 * GET /v1/drivers/{driverId}/offers: the offers the driver holds on bookings still
 * searching, each with pickup, drop-off, fare estimate, its wave's expiry and the
 * driver's distance and ETA to the pickup; so a driver whose push was lost can poll.
 * For the driver itself and operators.
 */
export function registerDriverOffers(app: Hono, deps: Pick<GatewayDeps, "offers" | "geo" | "eta">): void {
  app.get(driverOffersDoc.path, allow("driver", "operator"), async (c) => {
    const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
    requireSelfOrOperator(c, driverId, "driverId");
    const offers = await deps.offers(driverId);
    const withEta = await Promise.all(
      offers.map(async (o) => ({ ...o, pickupEta: await etaFrom(deps, driverId, o.pickup, o.vehicleType) })),
    );
    return c.json({ driverId, offers: withEta } satisfies v.InferOutput<typeof OffersSchema>);
  });
}
