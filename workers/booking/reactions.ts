import { placeColumns } from "../../shared/booking/active-trips.ts";
import { cancellationFee } from "../../shared/booking/fare.ts";
import { arrivalDueEventId, waitDueEventId, waveDueEventId } from "../../shared/booking/ids.ts";
import { type RefusalCode, SEARCHING } from "../../shared/booking/state-machine.ts";
import {
  type AcceptRejectReason,
  BOOKING_ARRIVAL_DUE,
  BOOKING_WAIT_DUE,
  BOOKING_WAVE_DUE,
  type BookingRequested,
} from "../../shared/events/booking.ts";
import type { LoadedBooking, Outcome, ReactionInput } from "./booking-model.ts";
import {
  acceptRejectedNotification,
  acceptRejectedRecord,
  type Cause,
  expiredRecord,
  offeredRecord,
  offerNotifications,
  statusNotification,
  withdrawnNotifications,
} from "./follow-ups.ts";
import { dropped, priceTrip, requiredEta, timer } from "./trip-reactions.ts";

const ACCEPT_REJECT_REASON: Partial<Record<RefusalCode, AcceptRejectReason>> = {
  taken: "taken",
  "not-offered": "not-offered",
  closed: "closed",
  "unknown-booking": "unknown-booking",
  "driver-busy": "driver-busy",
  dropped: "dropped",
};

/**
 * What the worker does about one event, given the booking before it and the state
 * machine's verdict: a pure function, so every rule of the flow is testable without a
 * database, a log or a geo index.
 *
 * The booking's state changes only by applying events from the log; what the worker
 * decides (the next wave, an expiry, a refused accept, a reassignment, the final fare)
 * it publishes as an event and applies when that comes back. So the log alone rebuilds
 * every booking: a replay decides again (the geo index and the trail have moved on) but
 * under the ids of the original decisions, which the log already holds, so only the
 * originals apply. What follows from the booking and the event alone (a fee from the
 * tariff, a counter) is computed where it applies.
 */
