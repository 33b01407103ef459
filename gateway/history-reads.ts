import { activeTripsOf } from "../shared/booking/active-trips.ts";
import { listBookings, listCustomerBookings } from "../shared/booking/booking-list.ts";
import { readBooking } from "../shared/booking/booking-query.ts";
import { standingOffers } from "../shared/booking/offer-query.ts";
import type { Db } from "../shared/db/open-libsql.ts";
import { queryTrail } from "../shared/history/trail-query.ts";
import { listCustomerOrders } from "../shared/order/order-list.ts";
import { readOrder } from "../shared/order/order-query.ts";
import type { GatewayDeps } from "./deps.ts";

export type HistoryReads = Pick<
  GatewayDeps,
  "trail" | "booking" | "order" | "offers" | "trip" | "customerBookings" | "customerOrders" | "bookings"
>;

/** Every read the gateway makes of the workers' history database (read-only by convention): one place for main, dev and tests. */
export function historyReads(history: Db): HistoryReads {
  return {
    trail: (q) => queryTrail(history, q),
    booking: (bookingId) => readBooking(history, bookingId),
    order: (orderId) => readOrder(history, orderId),
    offers: (driverId, bookingId) => standingOffers(history, driverId, bookingId),
    trip: async (driverId) => (await activeTripsOf(history.orm, [driverId])).get(driverId) ?? null,
    customerBookings: (q) => listCustomerBookings(history, q),
    customerOrders: (q) => listCustomerOrders(history, q),
    bookings: (q) => listBookings(history, q),
  };
}
