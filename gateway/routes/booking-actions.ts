import type { Context, Hono } from "hono";
import * as v from "valibot";
import type { BookingDetails } from "../../shared/booking/booking-query.ts";
import { pickupCodeRefusal } from "../../shared/booking/state-machine.ts";
import { ValidationError } from "../../shared/errors/errors.ts";
import {
  BOOKING_ACCEPTED,
  BOOKING_CANCELLED,
  BOOKING_COMPLETION_REQUESTED,
  BOOKING_DRIVER_ARRIVED,
  BOOKING_STARTED,
  BookingIdSchema,
  CANCELLED_BY,
  PickupCodeSchema,
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
import { describeRoute, type RouteDoc } from "../openapi/route-doc.ts";
import { EventIdSchema, idempotencyKeyHeader, REPLAYED_HEADER } from "../openapi/shared-docs.ts";
import { publishDurably } from "../outbox/publish-durably.ts";

const MAX_BODY_BYTES = 4096;
/** `driverId` may be left out: the caller is the driver. When sent it must be the caller's own. */
const AcceptBodySchema = v.strictObject({ driverId: v.optional(DriverIdSchema) });
/** `by` follows from the caller's role; an operator cancels on behalf of one side and must say which. */
const CancelBodySchema = v.strictObject({
  by: v.optional(v.picklist(CANCELLED_BY)),
  reason: v.optional(FreeTextSchema(200)),
});
/** The customer's pickup code, as the driver typed it (required with PICKUP_CODE_REQUIRED). */
const StartBodySchema = v.strictObject({ pickupCode: v.optional(PickupCodeSchema) });

type Deps = Pick<GatewayDeps, "publisher" | "booking" | "idempotency" | "trips">;

type Action = {
  path: string;
  type: string;
  roles: Role[];
  summary: string;
  /** The body it reads; none: any body is ignored. */
  body?: v.GenericSchema;
  /** Problems of its own beyond those every action has (OpenAPI document). */
  problems?: Record<number, string>;
  /** Must the booking already be visible to the caller (its customer, its assigned driver, an operator)? */
  ownBookingOnly: boolean;
  /** The event's data from the body and the caller, checked before the booking is looked up. */
  data: (c: Context, deps: Deps) => Promise<Record<string, unknown>>;
  /** With the booking found: what the data still needs from it, or a ValidationError. */
  complete?: (c: Context, data: Record<string, unknown>, booking: BookingDetails, deps: Deps) => Record<string, unknown>;
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

/** A driver's cancel names the driver, so one that lands after the booking changed hands drops nobody else. */
function cancellingDriver(c: Context, data: Record<string, unknown>, booking: BookingDetails): Record<string, unknown> {
  if (data.by !== "driver") return data;
  const { role, sub } = principalOf(c);
  const driverId = role === "driver" ? sub : booking.driverId;
  return driverId ? { ...data, driverId } : data;
}

async function startData(c: Context, deps: Deps): Promise<Record<string, unknown>> {
  const { pickupCode } = await readJson(c, StartBodySchema);
  if (deps.trips.pickupCodeRequired && pickupCode === undefined)
    throw new ValidationError(
      "pickupCode is required",
      [{ field: "pickupCode", message: "the customer's 4-digit pickup code is required to start" }],
      400,
    );
  return pickupCode === undefined ? {} : { pickupCode };
}

/** The state machine's own rule, checked here too so the driver hears at once that the code is wrong. */
function checkPickupCode(_c: Context, data: Record<string, unknown>, booking: BookingDetails, deps: Deps): Record<string, unknown> {
  const refusal = pickupCodeRefusal(booking.pickupCode ?? null, data.pickupCode as string | undefined, deps.trips.pickupCodeRequired);
  if (refusal) throw new ValidationError("pickupCode is wrong", [{ field: "pickupCode", message: refusal }], 422);
  return data;
}

const ACTIONS: Action[] = [
  // Any driver may claim: whether it was offered the booking is the worker's call, in log order.
  {
    path: "accept",
    type: BOOKING_ACCEPTED,
    roles: ["driver"],
    summary: "Claim an offered booking (the first valid accept wins)",
    body: AcceptBodySchema,
    ownBookingOnly: false,
    data: acceptData,
    problems: { 403: "driverId is not the caller" },
  },
  // The assigned driver says they are at the pickup (the location worker also detects it from their fixes).
  {
    path: "arrive",
    type: BOOKING_DRIVER_ARRIVED,
    roles: ["driver"],
    summary: "Tell the customer the driver is at the pickup (the assigned driver)",
    ownBookingOnly: true,
    data: async (c) => ({ driverId: principalOf(c).sub, detectedBy: "driver" }),
  },
  {
    path: "start",
    type: BOOKING_STARTED,
    roles: ["driver"],
    summary: "Start the trip (the assigned driver), with the customer's pickup code",
    body: StartBodySchema,
    ownBookingOnly: true,
    data: startData,
    complete: checkPickupCode,
    problems: { 400: "pickupCode is missing while PICKUP_CODE_REQUIRED", 422: "pickupCode is not the booking's" },
  },
  // Completing says nothing beyond "now" (any body is ignored): the worker prices the trip and completes it.
  {
    path: "complete",
    type: BOOKING_COMPLETION_REQUESTED,
    roles: ["driver"],
    summary: "Complete the trip (the assigned driver); the booking worker prices it",
    ownBookingOnly: true,
    data: async () => ({}),
  },
  {
    path: "cancel",
    type: BOOKING_CANCELLED,
    roles: ["customer", "driver", "operator"],
    summary: "Cancel the booking (its customer, its assigned driver, or an operator on behalf of either)",
    body: CancelBodySchema,
    ownBookingOnly: true,
    data: cancelData,
    complete: cancellingDriver,
  },
];

/** Every action's problems and one action's own, a status's reasons joined. */
function withReasons(...lists: Record<number, string>[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const list of lists)
    for (const [status, reason] of Object.entries(list))
      out[Number(status)] = out[Number(status)] ? `${out[Number(status)]}; ${reason}` : reason;
  return out;
}

const ActionAcceptedSchema = v.strictObject({ bookingId: BookingIdSchema, eventId: EventIdSchema });

export const bookingActionDocs: RouteDoc[] = ACTIONS.map((a) =>
  describeRoute({
    method: "post",
    path: `/v1/bookings/:bookingId/${a.path}`,
    operationId: `${a.path}Booking`,
    tag: "Bookings",
    summary: a.summary,
    description:
      "A request, not a result: the booking worker judges it in log order, and GET /v1/bookings/{bookingId} shows the verdict in the timeline under `eventId`. Answered once the event is durable (acked, or in the gateway's outbox).",
    access: a.roles,
    params: { bookingId: BookingIdSchema },
    headers: idempotencyKeyHeader(false),
    ...(a.body && { body: a.body }),
    responses: { 202: { description: "Accepted for the booking worker to judge", schema: ActionAcceptedSchema, headers: REPLAYED_HEADER } },
    problems: withReasons(
      { 400: "Idempotency-Key is malformed", 422: "the Idempotency-Key was already used with another request" },
      a.ownBookingOnly ? { 404: "no booking of the caller's with this id has been processed yet (an accept shows within moments)" } : {},
      a.problems ?? {},
    ),
  }),
);

/**
 * POST /v1/bookings/{bookingId}/accept | arrive | start | complete | cancel → 202 {bookingId,
 * eventId} once the event is durable: acked by the log or, with the broker down or slow,
 * in the gateway's outbox (publish-durably.ts; an optional Idempotency-Key makes a retry
 * answer the first event). These are requests, not results: the booking
 * worker judges each in log order (a second driver's accept loses, completing before
 * starting is refused) and GET /v1/bookings/{id} shows the verdict in the timeline
 * under the same eventId.
 *
 * Who may ask: accept, any driver, as itself. Arrive, start and complete, only the driver
 * the history shows assigned; cancel, the booking's customer, its assigned driver or an
 * operator (who may cancel in which state, and what it costs, is the state machine's
 * CANCELLATION_RULES). `start` carries the customer's pickup code when one is required;
 * a code that does not match is a 422 naming pickupCode. `complete` publishes
 * `booking.completion-requested`: the worker prices the trip and completes it. Those checks read the history, so a booking the worker has not recorded yet
 * (or an accept not yet applied) is a 404 until it has — the same answer a stranger gets,
 * so ids cannot be probed. The events carry no caller beyond the accepting driver's id,
 * which is why the gateway checks before publishing.
 */
export function registerBookingActions(app: Hono, deps: Deps): void {
  for (const action of ACTIONS) {
    app.post(`/v1/bookings/:bookingId/${action.path}`, allow(...action.roles), limitBody(MAX_BODY_BYTES), async (c) => {
      const bookingId = readParam(c.req.param("bookingId"), BookingIdSchema, "bookingId");
      // The body first: whether it is valid says nothing about the booking.
      let data = { bookingId, ...(await action.data(c, deps)) };
      if (action.ownBookingOnly) {
        const booking = await deps.booking(bookingId);
        if (!booking || !canSeeBooking(principalOf(c), booking)) {
          return problem(c, 404, {
            title: "Booking not found",
            detail: `no booking ${bookingId} of yours has been processed (a booking just requested or accepted shows here within moments)`,
          });
        }
        if (action.complete) data = { bookingId, ...action.complete(c, data, booking, deps) };
      }
      const { eventId, replayed } = await publishDurably(c, deps, {
        operation: `bookings.${action.path}`,
        scope: principalOf(c).sub,
        topic: TOPICS.bookings,
        event: { type: action.type, key: bookingId, data },
      });
      if (replayed) c.header("idempotent-replayed", "true");
      return c.json({ bookingId, eventId } satisfies v.InferOutput<typeof ActionAcceptedSchema>, 202);
    });
  }
}
