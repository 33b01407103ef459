import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { estimateFare } from "../../shared/booking/fare.ts";
import { bookingIdForRequest, requestedEventId } from "../../shared/booking/ids.ts";
import { BOOKING_REQUESTED, CustomerIdSchema, PlaceSchema, type BookingRequested } from "../../shared/events/booking.ts";
import { VehicleTypeSchema } from "../../shared/events/driver.ts";
import { createEnvelope, envelopeHeaders, type Envelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { ValidationError } from "../../shared/errors/errors.ts";
import type { GatewayDeps } from "../deps.ts";
import { readJson } from "../http/read-json.ts";
import { IDEMPOTENCY_HEADER, readIdempotencyKey } from "../idempotency/idempotency-key.ts";
import { fingerprintOf } from "../idempotency/idempotency-store.ts";

const MAX_BODY_BYTES = 8 * 1024;
const OPERATION = "bookings.create";

const BookingRequestSchema = v.strictObject({ customerId: CustomerIdSchema, pickup: PlaceSchema, dropoff: PlaceSchema, vehicleType: VehicleTypeSchema });

/**
 * POST /v1/bookings with a required Idempotency-Key → 202 {bookingId, status:"searching",
 * fareEstimate} once `booking.requested` is durable in the log.
 *
 * The booking id and the event id are UUIDv5 of (customerId, key) (shared/booking/ids.ts),
 * and the first request's response and event are stored under (customerId, key) with a
 * hash of its body (gateway/idempotency/). So a retry — after a timeout, a 503, a crash
 * anywhere — answers the first response and publishes the stored event again, byte for
 * byte: if the first publish never landed this one does, and if it did, the booking
 * worker skips the duplicate id. The same key with a different body is a 422 and
 * publishes nothing. Storing before publishing means no retry can ever see a key whose
 * event differs from what was answered.
 */
export function registerBookings(app: Hono, deps: Pick<GatewayDeps, "publisher" | "idempotency">): void {
  app.post(
    "/v1/bookings",
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ValidationError("body is too large", [{ field: "(body)", message: `must be at most ${MAX_BODY_BYTES} bytes` }], 413); } }),
    async (c) => {
      const key = readIdempotencyKey(c);
      const body = await readJson(c, BookingRequestSchema);
      const bookingId = bookingIdForRequest(body.customerId, key);
      const fareEstimate = estimateFare(body);
      const data: BookingRequested = { bookingId, ...body, fareEstimate };
      const event = createEnvelope({ id: requestedEventId(bookingId), type: BOOKING_REQUESTED, key: bookingId, data, source: "gateway", correlationId: c.get("requestId") });
      const remembered = await deps.idempotency.remember({
        operation: OPERATION,
        scope: body.customerId,
        key,
        fingerprint: await fingerprintOf(body),
        response: { bookingId, status: "searching", fareEstimate },
        event,
      });
      if (remembered.kind === "conflict") {
        throw new ValidationError(`${IDEMPOTENCY_HEADER} was already used with a different body`, [{ field: IDEMPOTENCY_HEADER, message: "was already used by this customer for a different booking request; use a new key" }], 422);
      }
      const stored = remembered.event as Envelope;
      await deps.publisher.publish([{ topic: TOPICS.bookings, key: stored.key, value: JSON.stringify(stored), headers: envelopeHeaders(stored) }]);
      if (remembered.kind === "replay") c.header("idempotent-replayed", "true");
      return c.json(remembered.response as object, 202);
    },
  );
}
