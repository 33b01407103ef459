import type { Context, Hono } from "hono";
import * as v from "valibot";
import { ValidationError } from "../../shared/errors/errors.ts";
import {
  BOOKING_ACCEPTED,
  BOOKING_CANCELLED,
  BOOKING_COMPLETED,
  BOOKING_STARTED,
  BookingIdSchema,
  CANCELLED_BY,
} from "../../shared/events/booking.ts";
import { DriverIdSchema } from "../../shared/events/driver.ts";
import { FreeTextSchema } from "../../shared/events/free-text.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { allow, requireSelf } from "../auth/authorize.ts";
import { canSeeBooking } from "../auth/booking-access.ts";
import { principalOf, type Role } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { limitBody } from "../http/body-limit.ts";
import { problem } from "../http/problem.ts";
import { readJson, readParam } from "../http/read-json.ts";
import { publishDurably } from "../outbox/publish-durably.ts";

const MAX_BODY_BYTES = 4096;
/** `driverId` may be left out: the caller is the driver. When sent it must be the caller's own. */
const AcceptBodySchema = v.strictObject({ driverId: v.optional(DriverIdSchema) });
/** `by` follows from the caller's role; an operator cancels on behalf of one side and must say which. */
const CancelBodySchema = v.strictObject({
  by: v.optional(v.picklist(CANCELLED_BY)),
  reason: v.optional(FreeTextSchema(200)),
});

type Deps = Pick<GatewayDeps, "publisher" | "booking" | "idempotency">;

type Action = {
  path: string;
  type: string;
  roles: Role[];
  /** Must the booking already be visible to the caller (its customer, its assigned driver, an operator)? */
  ownBookingOnly: boolean;
  data: (c: Context) => Promise<Record<string, unknown>>;
};

async function acceptData(c: Context): Promise<Record<string, unknown>> {
  const { driverId } = await readJson(c, AcceptBodySchema);
  if (driverId !== undefined) requireSelf(c, driverId, "driverId");
  return { driverId: principalOf(c).sub };
}

async function cancelData(c: Context): Promise<Record<string, unknown>> {
  const { by, reason } = await readJson(c, CancelBodySchema);
  const { role } = principalOf(c);
  if (role === "operator") {
    if (!by)
      throw new ValidationError("by is required", [
        { field: "by", message: `an operator must say on whose behalf it cancels: ${CANCELLED_BY.join(" or ")}` },
      ]);
    return { by, ...(reason ? { reason } : {}) };
  }
  if (by !== undefined && by !== role)
    throw new ValidationError("by is not the caller's role", [
      { field: "by", message: `must be "${role}" (the caller's role) or left out` },
    ]);
  return { by: role, ...(reason ? { reason } : {}) };
}

const ACTIONS: Action[] = [
  // Any driver may claim: whether it was offered the booking is the worker's call, in log order.
  { path: "accept", type: BOOKING_ACCEPTED, roles: ["driver"], ownBookingOnly: false, data: acceptData },
  // Starting and completing say nothing beyond "now": any body is ignored.
  { path: "start", type: BOOKING_STARTED, roles: ["driver"], ownBookingOnly: true, data: async () => ({}) },
  { path: "complete", type: BOOKING_COMPLETED, roles: ["driver"], ownBookingOnly: true, data: async () => ({}) },
  { path: "cancel", type: BOOKING_CANCELLED, roles: ["customer", "driver", "operator"], ownBookingOnly: true, data: cancelData },
];

/**
 * POST /v1/bookings/{bookingId}/accept | start | complete | cancel → 202 {bookingId,
 * eventId} once the event is durable: acked by the log or, with the broker down or slow,
 * in the gateway's outbox (publish-durably.ts; an optional Idempotency-Key makes a retry
 * answer the first event). These are requests, not results: the booking
 * worker judges each in log order (a second driver's accept loses, completing before
 * starting is refused) and GET /v1/bookings/{id} shows the verdict in the timeline
 * under the same eventId.
 *
 * Who may ask: accept, any driver, as itself. Start and complete, only the driver the
 * history shows assigned; cancel, the booking's customer, its assigned driver or an
 * operator. Those checks read the history, so a booking the worker has not recorded yet
 * (or an accept not yet applied) is a 404 until it has — the same answer a stranger gets,
 * so ids cannot be probed. The events carry no caller beyond the accepting driver's id,
 * which is why the gateway checks before publishing.
 */
export function registerBookingActions(app: Hono, deps: Deps): void {
  for (const action of ACTIONS) {
    app.post(`/v1/bookings/:bookingId/${action.path}`, allow(...action.roles), limitBody(MAX_BODY_BYTES), async (c) => {
      const bookingId = readParam(c.req.param("bookingId"), BookingIdSchema, "bookingId");
      // The body first: whether it is valid says nothing about the booking.
      const data = { bookingId, ...(await action.data(c)) };
      if (action.ownBookingOnly) {
        const booking = await deps.booking(bookingId);
        if (!booking || !canSeeBooking(principalOf(c), booking)) {
          return problem(c, 404, {
            title: "Booking not found",
            detail: `no booking ${bookingId} of yours has been processed (a booking just requested or accepted shows here within moments)`,
          });
        }
      }
      const { eventId, replayed } = await publishDurably(c, deps, {
        operation: `bookings.${action.path}`,
        scope: principalOf(c).sub,
        topic: TOPICS.bookings,
        event: { type: action.type, key: bookingId, data },
      });
      if (replayed) c.header("idempotent-replayed", "true");
      return c.json({ bookingId, eventId }, 202);
    });
  }
}
