import { finalFare } from "../../shared/booking/final-fare.ts";
import { afterDrop, type Drop } from "../../shared/booking/state-machine.ts";
import type { bookingTimers } from "../../shared/db/schema.ts";
import type { ParsedBookingEvent } from "./booking-event.ts";
import type { LoadedBooking } from "./booking-store.ts";
import { type Cause, completedRecord, expiredRecord, reassigningRecord, statusNotification } from "./follow-ups.ts";
import type { Outcome, ReactionInput } from "./reactions.ts";

/* The reactions of the trip after the accept (reactions.ts decides when they apply): timers, drops, pricing. Pure, like react(). */

export function timer(type: string, eventId: string, data: { bookingId: string }, dueAt: number, e: ParsedBookingEvent, wave = 0) {
  return {
    eventId,
    bookingId: data.bookingId,
    type,
    wave,
    data: JSON.stringify(data),
    dueAt,
    correlationId: e.correlationId,
    firedAt: null,
  } satisfies typeof bookingTimers.$inferInsert;
}

export function requiredEta(input: ReactionInput): number {
  if (input.etaMs === undefined) throw new Error(`booking ${input.event.data.bookingId}: accept applied without an ETA`);
  return input.etaMs;
}

/**
 * A driver dropped the booking (cancelled after accepting, or missed the arrival
 * deadline): they are free again, never offered it again, and it counts against them;
 * the booking goes back to searching in a new round. Whether it is searched again or
 * expires is the worker's decision (state-machine.ts, afterDrop), published as an event.
 */
export function dropped(out: Outcome, b: LoadedBooking, drop: Drop, input: ReactionInput, cause: Cause): Outcome {
  const e = input.event;
  const round = b.round + 1;
  Object.assign(out.update!, {
    round,
    wave: 0,
    droppedDriverIds: JSON.stringify([...b.droppedDriverIds, drop.driverId]),
    arrivedAt: null,
    startedAt: null,
  });
  out.cancelTimers = true;
  out.geo.push({ driverId: drop.driverId, status: "available", vehicleType: b.vehicleType, changedAt: Date.parse(e.occurredAt) });
  const noShow = drop.reason === "driver-no-show";
  out.counter = { driverId: drop.driverId, cancelsAfterAccept: noShow ? 0 : 1, noShows: noShow ? 1 : 0 };
  out.outbox.push(
    statusNotification(b, { recipientId: drop.driverId, recipientType: "driver" }, "dropped", null, cause, { reason: drop.reason }),
  );
  const next = afterDrop(round, b.requestedAt, e.occurredAt, input.trip.reassign);
  out.outbox.push(
    next.kind === "reassign"
      ? reassigningRecord({ bookingId: b.bookingId, round, droppedDriverId: drop.driverId, reason: drop.reason }, cause)
      : expiredRecord({ bookingId: b.bookingId, reason: next.reason }, cause),
  );
  return out;
}

/** The driver asked to end the trip: the worker prices it from the trail and decides `booking.completed` with the fare. */
export function priceTrip(out: Outcome, b: LoadedBooking, input: ReactionInput, cause: Cause): void {
  if (!input.trail || !b.startedAt) throw new Error(`booking ${b.bookingId}: completion requested without a trail or a start`);
  const fare = finalFare({ vehicleType: b.vehicleType, surge: b.surge, arrivedAt: b.arrivedAt, startedAt: b.startedAt }, input.trail);
  out.outbox.push(completedRecord({ bookingId: b.bookingId, fare }, cause));
}
