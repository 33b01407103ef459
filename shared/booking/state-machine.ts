import type { BookingEvent, CancelledBy, DropReason } from "../events/booking.ts";

/**
 * A booking's life, as a pure function of its current state and one event:
 *
 *   requested → offered (wave 1, 2, …) → accepted → arrived → started → completed
 *                  ▲                        │  │        │
 *                  └── requested ◄──────────┘  └────────┴── a driver drops it (cancel, missed arrival deadline):
 *                      (round + 1)                          searching again, from wave 1, without them
 *   requested | offered | accepted | arrived → cancelled (who may, in which state: CANCELLATION_RULES)
 *   arrived → cancelled (customer no-show: the wait limit passed)
 *   requested | offered → expired (no driver found or accepted; too many reassignments)
 *
 * Anything else is refused with a reason and changes nothing; the worker records the
 * refusal in the booking's audit (applied = false). Deliberate choices:
 * - A driver may accept only while the booking is `offered` and only if one of its
 *   waves offered it to them; the first such accept wins. A driver holds one booking
 *   at a time: while one of theirs is accepted, arrived or started, their accepts are
 *   refused. A driver who dropped the booking never gets it again.
 * - `expired` ends only a booking that is still searching. The worker decides expiry
 *   when the last wave runs out, but a driver's accept can land in the log between
 *   that decision and the `booking.expired` event: the accept wins (what the customer
 *   wants), and the late expiry is refused.
 * - Waves only move forward within a search round: an offer for a wave not after the
 *   current one, or of another round, is refused. A driver dropping the booking starts
 *   a new round, so offers and wave timers of the old search that land late are refused.
 * - `booking.wave-due`, `booking.arrival-due` and `booking.wait-due` count only for the
 *   wave, or the driver, the booking is on; older ones (a timer that fired while the
 *   booking moved on) are refused as stale.
 * - `start` is allowed from accepted too: a driver who never pressed "arrived" and was
 *   not seen inside the pickup geofence can still start (no waiting time is charged).
 *   Nobody cancels a started trip: it is completed.
 * - `booking.accept-rejected` is a notice about a refused claim: recorded, never a
 *   state change; so is `booking.completion-requested`, whose effect is the worker's
 *   `booking.completed` with the final fare.
 */

export const BOOKING_STATUSES = ["requested", "offered", "accepted", "arrived", "started", "completed", "cancelled", "expired"] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const SEARCHING: readonly BookingStatus[] = ["requested", "offered"];
/** A driver holds the booking: from the accept until it completes, is cancelled or the driver drops it. */
export const HOLDING: readonly BookingStatus[] = ["accepted", "arrived", "started"];

/**
 * Who may cancel in which state, and what follows (states not listed: refused):
 * - free: cancelled, nothing owed;
 * - fee: cancelled, the customer owes the cancellation fee (the driver came to the pickup);
 * - drop: the driver leaves, the booking is searched again without them (reassignment),
 *   and the cancel counts against the driver.
 */
export type CancelEffect = "free" | "fee" | "drop";
export const CANCELLATION_RULES: Readonly<Record<CancelledBy, Partial<Record<BookingStatus, CancelEffect>>>> = {
  customer: { requested: "free", offered: "free", accepted: "free", arrived: "fee" },
  driver: { accepted: "drop", arrived: "drop" },
};

/** What a decision needs to know about a booking. */
export interface BookingSnapshot {
  status: BookingStatus;
  driverId: string | null;
  /** The wave (radius step) of the last offer applied in this round; 0 before the first. */
  wave: number;
  /** The search round: 0 at first, +1 each time a driver drops the booking. */
  round: number;
  /** Every driver any wave of any round offered the booking to. */
  offeredDriverIds: readonly string[];
  /** Every driver who dropped the booking. */
  droppedDriverIds: readonly string[];
  /** The code the driver must give to start, when the request carried one. */
  pickupCode: string | null;
}

/**
 * Why an event was refused. `already-yours` (the winning driver accepting again, e.g.
 * an app retrying) is refused without telling the driver they lost.
 */
