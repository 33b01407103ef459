import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { BOOKING_ACCEPTED, BOOKING_CANCELLED, BOOKING_COMPLETED, BOOKING_STARTED, BookingIdSchema, CANCELLED_BY } from "../../shared/events/booking.ts";
import { DriverIdSchema } from "../../shared/events/driver.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { ValidationError } from "../../shared/errors/errors.ts";
import type { GatewayDeps } from "../deps.ts";
import { publishEvent } from "../events/publish-event.ts";
import { readJson, readParam } from "../http/read-json.ts";

const MAX_BODY_BYTES = 4096;
const AcceptBodySchema = v.strictObject({ driverId: DriverIdSchema });
const CancelBodySchema = v.strictObject({ by: v.picklist(CANCELLED_BY), reason: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))) });

type Action = { path: string; type: string; data: (c: Context) => Promise<Record<string, unknown>> };

const ACTIONS: Action[] = [
  { path: "accept", type: BOOKING_ACCEPTED, data: (c) => readJson(c, AcceptBodySchema) },
  // Starting and completing say nothing beyond "now": any body is ignored.
  { path: "start", type: BOOKING_STARTED, data: async () => ({}) },
  { path: "complete", type: BOOKING_COMPLETED, data: async () => ({}) },
  { path: "cancel", type: BOOKING_CANCELLED, data: (c) => readJson(c, CancelBodySchema) },
];

/**
 * POST /v1/bookings/{bookingId}/accept | start | complete | cancel → 202 {bookingId,
 * eventId} once the event is durable. These are requests, not results: the booking
 * worker judges each in log order (a second driver's accept loses, completing before
 * starting is refused) and GET /v1/bookings/{id} shows the verdict in the timeline
 * under the same eventId. The gateway does not check the booking's state first: a
 * booking just requested may not be in the history yet, and only the worker sees the
 * log in order.
 */
export function registerBookingActions(app: Hono, deps: Pick<GatewayDeps, "publisher">): void {
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ValidationError("body is too large", [{ field: "(body)", message: `must be at most ${MAX_BODY_BYTES} bytes` }], 413); } });
  for (const action of ACTIONS) {
    app.post(`/v1/bookings/:bookingId/${action.path}`, limit, async (c) => {
      const bookingId = readParam(c.req.param("bookingId"), BookingIdSchema, "bookingId");
      const data = { bookingId, ...(await action.data(c)) };
      const event = await publishEvent(c, deps.publisher, TOPICS.bookings, { type: action.type, key: bookingId, data });
      return c.json({ bookingId, eventId: event.id }, 202);
    });
  }
}
