import type { BookingDetails, TimelineEntry } from "./booking-query.ts";
import { CLAIMS } from "./booking-query.ts";

/** Who is reading: the token's role and sub (gateway/auth/principal.ts). */
export interface Viewer {
  role: "driver" | "customer" | "operator";
  sub: string;
}

/*
 * What each caller may read of a booking, in ONE place: GET /v1/bookings/{id} sends its
 * timeline through bookingAsSeenBy, and anything else that shows a booking's events to a
 * customer or a driver (a status stream carrying "the same fields as the timeline") must
 * send each entry through timelineEntryAsSeenBy, so the two never disagree.
 *
 * The audit keeps everything: refusal reasons as the state machine wrote them ("driver d-7
 * already holds booking <id>") and which driver each claim was about. Operators read all
 * of it. A customer or the assigned driver (canSeeBooking decides who reads at all) reads
 * no other booking's id and no driver but the assigned one:
 * - other drivers' claims (refused accepts, accept-rejected notices) are left out — they
 *   say who tried, which is nobody else's business; the assigned driver keeps its own;
 * - `driverId` on entries is operator detail (the booking's own `driverId` says who is assigned);
 * - a reason that still names an id (a UUID, or "driver <id>") is replaced by a neutral
 *   one, so a future refusal worded with ids cannot leak through;
 * - the pickup code is the customer's to give the driver at pickup: a driver never reads it.
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const NAMES_A_DRIVER = /\bdrivers? [A-Za-z0-9_-]+ (?:was|is|already|has)\b/;
export const WITHHELD_REASON = "refused: it does not apply to the booking as it is now";

/** One timeline entry as `viewer` may read it; undefined when it is not theirs to see. */
export function timelineEntryAsSeenBy(
  viewer: Viewer,
  booking: Pick<BookingDetails, "driverId">,
  e: TimelineEntry,
): TimelineEntry | undefined {
  if (viewer.role === "operator") return e;
  const { driverId, reason, ...rest } = e;
  if (CLAIMS.includes(e.type)) {
    const own = viewer.role === "driver" && driverId === viewer.sub;
    const won = e.applied && e.type !== "booking.accept-rejected" && driverId !== undefined && driverId === booking.driverId;
    if (!own && !won) return undefined;
  }
  if (reason === undefined) return rest;
  return { ...rest, reason: UUID.test(reason) || NAMES_A_DRIVER.test(reason) ? WITHHELD_REASON : reason };
}

/** The booking as `viewer` may read it (see above); operators get it whole. */
export function bookingAsSeenBy(viewer: Viewer, booking: BookingDetails): BookingDetails {
  if (viewer.role === "operator") return booking;
  const { pickupCode, ...rest } = booking;
  return {
    ...rest,
    ...(viewer.role === "customer" && pickupCode !== undefined ? { pickupCode } : {}),
    timeline: booking.timeline.flatMap((e) => timelineEntryAsSeenBy(viewer, booking, e) ?? []),
  };
}
