import type { BookingEvent } from "../events/booking.ts";

/**
 * A booking's life, as a pure function of its current state and one event:
 *
 *   requested → offered (wave 1, 2, …) → accepted → started → completed
 *   requested | offered | accepted | started → cancelled
 *   requested | offered → expired
 *
 * Anything else is refused with a reason and changes nothing; the worker records the
 * refusal in the booking's audit (applied = false). Deliberate choices:
 * - A driver may accept only while the booking is `offered` and only if one of its
 *   waves offered it to them; the first such accept wins. A driver holds one booking
 *   at a time: while one of theirs is accepted or started, their accepts are refused.
 * - `expired` ends only a booking that is still searching. The worker decides expiry
 *   when the last wave runs out, but a driver's accept can land in the log between
 *   that decision and the `booking.expired` event: the accept wins (what the customer
 *   wants), and the late expiry is refused.
 * - Waves only move forward: an offer for a wave not after the current one is refused.
 * - `booking.wave-due` counts only for the wave the booking is on; an older one (a
 *   timer that fired while the next wave was being planned) is refused as stale.
 * - `booking.accept-rejected` is a notice about a refused claim: recorded, never a
 *   state change.
 */

export const BOOKING_STATUSES = ["requested", "offered", "accepted", "started", "completed", "cancelled", "expired"] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

const SEARCHING: readonly BookingStatus[] = ["requested", "offered"];
const OPEN: readonly BookingStatus[] = ["requested", "offered", "accepted", "started"];

/** What a decision needs to know about a booking. */
export interface BookingSnapshot {
  status: BookingStatus;
  driverId: string | null;
  /** The wave (radius step) of the last offer applied; 0 before the first. */
  wave: number;
  /** Every driver any wave offered the booking to. */
  offeredDriverIds: readonly string[];
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
  | "already-yours"
  | "taken"
  | "not-offered"
  | "closed"
  | "driver-busy";

/** What a decision needs to know beyond the booking itself. */
export interface DecideContext {
  /** For `booking.accepted`: another open (accepted or started) booking the accepting driver holds, if any. */
  driverHolds?: string | null;
}

export type Verdict = { ok: true; status: BookingStatus; driverId: string | null } | { ok: false; code: RefusalCode; reason: string };

const keep = (s: BookingSnapshot): Verdict => ({ ok: true, status: s.status, driverId: s.driverId });
const to = (s: BookingSnapshot, status: BookingStatus, driverId = s.driverId): Verdict => ({ ok: true, status, driverId });
const refuse = (code: RefusalCode, reason: string): Verdict => ({ ok: false, code, reason });
const notWhile = (e: BookingEvent, s: BookingSnapshot) =>
  refuse("invalid-transition", `${e.type} is not allowed while the booking is ${s.status}`);

export function decide(s: BookingSnapshot | null, e: BookingEvent, ctx: DecideContext = {}): Verdict {
  if (e.type === "booking.requested")
    return s ? refuse("exists", "the booking already exists") : { ok: true, status: "requested", driverId: null };
  if (!s) return refuse("unknown-booking", "no such booking");
  switch (e.type) {
    case "booking.offered":
      if (!SEARCHING.includes(s.status)) return notWhile(e, s);
      return e.data.wave > s.wave ? to(s, "offered") : refuse("stale-offer", `wave ${e.data.wave} is not after wave ${s.wave}`);
    case "booking.wave-due":
      if (!SEARCHING.includes(s.status)) return refuse("stale-timer", `the search ended: the booking is ${s.status}`);
      return e.data.wave === s.wave ? keep(s) : refuse("stale-timer", `wave ${e.data.wave} is over; the booking is on wave ${s.wave}`);
    case "booking.accepted":
      return decideAccept(s, e.data.driverId, ctx.driverHolds ?? null);
    case "booking.accept-rejected":
      return keep(s);
    case "booking.started":
      return s.status === "accepted" ? to(s, "started") : notWhile(e, s);
    case "booking.completed":
      return s.status === "started" ? to(s, "completed") : notWhile(e, s);
    case "booking.cancelled":
      return OPEN.includes(s.status) ? to(s, "cancelled") : notWhile(e, s);
    case "booking.expired":
      return SEARCHING.includes(s.status) ? to(s, "expired") : notWhile(e, s);
  }
}

function decideAccept(s: BookingSnapshot, driverId: string, holds: string | null): Verdict {
  switch (s.status) {
    case "accepted":
    case "started":
      return s.driverId === driverId
        ? refuse("already-yours", `driver ${driverId} already holds the booking`)
        : refuse("taken", "another driver accepted first");
    case "offered":
      if (!s.offeredDriverIds.includes(driverId)) return refuse("not-offered", `driver ${driverId} was not offered the booking`);
      return holds ? refuse("driver-busy", `driver ${driverId} already holds booking ${holds}`) : to(s, "accepted", driverId);
    case "requested":
      return refuse("not-offered", `driver ${driverId} was not offered the booking`);
    default:
      return refuse("closed", `the booking is ${s.status}`);
  }
}
