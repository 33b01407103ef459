import type { Hono } from "hono";
import { bookingAsSeenBy } from "../../shared/booking/booking-view.ts";
import { BookingIdSchema } from "../../shared/events/booking.ts";
import { canSeeBooking } from "../auth/booking-access.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";
import { etaFrom } from "../views/pickup-eta.ts";

/**
 * GET /v1/bookings/{bookingId}: its state and timeline, as the booking worker recorded
 * them in the history, with the fare estimate and, once completed, the final fare beside
 * it. Its customer, its assigned driver and operators see it. What each of them reads is
 * bookingAsSeenBy's call (shared/booking/booking-view.ts): operators everything; the
 * others no other booking and no other driver's claim; the driver not the pickup code,
 * which is the customer's to give. A driver the booking was offered to sees, while the
 * search lasts, what it needs to decide: pickup, drop-off, fare estimate, its offer's
 * wave and expiry, and its distance and ETA to the pickup (`pickupEta`), so a driver
 * whose push was lost can poll. To anyone else it is not found, exactly as an unknown id.
 */
export function registerBooking(app: Hono, deps: Pick<GatewayDeps, "booking" | "offers" | "geo" | "eta">): void {
  app.get("/v1/bookings/:bookingId", async (c) => {
    const bookingId = readParam(c.req.param("bookingId"), BookingIdSchema, "bookingId");
    const booking = await deps.booking(bookingId);
    const caller = principalOf(c);
    if (booking && canSeeBooking(caller, booking)) return c.json(bookingAsSeenBy(caller, booking));
    const [offer] = booking && caller.role === "driver" ? await deps.offers(caller.sub, bookingId) : [];
    if (booking && offer) {
      const { wave, expiresAt, ...rest } = offer;
      const pickupEta = await etaFrom(deps, caller.sub, offer.pickup, offer.vehicleType);
      return c.json({ ...rest, status: booking.status, offer: { wave, expiresAt }, pickupEta });
    }
    return problem(c, 404, {
      title: "Booking not found",
      detail: `no booking ${bookingId} has been processed (a booking just requested appears within moments)`,
    });
  });
}