export function react(input: ReactionInput): Outcome {
  const { event: e, verdict, now } = input;
  const cause: Cause = { eventId: e.id, correlationId: e.correlationId, now };
  const out: Outcome = {
    audit: {
      eventId: e.id,
      bookingId: e.data.bookingId,
      type: e.type,
      occurredAt: e.occurredAt,
      applied: verdict.ok,
      reason: verdict.ok ? null : verdict.reason,
      data: JSON.stringify(e.data),
    },
    cancelTimers: false,
    outbox: [],
    geo: [],
  };
  if (e.type === "booking.accept-rejected") {
    // The notice reaches the driver whatever state the booking is in now.
    out.outbox.push(acceptRejectedNotification(e.data.bookingId, e.data.driverId, e.data.reason, cause));
  }
  if (!verdict.ok) {
    const reason = ACCEPT_REJECT_REASON[verdict.code];
    if (e.type === "booking.accepted" && reason)
      out.outbox.push(acceptRejectedRecord({ bookingId: e.data.bookingId, driverId: e.data.driverId, reason }, cause));
    return out;
  }
  if (e.type === "booking.requested") return requested(out, e.data, input, cause);

  const b = input.before!;
  out.update = { status: verdict.status, driverId: verdict.driverId, updatedAt: e.occurredAt };
  if (verdict.drop) return dropped(out, b, verdict.drop, input, cause);
  const changedAt = Date.parse(e.occurredAt);
  // Leaving the search ends every offer still standing: the drivers who were offered it and did not win are told.
  if (SEARCHING.includes(b.status) && !SEARCHING.includes(verdict.status)) {
    const others = b.roundOfferedDriverIds.filter((d) => d !== verdict.driverId);
    const why = verdict.status === "accepted" ? "taken" : verdict.status === "expired" ? "expired" : "cancelled";
    out.outbox.push(...withdrawnNotifications(b, others, why, cause));
  }
  const tell = (to: "customer" | "driver", details: Record<string, unknown> = {}, status: string = verdict.status) => {
    const recipientId = to === "customer" ? b.customerId : (b.driverId ?? verdict.driverId);
    if (recipientId) out.outbox.push(statusNotification(b, { recipientId, recipientType: to }, status, verdict.driverId, cause, details));
  };
  const freeDriver = () => {
    if (b.driverId) out.geo.push({ driverId: b.driverId, status: "available", vehicleType: b.vehicleType, changedAt });
  };
  switch (e.type) {
    case "booking.wave-due":
      applyPlan(out, b, input, b.roundOfferedDriverIds.length, cause);
      break;
    case "booking.reassigning":
      out.update.wave = 0;
      tell("customer", { reason: e.data.reason, round: e.data.round }, "reassigning");
      applyPlan(out, b, input, 0, cause);
      break;
    case "booking.offered": {
      // The wave's offers, and the timer that ends it, come from the event: a replay rebuilds them from the log.
      const round = e.data.round ?? 0;
      out.update.wave = e.data.wave;
      out.offers = { wave: e.data.wave, round, driverIds: e.data.driverIds };
      const data = round === 0 ? { bookingId: b.bookingId, wave: e.data.wave } : { bookingId: b.bookingId, wave: e.data.wave, round };
      out.timer = timer(
        BOOKING_WAVE_DUE,
        waveDueEventId(b.bookingId, e.data.wave, round),
        data,
        Date.parse(e.data.expiresAt),
        e,
        e.data.wave,
      );
      out.outbox.push(...offerNotifications(b, e.data, cause, input.offerEtas));
      break;
    }
    case "booking.accepted": {
      out.cancelTimers = true;
      out.geo.push({ driverId: e.data.driverId, status: "busy", vehicleType: b.vehicleType, changedAt });
      // The arrival deadline runs from the accept as the log dates it, so a backlog does not shorten it.
      const dueAt = changedAt + requiredEta(input) + input.trip.arrivalGraceMs;
      const data = { bookingId: b.bookingId, driverId: e.data.driverId };
      out.timer = timer(BOOKING_ARRIVAL_DUE, arrivalDueEventId(b.bookingId, e.data.driverId), data, dueAt, e);
      tell("customer", { arriveBy: new Date(dueAt).toISOString() });
      break;
    }
    case "booking.driver-arrived": {
      out.update.arrivedAt = e.occurredAt;
      out.cancelTimers = true;
      const data = { bookingId: b.bookingId, driverId: e.data.driverId };
      out.timer = timer(BOOKING_WAIT_DUE, waitDueEventId(b.bookingId, e.data.driverId), data, changedAt + input.trip.waitLimitMs, e);
      tell("customer", { detectedBy: e.data.detectedBy });
      break;
    }
    case "booking.started":
      out.update.startedAt = e.occurredAt;
      out.cancelTimers = true;
      tell("customer");
      break;
    case "booking.completion-requested":
      priceTrip(out, b, input, cause);
      break;
    case "booking.completed":
      if (e.data.fare) out.update.finalFare = JSON.stringify(e.data.fare);
      freeDriver();
      tell("customer", e.data.fare ? { fare: e.data.fare } : {});
      break;
    case "booking.wait-due":
    case "booking.cancelled": {
      out.cancelTimers = true;
      const noShow = e.type === "booking.wait-due";
      const fee = verdict.fee ? cancellationFee(b.vehicleType) : null;
      out.update.cancelledBy = noShow ? "system" : e.data.by;
      out.update.endReason = noShow ? "customer-no-show" : (e.data.reason ?? null);
      out.update.feeAmount = fee?.amount ?? null;
      const details = { ...(out.update.endReason ? { reason: out.update.endReason } : {}), ...(fee ? { fee } : {}) };
      freeDriver();
      tell("driver", details);
      tell("customer", details);
      break;
    }
    case "booking.expired":
      out.cancelTimers = true;
      out.update.endReason = e.data.reason;
      tell("customer", { reason: e.data.reason });
      break;
  }
  return out;
}

function requested(out: Outcome, d: BookingRequested, input: ReactionInput, cause: Cause): Outcome {
  out.insert = {
    bookingId: d.bookingId,
    customerId: d.customerId,
    orderId: d.orderId ?? null,
    vehicleType: d.vehicleType,
    ...placeColumns(d.pickup, d.dropoff),
    fareAmount: d.fareEstimate.amount,
    fareCurrency: d.fareEstimate.currency,
    surgeMultiplier: d.surge ?? 1,
    pickupCode: d.pickupCode ?? null,
    status: "requested",
    driverId: null,
    wave: 0,
    round: 0,
    droppedDriverIds: "[]",
    version: 1,
    correlationId: input.event.correlationId,
    requestedAt: input.event.occurredAt,
    updatedAt: input.event.occurredAt,
  };
  applyPlan(out, { bookingId: d.bookingId, round: 0 }, input, 0, cause);
  return out;
}

/** The decision a plan calls for: the next wave's `booking.offered`, or with no step left the expiry. */
function applyPlan(
  out: Outcome,
  b: Pick<LoadedBooking, "bookingId" | "round">,
  input: ReactionInput,
  offeredSoFar: number,
  cause: Cause,
): void {
  const plan = input.plan;
  if (!plan) throw new Error(`booking ${b.bookingId}: ${input.event.type} applied without a wave plan`);
  if (plan.kind === "exhausted") {
    out.outbox.push(expiredRecord({ bookingId: b.bookingId, reason: offeredSoFar > 0 ? "no-acceptance" : "no-drivers" }, cause));
    return;
  }
  const expiresAt = new Date(input.now + input.waves.offerTtlMs).toISOString();
  const offer = { bookingId: b.bookingId, wave: plan.wave, driverIds: plan.driverIds, radiusM: plan.radiusM, expiresAt };
  out.outbox.push(offeredRecord(b.round === 0 ? offer : { ...offer, round: b.round }, cause));
}
