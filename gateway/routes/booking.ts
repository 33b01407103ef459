import type { Hono } from "hono";
import { bookingAsSeenBy } from "../../shared/booking/booking-view.ts";
import { BookingIdSchema } from "../../shared/events/booking.ts";
import { canSeeBooking } from "../auth/booking-access.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";

/**
 * GET /v1/bookings/{bookingId}: its state and timeline, as the booking worker recorded
 * them in the history, with the fare estimate and, once completed, the final fare beside
 * it. Its customer, its assigned driver and operators see it; to anyone else it is not
 * found, exactly as an unknown id. What each of them reads is bookingAsSeenBy's call
 * (shared/booking/booking-view.ts): operators everything; the others no other booking and
 * no other driver's claim; the driver not the pickup code, which is the customer's to give.
 */
export function registerBooking(app: Hono, deps: Pick<GatewayDeps, "booking">): void {
  app.get("/v1/bookings/:bookingId", async (c) => {
    const bookingId = readParam(c.req.param("bookingId"), BookingIdSchema, "bookingId");
    const booking = await deps.booking(bookingId);
    if (!booking || !canSeeBooking(principalOf(c), booking))
      return problem(c, 404, {
        title: "Booking not found",
        detail: `no booking ${bookingId} has been processed (a booking just requested appears within moments)`,
      });
    return c.json(bookingAsSeenBy(principalOf(c), booking));
  });
}
