import type { Hono } from "hono";
import * as v from "valibot";
import { estimateFare } from "../../shared/booking/fare.ts";
import { bookingIdForRequest, requestedEventId } from "../../shared/booking/ids.ts";
import { ValidationError } from "../../shared/errors/errors.ts";
import {
  BOOKING_REQUESTED,
  BookingIdSchema,
  type BookingRequested,
  CustomerIdSchema,
  FareSchema,
  PickupCodeSchema,
  PlaceSchema,
} from "../../shared/events/booking.ts";
import { VehicleTypeSchema } from "../../shared/events/driver.ts";
import { createEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { allow, requireSelf } from "../auth/authorize.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { outgoingRecord } from "../events/outgoing-record.ts";
import { limitBody } from "../http/body-limit.ts";
import { readJson } from "../http/read-json.ts";
import { IDEMPOTENCY_HEADER, readIdempotencyKey } from "../idempotency/idempotency-key.ts";
import { fingerprintOf } from "../idempotency/idempotency-store.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { idempotencyKeyHeader, REPLAYED_HEADER } from "../openapi/shared-docs.ts";
import { deliver } from "../outbox/deliver.ts";
import { newPickupCode } from "../pricing/pickup-code.ts";
import { quoteSurge } from "../pricing/surge-quote.ts";

const MAX_BODY_BYTES = 8 * 1024;
const OPERATION = "bookings.create";

/** `customerId` may be left out: the caller is the customer. When sent it must be the caller's own. */
const BookingRequestSchema = v.strictObject({
  customerId: v.optional(CustomerIdSchema),
  pickup: PlaceSchema,
  dropoff: PlaceSchema,
  vehicleType: VehicleTypeSchema,
});

const CreatedSchema = v.strictObject({
  bookingId: BookingIdSchema,
  status: v.literal("searching"),
  fareEstimate: FareSchema,
  /** The pickup zone's surge multiplier the estimate used (locked for the final fare). */
  surge: v.number(),
  /** The code the customer gives the driver at pickup. */
  pickupCode: PickupCodeSchema,
});

export const bookingsDoc = describeRoute({
  method: "post",
  path: "/v1/bookings",
  operationId: "requestBooking",
  tag: "Bookings",
  summary: "Book a ride or a truck",
  description:
    "The customer is the token's (`customerId`, if sent, must match). Answered once `booking.requested` is durable (acked by the broker, or in the gateway's outbox while the broker is down). The booking id derives from (customer, Idempotency-Key), so a retry gets the same answer.",
  access: ["customer"],
  headers: idempotencyKeyHeader(true),
  body: BookingRequestSchema,
  responses: { 202: { description: "Accepted: matching starts", schema: CreatedSchema, headers: REPLAYED_HEADER } },
  problems: {
    400: "Idempotency-Key is missing or malformed",
    403: "customerId is not the caller",
    422: "the Idempotency-Key was already used with another body",
  },
});

/**
 * POST /v1/bookings (customers, as the token's sub) with a required Idempotency-Key → 202
 * {bookingId, status:"searching", fareEstimate, surge, pickupCode} once `booking.requested`
 * is durable: acked by the log, or, when the
 * broker fails or takes longer than the publish timeout, in the gateway's outbox, from
 * which the relay publishes it (gateway/outbox/; docs/architecture.md, delivery guarantees).
 *
 * The booking id and the event id are UUIDv5 of (customerId, key) (shared/booking/ids.ts),
 * and the first request's response and event are stored under (customerId, key) with a
 * hash of its body, the event's record in the outbox in the same transaction
 * (gateway/idempotency/). So a retry — after a timeout, a 503, a crash anywhere —
 * answers the first response, and the stored record is published once acked, never
 * added twice. The same key with a different body is a 422 and publishes nothing.
 *
 * The estimate uses the pickup zone's surge multiplier now (gateway/pricing/), which the
 * event carries so the final fare uses the same. A surge store that does not answer
 * within its timeout does not stop the booking: it is quoted at SURGE_FLOOR, and the
 * gateway logs it.
 */
export function registerBookings(app: Hono, deps: Pick<GatewayDeps, "publisher" | "idempotency" | "trips" | "logger">): void {
  app.post(bookingsDoc.path, allow("customer"), limitBody(MAX_BODY_BYTES), async (c) => {
    const key = readIdempotencyKey(c);
    const { customerId: claimed, ...request } = await readJson(c, BookingRequestSchema);
    if (claimed !== undefined) requireSelf(c, claimed, "customerId");
    // The same request with or without customerId is the same request (and fingerprint).
    const body = { customerId: principalOf(c).sub, ...request };
    const bookingId = bookingIdForRequest(body.customerId, key);
    const surge = await surgeAt(deps, body.pickup, body.vehicleType, c.get("requestId"));
    const fareEstimate = estimateFare({ ...body, surge });
    const pickupCode = newPickupCode();
    const data: BookingRequested = { bookingId, ...body, fareEstimate, surge, pickupCode };
    const event = createEnvelope({
      id: requestedEventId(bookingId),
      type: BOOKING_REQUESTED,
      key: bookingId,
      data,
      source: "gateway",
      correlationId: c.get("requestId"),
    });
    const remembered = await deps.idempotency.remember({
      operation: OPERATION,
      scope: body.customerId,
      key,
      fingerprint: await fingerprintOf(body),
      response: { bookingId, status: "searching", fareEstimate, surge, pickupCode } satisfies v.InferOutput<typeof CreatedSchema>,
      record: outgoingRecord(TOPICS.bookings, event),
    });
    if (remembered.kind === "conflict") {
      throw new ValidationError(
        `${IDEMPOTENCY_HEADER} was already used with a different body`,
        [{ field: IDEMPOTENCY_HEADER, message: "was already used by this customer for a different booking request; use a new key" }],
        422,
      );
    }
    await deliver(remembered, { publisher: deps.publisher, outbox: deps.idempotency.outbox });
    if (remembered.kind === "replay") c.header("idempotent-replayed", "true");
    return c.json(remembered.response as object, 202);
  });
}

async function surgeAt(
  deps: Pick<GatewayDeps, "trips" | "logger">,
  at: { lat: number; lng: number },
  vehicleType: BookingRequested["vehicleType"],
  requestId: string,
): Promise<number> {
  try {
    return (await quoteSurge(deps.trips.surge, at.lat, at.lng, vehicleType)).multiplier;
  } catch (err) {
    deps.logger.warn("surge unavailable: quoting the floor", { requestId, error: (err as Error).message });
    return deps.trips.surge.floor;
  }
}
