import { waveDueEventId } from "../../shared/booking/ids.ts";
import type { RefusalCode, Verdict } from "../../shared/booking/state-machine.ts";
import type { WavePlan, WaveSettings } from "../../shared/booking/waves.ts";
import type { bookings, bookingTimers } from "../../shared/db/schema.ts";
import type { Eta } from "../../shared/eta/eta-estimator.ts";
import { type AcceptRejectReason, BOOKING_WAVE_DUE, type BookingRequested } from "../../shared/events/booking.ts";
import type { StatusUpdate } from "../../shared/geo/geo-index.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";
import type { ParsedBookingEvent } from "./booking-event.ts";
import type { LoadedBooking } from "./booking-store.ts";
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

/** Everything one event changes; written in one transaction (booking-store.ts), except `geo`. */
export interface Outcome {
  audit: { eventId: string; bookingId: string; type: string; occurredAt: string; applied: boolean; reason: string | null; data: string };
  insert?: typeof bookings.$inferInsert;
  update?: { status: LoadedBooking["status"]; driverId: string | null; wave: number; updatedAt: string };
  offers?: { wave: number; driverIds: string[] };
  timer?: typeof bookingTimers.$inferInsert;
  cancelTimers: boolean;
  /** Follow-up records, published after the commit (outbox.ts). */
  outbox: OutgoingRecord[];
  /** Driver availability, written before the transaction: idempotent (ordered by changedAt), so a retry repeats it harmlessly. */
  geo: StatusUpdate[];
}

export interface ReactionInput {
  before: LoadedBooking | null;
  event: ParsedBookingEvent;
  verdict: Verdict;
  /** The next wave, planned when the verdict applies a `booking.requested` or `booking.wave-due`. */
  plan?: WavePlan;
  waves: WaveSettings;
  now: number;
  /** For an applied `booking.offered`: each offered driver's ETA to the pickup, where known. */
  offerEtas?: ReadonlyMap<string, Eta>;
}

const ACCEPT_REJECT_REASON: Partial<Record<RefusalCode, AcceptRejectReason>> = {
  taken: "taken",
  "not-offered": "not-offered",
  closed: "closed",
  "unknown-booking": "unknown-booking",
  "driver-busy": "driver-busy",
};

/**
 * What the worker does about one event, given the booking before it and the state
 * machine's verdict: a pure function, so every rule of the flow is testable without a
 * database, a log or a geo index.
 *
 * The booking's state changes only by applying events from the log; what the worker
 * decides (the next wave, an expiry, a refused accept) it publishes as an event and
 * applies when that comes back. So the log alone rebuilds every booking: a replay
 * decides again (the geo index has moved on) but under the ids of the original
 * decisions, which the log already holds, so only the originals apply.
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
  out.update = { status: verdict.status, driverId: verdict.driverId, wave: b.wave, updatedAt: e.occurredAt };
  const changedAt = Date.parse(e.occurredAt);
  // Leaving the search ends every offer still standing: the drivers who were offered it and did not win are told.
  const searching = b.status === "requested" || b.status === "offered";
  if (searching && verdict.status !== "offered" && verdict.status !== "requested") {
    const others = b.offeredDriverIds.filter((d) => d !== verdict.driverId);
    const why = verdict.status === "accepted" ? "taken" : verdict.status === "expired" ? "expired" : "cancelled";
    out.outbox.push(...withdrawnNotifications(b, others, why, cause));
  }
  const tellCustomer = () =>
    out.outbox.push(
      statusNotification(b, { recipientId: b.customerId, recipientType: "customer" }, verdict.status, verdict.driverId, cause),
    );
  switch (e.type) {
    case "booking.wave-due":
      applyPlan(out, b.bookingId, input, b.offeredDriverIds.length, cause);
      break;
    case "booking.offered":
      // The wave's offers, and the timer that ends it, come from the event: a replay rebuilds them from the log.
      out.update.wave = e.data.wave;
      out.offers = { wave: e.data.wave, driverIds: e.data.driverIds };
      out.timer = {
        eventId: waveDueEventId(b.bookingId, e.data.wave),
        bookingId: b.bookingId,
        type: BOOKING_WAVE_DUE,
        wave: e.data.wave,
        dueAt: Date.parse(e.data.expiresAt),
        correlationId: e.correlationId,
        firedAt: null,
      };
      out.outbox.push(...offerNotifications(b, e.data, cause, input.offerEtas));
      break;
    case "booking.accepted":
      out.cancelTimers = true;
      out.geo.push({ driverId: e.data.driverId, status: "busy", vehicleType: b.vehicleType, changedAt });
      tellCustomer();
      break;
    case "booking.started":
      tellCustomer();
      break;
    case "booking.completed":
      out.geo.push({ driverId: b.driverId!, status: "available", vehicleType: b.vehicleType, changedAt });
      tellCustomer();
      break;
    case "booking.cancelled":
      out.cancelTimers = true;
      if (b.driverId) {
        out.geo.push({ driverId: b.driverId, status: "available", vehicleType: b.vehicleType, changedAt });
        out.outbox.push(
          statusNotification(b, { recipientId: b.driverId, recipientType: "driver" }, verdict.status, verdict.driverId, cause),
        );
      }
      tellCustomer();
      break;
    case "booking.expired":
      out.cancelTimers = true;
      tellCustomer();
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
    pickupLat: d.pickup.lat,
    pickupLng: d.pickup.lng,
    pickupAddress: d.pickup.address ?? null,
    dropoffLat: d.dropoff.lat,
    dropoffLng: d.dropoff.lng,
    dropoffAddress: d.dropoff.address ?? null,
    fareAmount: d.fareEstimate.amount,
    fareCurrency: d.fareEstimate.currency,
    status: "requested",
    driverId: null,
    wave: 0,
    version: 1,
    correlationId: input.event.correlationId,
    requestedAt: input.event.occurredAt,
    updatedAt: input.event.occurredAt,
  };
  applyPlan(out, d.bookingId, input, 0, cause);
  return out;
}

/** The decision a plan calls for: the next wave's `booking.offered`, or with no step left the expiry. */
function applyPlan(out: Outcome, bookingId: string, input: ReactionInput, offeredSoFar: number, cause: Cause): void {
  const plan = input.plan;
  if (!plan) throw new Error(`booking ${bookingId}: ${input.event.type} applied without a wave plan`);
  if (plan.kind === "exhausted") {
    out.outbox.push(expiredRecord({ bookingId, reason: offeredSoFar > 0 ? "no-acceptance" : "no-drivers" }, cause));
    return;
  }
  const expiresAt = new Date(input.now + input.waves.offerTtlMs).toISOString();
  out.outbox.push(offeredRecord({ bookingId, wave: plan.wave, driverIds: plan.driverIds, radiusM: plan.radiusM, expiresAt }, cause));
}
