import type { BookingDetails } from "../../shared/booking/booking-query.ts";
import type { Principal } from "./principal.ts";

/**
 * Who may see (and act on) a booking: its customer, the driver assigned to it, and
 * operators. Everyone else is told it does not exist (404, never 403), so booking ids
 * cannot be probed for existence.
 */
export function canSeeBooking(p: Principal, b: Pick<BookingDetails, "customerId" | "driverId">): boolean {
  if (p.role === "operator") return true;
  if (p.role === "customer") return b.customerId === p.sub;
  return b.driverId === p.sub;
}