export type RefusalCode =
  | "exists"
  | "unknown-booking"
  | "invalid-transition"
  | "stale-timer"
  | "stale-offer"
  | "stale-decision"
  | "already-yours"
  | "taken"
  | "not-offered"
  | "closed"
  | "driver-busy"
  | "dropped"
  | "not-assigned"
  | "pickup-code";

/** What a decision needs to know beyond the booking itself. */
export interface DecideContext {
  /** For `booking.accepted`: another open (accepted, arrived or started) booking the accepting driver holds, if any. */
  driverHolds?: string | null;
  /** `booking.started` must carry the booking's pickup code (PICKUP_CODE_REQUIRED). */
  pickupCodeRequired?: boolean;
}

/** A driver losing the booking, and why: the cause of a reassignment. */
export interface Drop {
  driverId: string;
  reason: DropReason;
}

/** The customer owes a fee: cancelled after the driver arrived, or did not turn up within the wait limit. */
export type FeeKind = "cancellation" | "no-show";

export type Verdict =
  | { ok: true; status: BookingStatus; driverId: string | null; drop?: Drop; fee?: FeeKind }
  | { ok: false; code: RefusalCode; reason: string };

const keep = (s: BookingSnapshot): Verdict => ({ ok: true, status: s.status, driverId: s.driverId });
const to = (s: BookingSnapshot, status: BookingStatus, driverId = s.driverId): Verdict => ({ ok: true, status, driverId });
const dropped = (driverId: string, reason: DropReason): Verdict => ({
  ok: true,
  status: "requested",
  driverId: null,
  drop: { driverId, reason },
});
const refuse = (code: RefusalCode, reason: string): Verdict => ({ ok: false, code, reason });
const notWhile = (e: BookingEvent, s: BookingSnapshot) =>
  refuse("invalid-transition", `${e.type} is not allowed while the booking is ${s.status}`);
const roundOf = (data: { round?: number }) => data.round ?? 0;

export function decide(s: BookingSnapshot | null, e: BookingEvent, ctx: DecideContext = {}): Verdict {
  if (e.type === "booking.requested")
    return s ? refuse("exists", "the booking already exists") : { ok: true, status: "requested", driverId: null };
  if (!s) return refuse("unknown-booking", "no such booking");
  switch (e.type) {
    case "booking.offered":
      if (!SEARCHING.includes(s.status)) return notWhile(e, s);
      if (roundOf(e.data) !== s.round) return refuse("stale-offer", `the offer is of search round ${roundOf(e.data)}, not ${s.round}`);
      return e.data.wave > s.wave ? to(s, "offered") : refuse("stale-offer", `wave ${e.data.wave} is not after wave ${s.wave}`);
    case "booking.wave-due":
      if (!SEARCHING.includes(s.status)) return refuse("stale-timer", `the search ended: the booking is ${s.status}`);
      if (roundOf(e.data) !== s.round)
        return refuse("stale-timer", `search round ${roundOf(e.data)} is over; the booking is on ${s.round}`);
      return e.data.wave === s.wave ? keep(s) : refuse("stale-timer", `wave ${e.data.wave} is over; the booking is on wave ${s.wave}`);
    case "booking.accepted":
      return decideAccept(s, e.data.driverId, ctx.driverHolds ?? null);
    case "booking.accept-rejected":
      return keep(s);
    case "booking.driver-arrived":
      if (s.status !== "accepted") return notWhile(e, s);
      return e.data.driverId === s.driverId ? to(s, "arrived") : notAssigned(e.data.driverId);
    case "booking.arrival-due":
      if (s.status !== "accepted" || s.driverId !== e.data.driverId)
        return refuse("stale-timer", `driver ${e.data.driverId} is no longer on the way: the booking is ${s.status}`);
      return dropped(e.data.driverId, "driver-no-show");
    case "booking.wait-due":
      if (s.status !== "arrived" || s.driverId !== e.data.driverId)
        return refuse("stale-timer", `the wait at the pickup is over: the booking is ${s.status}`);
      return { ok: true, status: "cancelled", driverId: s.driverId, fee: "no-show" };
    case "booking.started":
      if (s.status !== "accepted" && s.status !== "arrived") return notWhile(e, s);
      return checkPickupCode(s, e.data.pickupCode, ctx.pickupCodeRequired ?? false) ?? to(s, "started");
    case "booking.completion-requested":
      return s.status === "started" ? keep(s) : notWhile(e, s);
    case "booking.completed":
      return s.status === "started" ? to(s, "completed") : notWhile(e, s);
    case "booking.cancelled":
      return decideCancel(s, e.data.by, e.data.driverId);
    case "booking.reassigning":
      if (s.status !== "requested" || e.data.round !== s.round)
        return refuse("stale-decision", `round ${e.data.round} is not the booking's search (round ${s.round}, ${s.status})`);
      return keep(s);
    case "booking.expired":
      return SEARCHING.includes(s.status) ? to(s, "expired") : notWhile(e, s);
  }
}

const notAssigned = (driverId: string) => refuse("not-assigned", `driver ${driverId} is not the booking's driver`);

function decideAccept(s: BookingSnapshot, driverId: string, holds: string | null): Verdict {
  switch (s.status) {
    case "accepted":
    case "arrived":
    case "started":
      return s.driverId === driverId
        ? refuse("already-yours", `driver ${driverId} already holds the booking`)
        : refuse("taken", "another driver accepted first");
    case "offered":
      if (s.droppedDriverIds.includes(driverId)) return refuse("dropped", `driver ${driverId} dropped the booking before`);
      if (!s.offeredDriverIds.includes(driverId)) return refuse("not-offered", `driver ${driverId} was not offered the booking`);
      return holds ? refuse("driver-busy", `driver ${driverId} already holds booking ${holds}`) : to(s, "accepted", driverId);
    case "requested":
      return refuse("not-offered", `driver ${driverId} was not offered the booking`);
    default:
      return refuse("closed", `the booking is ${s.status}`);
  }
}

function decideCancel(s: BookingSnapshot, by: CancelledBy, driverId: string | undefined): Verdict {
  const effect = CANCELLATION_RULES[by][s.status];
  if (!effect) return refuse("invalid-transition", `the ${by} may not cancel while the booking is ${s.status}`);
  if (by === "driver" && driverId !== undefined && driverId !== s.driverId) return notAssigned(driverId);
  if (effect === "drop") return dropped(s.driverId!, "driver-cancelled");
  return effect === "fee" ? { ok: true, status: "cancelled", driverId: s.driverId, fee: "cancellation" } : to(s, "cancelled");
}

function checkPickupCode(s: BookingSnapshot, code: string | undefined, required: boolean): Verdict | null {
  const refusal = pickupCodeRefusal(s.pickupCode, code, required);
  return refusal ? refuse("pickup-code", refusal) : null;
}

/**
 * Why a start's pickup code is refused, or null: a code sent must match; with `required`,
 * one must be sent. Bookings requested without a code have nothing to check.
 */
export function pickupCodeRefusal(expected: string | null, sent: string | undefined, required: boolean): string | null {
  if (expected === null) return null;
  if (sent === undefined) return required ? "the customer's pickup code is required to start" : null;
  return sent === expected ? null : "the pickup code does not match the customer's";
}

/** How far a booking may be reassigned before it expires instead. */
export interface ReassignLimits {
  /** Drops after which the booking expires (reason reassign-limit). */
  maxReassignments: number;
  /** A drop later than this after the request expires the booking (reason reassign-timeout). */
  windowMs: number;
}

export type AfterDrop = { kind: "reassign"; round: number } | { kind: "expire"; reason: "reassign-limit" | "reassign-timeout" };

/**
 * What follows a drop: search again in round `round` (the round the drop started), or
 * expire. Decided on the log's own times (the request's and the drop's occurredAt), so a
 * replay decides the same.
 */
export function afterDrop(round: number, requestedAt: string, droppedAt: string, limits: ReassignLimits): AfterDrop {
  if (round > limits.maxReassignments) return { kind: "expire", reason: "reassign-limit" };
  if (Date.parse(droppedAt) - Date.parse(requestedAt) > limits.windowMs) return { kind: "expire", reason: "reassign-timeout" };
  return { kind: "reassign", round };
}
